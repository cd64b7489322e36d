"""`journal serve`: a live preview by the project's engine, updated as entries and runs change."""

from __future__ import annotations

from pathlib import Path

from mljournal.engines import get_engine
from mljournal.project import load_project


def serve_site(config_file: Path, dev_addr: str = "127.0.0.1:8000", open_in_browser: bool = False,
               engine: str | None = None) -> None:
    project = load_project(config_file)  # fail early, with our message, on a bad config
    get_engine(engine or project.settings.engine).serve(project, dev_addr, open_in_browser)
