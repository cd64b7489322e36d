"""Pages MkDocs wrote in an earlier build, written again without the theme when nothing they
are made of changed.

After one edit, `journal build` reads the journal from its caches and renders its own
pages in a couple of seconds; the theme's template (Material's, for each of hundreds of
pages) and the search plugin's HTML parsing are most of the rest. A page's output is a
function of what the template and the plugins are given: the page (URL, title, metadata,
table of contents, HTML, neighbours), the navigation, the configuration file, the theme's
templates and the versions of the packages that render it. Its output and its search
entries are kept under the hash of those; a page whose hash is found is written from the
cache. Only with the plugins known to do nothing else per page (search and the journal):
any other plugin may read or change a page in ways no key can see, and turns reuse off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

from mljournal.cache import Store, made_by

CACHE = "pages-1"
KNOWN_PLUGINS = {"search", "material/search", "journal"}
RENDERERS = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "pygments", "jinja2")
ICONS = ".icons"  # Material's 14,000 SVG icons, which templates include by name


@contextlib.contextmanager
def reusing_pages(config, cache_dir: Path | None, last_site: Path | None = None):
    """During a `mkdocs build` of `config`: pages built from unchanged inputs are written from
    the cache (linked from `last_site`, the site the build will replace, when it holds the
    very same bytes), the others built as usual and kept."""
    import mkdocs.commands.build as mkdocs_build

    if cache_dir is None or not set(config.plugins) <= KNOWN_PLUGINS:
        yield
        return
    original = mkdocs_build._build_page
    store: Store[tuple[bytes, list[dict]]] = Store("built-pages", cache_dir / "pages", limit=20_000)
    site: list[bytes] = []  # the site's key, made at the first page (the navigation exists by then)

    def build_page(page, config, doc_files, nav, env, dirty=False, excluded=False):
        if excluded or dirty:
            return original(page, config, doc_files, nav, env, dirty, excluded)
        if not site:
            site.append(_site_key(config, nav))
        search = _search_index(config)
        key = _page_key(site[0], page)
        found = store.get(key, slot=page.url)
        if found is not None:
            output, entries = found
            _write(output, Path(page.file.abs_dest_path), Path(config.site_dir), last_site)
            if search is not None:
                search.entries.extend(dict(entry) for entry in entries)
            return None
        before = len(search.entries) if search is not None else 0
        original(page, config, doc_files, nav, env, dirty, excluded)
        try:
            output = Path(page.file.abs_dest_path).read_bytes()
        except OSError:
            return None  # an empty output is not written: nothing to keep
        entries = [dict(entry) for entry in search.entries[before:]] if search is not None else []
        store.put(key, (output, entries), slot=page.url)
        return None

    mkdocs_build._build_page = build_page
    try:
        yield
    finally:
        mkdocs_build._build_page = original


def _write(output: bytes, target: Path, site_dir: Path, last_site: Path | None) -> None:
    """`output` at `target`: a link to the last site's file when that holds the same bytes
    (reading a file costs a third of writing it; nothing writes into a page once it is built)."""
    from mkdocs import utils

    from mljournal.output import link_from

    if last_site is not None:
        try:
            last = last_site / target.relative_to(site_dir)
            same = last.stat().st_size == len(output) and last.read_bytes() == output
        except (OSError, ValueError):
            same = False  # not there: written
        if same and link_from(last, target):
            return
    utils.write_file(output, str(target))


@contextlib.contextmanager
def empty_pages_without_markdown():
    """During a `mkdocs build`: a page whose Markdown is empty (each of the journal's pages:
    MkDocs reads only their front matter) is given what Markdown makes of nothing (no HTML,
    no headings, no title, no anchors, no links) without building a Markdown processor and
    its extensions for it, which costs a millisecond a page."""
    from mkdocs.structure.pages import Page
    from mkdocs.structure.toc import get_toc

    original = Page.render

    def render(page, config, files) -> None:
        if page.markdown is None or page.markdown.strip():
            return original(page, config, files)
        page.content = ""
        page.toc = get_toc([])
        page._title_from_render = None
        page.present_anchor_ids = set()
        page.links_to_anchors = {}
        return None

    Page.render = render
    try:
        yield
    finally:
        Page.render = original


def _search_index(config):
    from mljournal.engines.mkdocs.plugin import _search_plugin

    return getattr(_search_plugin(config), "search_index", None)


def _site_key(config, nav) -> bytes:
    """What every page's output depends on beyond the page itself."""
    digest = hashlib.sha256(CACHE.encode() + made_by(*RENDERERS))
    with open(config.config_file_path, "rb") as handle:  # site name, theme, extra, markdown settings…
        digest.update(handle.read())
    digest.update(json.dumps(_nav(nav.items), default=str).encode())
    digest.update(json.dumps(sorted(config.plugins), default=str).encode())
    digest.update(json.dumps(config.extra, sort_keys=True, default=str).encode())  # what the plugins put there too
    digest.update(json.dumps(config.plugins["journal"].config, sort_keys=True, default=str).encode())
    digest.update(json.dumps({k: config.theme[k] for k in config.theme}, sort_keys=True, default=str).encode())  # features the plugin adds
    for folder in config.theme.dirs:  # templates edited in place (a custom_dir, an editable install)
        for root, dirs, files in os.walk(folder):
            if root == folder and folder != config.theme.custom_dir and ICONS in dirs:
                dirs.remove(ICONS)  # a theme's own icons change with its version, which is in the key
            dirs.sort()
            for name in sorted(files):
                if name.endswith((".html", ".xml", ".yml", ".svg")):
                    stat = os.stat(os.path.join(root, name))
                    digest.update(f"{root}/{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.digest()


def _nav(items) -> list:
    return [(item.title, getattr(item, "url", None), _nav(getattr(item, "children", None) or [])) for item in items]


def _page_key(site: bytes, page) -> str:
    digest = hashlib.sha256(site)
    neighbours = [(p.url, p.title) if p is not None else None for p in (page.previous_page, page.next_page)]
    digest.update(json.dumps([page.file.src_uri, page.url, str(page.title), page.meta, neighbours,
                              page.file.inclusion.name], sort_keys=True, default=str).encode())
    digest.update(repr(toc_signature(page.toc)).encode())
    digest.update((page.content or "").encode())
    return digest.hexdigest()[:32]


def toc_signature(items) -> list:
    """A table of contents as plain data, for a key."""
    return [(item.id, item.url, item.title, item.level, toc_signature(item.children)) for item in items or []]
