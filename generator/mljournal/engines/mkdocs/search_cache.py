"""The search plugin's entries of a page, kept between builds.

Material's search plugin parses every page's HTML in Python (html.parser) on every build:
at 2,000 entries that is most of a rebuild after one edit. What it makes of a page depends
only on what it reads (the page's URL, title, metadata, table of contents and HTML, and the
plugin's settings), so the entries are kept in the cache folder by the hash of those and
handed back for an unchanged page; a changed page is parsed as before.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from mljournal.cache import Store, made_by
from mljournal.engines.mkdocs.page_cache import toc_signature

CACHE = "search-1"


def keep_search_entries(search, cache_dir: Path | None) -> None:
    """Wrap `search`'s (Material's search plugin) indexing of a page with the cache; once."""
    index = getattr(search, "search_index", None)
    if index is None or getattr(index.add_entry_from_context, "mljournal_cached", False):
        return
    store: Store[list[dict]] = Store("search-entries", cache_dir / "search" if cache_dir else None, limit=20_000)
    settings = json.dumps({k: v for k, v in sorted(index.config.items())}, sort_keys=True, default=str)
    parse = index.add_entry_from_context

    def add_entry_from_context(page) -> None:
        key = _key(page, settings)
        found = store.get(key, slot=page.url)
        if found is not None:
            index.entries.extend(dict(entry) for entry in found)
            return
        before = len(index.entries)
        parse(page)
        store.put(key, [dict(entry) for entry in index.entries[before:]], slot=page.url)

    add_entry_from_context.mljournal_cached = True  # type: ignore[attr-defined]
    index.add_entry_from_context = add_entry_from_context


def _key(page, settings: str) -> str:
    digest = hashlib.sha256(f"{CACHE}\0".encode() + made_by("mkdocs-material", "jieba") + settings.encode())
    digest.update(json.dumps([page.url, str(page.title), page.meta], sort_keys=True, default=str).encode())
    digest.update(repr(toc_signature(page.toc)).encode())
    digest.update((page.content or "").encode())
    return digest.hexdigest()[:32]
