"""`journal serve`: a live-reloading preview that rebuilds only what an edit changes."""

from __future__ import annotations

from pathlib import Path

from mljournal.commands.project import load_mkdocs_config


def serve_site(config_file: Path, dev_addr: str | None = None, open_in_browser: bool = False) -> None:
    from mljournal.engines.mkdocs.live import serve

    load_mkdocs_config(config_file)  # fail early, with our message, on a bad config
    serve(config_file, dev_addr=dev_addr, open_in_browser=open_in_browser)
