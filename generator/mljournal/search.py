"""How the site is searched: Material's lunr index, or Pagefind's chunked one.

Material's search fetches one index of every page's text and builds it in the browser: a
few hundred kilobytes for a journal of a few hundred entries, megabytes (and a frozen tab on
a phone) past a few thousand. Pagefind splits its index into chunks fetched by the words
typed, so the first results cost a few hundred kilobytes at any size. `search: auto` (the
default) uses Pagefind from AUTO_AT entries on when it is installed
(``pip install 'mljournal[pagefind]'``), Material's search below; `material` and `pagefind`
choose. `journal serve` always uses Material's (its pages change in place; an index of
the whole site would be stale after the first edit).

Pagefind runs on the built site (its binary, from the pagefind-bin package) with the
separator rules of the journal: '-', '_' and '.' inside a word are part of it, so a model
ID ("mlp-4") is found whole; the copies of entries on model and tag pages are left out
(they are marked data-search-exclude, as for Material's search).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from mljournal.errors import BuildError
from mljournal.settings import SettingsError

AUTO_AT = 1000  # entries from which `auto` chooses Pagefind, when it is installed
EXTRA = "pagefind"  # pip install 'mljournal[pagefind]'
FOLDER = "pagefind"  # the bundle's folder in the site
WORD_CHARACTERS = "-_."
CONTENT = "article.md-content__inner"  # the page's own content in Material's layout
LEFT_OUT = "[data-search-exclude]"
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")


def installed() -> bool:
    """Pagefind's Python package (which runs its binary, from pagefind-bin) is installed."""
    return importlib.util.find_spec("pagefind") is not None


def search_kind(setting: str, entries: int, serving: bool = False) -> str:
    """'pagefind' or 'material' for a build of `entries` entries."""
    if serving:
        return "material"
    if setting == "pagefind":
        if not installed():
            raise SettingsError(f"search: pagefind needs Pagefind: pip install 'mljournal[{EXTRA}]'", "search")
        return "pagefind"
    if setting == "auto" and entries >= AUTO_AT and installed():
        return "pagefind"
    return "material"


def empty_material_index(site: Path) -> None:
    """Material's own index, emptied: its search box stays (and is Pagefind's), and the one
    request it makes on first use costs nothing."""
    import json

    path = site / "search" / "search_index.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8")).get("config", {})
    except (OSError, ValueError):
        return
    path.write_text(json.dumps({"config": config, "docs": []}, separators=(",", ":")), encoding="utf-8")


def _pagefind() -> list[str]:
    """Pagefind's binary itself (pagefind-bin's), without the Python wrapper's start-up when
    it can; else the wrapper, which finds it."""
    try:
        from pagefind_bin import get_executable

        return [str(get_executable())]
    except Exception:  # noqa: BLE001 - an older or odd install: its wrapper knows
        return [sys.executable, "-m", "pagefind"]


def index_site(site: Path) -> None:
    """Write Pagefind's bundle into `site`/pagefind/, from the built pages."""
    command = [*_pagefind(), "--site", str(site), "--output-subdir", FOLDER,
               "--root-selector", CONTENT, "--exclude-selectors", LEFT_OUT,
               f"--include-characters={WORD_CHARACTERS}", "--silent"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BuildError(f"Pagefind could not index the site: {error}") from None
    if done.returncode != 0 or not (site / FOLDER / "pagefind.js").is_file():
        message = (done.stderr or done.stdout).strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        raise BuildError(f"Pagefind could not index the site: {message[0]}")
    for name in UNUSED:  # Pagefind's own search UIs: the journal keeps Material's search box
        (site / FOLDER / name).unlink(missing_ok=True)
