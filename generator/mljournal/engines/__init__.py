"""Site engines: each turns the journal's planned pages into a site. The core never imports one.

An engine is a module with `build(project, site_dir, strict)` returning a `BuildResult`, and
`serve(project, dev_addr, open_in_browser)`; `get_engine` imports it only when asked for.

    mkdocs    MkDocs 1.6 + Material through the `journal` plugin (the default); ProperDocs,
              a maintained fork of MkDocs 1.6, runs the same plugin (`properdocs build`)
    zensical  Zensical, which runs no MkDocs plugins: the pages are written as Markdown with
              HTML blocks into a staging docs folder and the real `zensical build` runs on it
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from mljournal.errors import ConfigError
from mljournal.settings import ENGINES


@dataclass
class BuildResult:
    """What an engine built: counted by the journal, not read back from the engine."""

    site_dir: Path
    pages: int  # the journal's generated pages
    entries: int
    models: int
    warnings: list[str] = field(default_factory=list)


# Material (and Zensical, built from its code) measures every code block as a page starts,
# reading each one's width between writes to the page: each read lays the whole page out
# again (on a model page, a fifth of the main thread under Lighthouse's mobile throttling).
# `content.lazy`, in both bundles though not in their documentation, mounts a code block
# when it first scrolls into view instead.
THEME_FEATURES = ("content.lazy",)


def with_theme_features(features: list[str] | None) -> list[str]:
    """The author's theme features, with the ones the journal's pages need added after them."""
    features = list(features or [])
    return features + [f for f in THEME_FEATURES if f not in features]


def stop_on_sigterm() -> None:
    """`kill`, a service manager: stop `journal serve` as Ctrl-C does (so it cleans up after
    itself: the served folder, an engine's own server process)."""
    import signal
    import threading

    def interrupt(signum, frame) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


def get_engine(name: str) -> ModuleType:
    if name not in ENGINES:
        raise ConfigError(f"unknown engine '{name}'; the engines are: {', '.join(ENGINES)}")
    try:
        return importlib.import_module(f"mljournal.engines.{name}")
    except ImportError as error:
        raise ConfigError(f"the {name} engine needs a package that is not installed ({error.name}): "
                          f"pip install 'mljournal[{name}]'") from None
