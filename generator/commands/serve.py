"""`journal serve`: MkDocs' live-reloading server over the journal."""

from __future__ import annotations

from pathlib import Path

from generator.commands.project import load_mkdocs_config


def serve_site(config_file: Path, dev_addr: str | None = None, open_in_browser: bool = False) -> None:
    from mkdocs.commands.serve import serve

    load_mkdocs_config(config_file)  # fail early, with our message, on a bad config
    options = {"dev_addr": dev_addr} if dev_addr else {}
    serve(config_file=str(config_file), livereload=True, open_in_browser=open_in_browser, **options)
