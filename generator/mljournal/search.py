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
(they are marked data-search-exclude, as for Material's search), and so are the pages that
are copies of others (a tag's page, the timeline's newest month again), as Material's search
leaves them out.

From twice PAGES_PER_SHARD pages on, the index is made in shards, a page's shard chosen by a
hash of its path (so each shard is a sample of the whole site, and its word statistics,
which Pagefind ranks by, are much the same as the whole index's): the first in pagefind/,
the others in pagefind/shard-NN/, listed in pagefind/shards.json and merged by the page's
script (Pagefind's `mergeIndex`). A shard whose pages say what the last site's said, as far
as Pagefind reads them (`searched_part`: no scripts, nothing marked data-search-exclude), is
linked from there, not indexed again: one edited entry changes the text of one or two pages
(its timeline month, its model's page) and costs the index of their shards, not of the
whole journal. What each page says is kept in the cache under the file it was read from, so
a page linked unchanged from the last site is not read again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import functools
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from mljournal.cache import read_pickle, write_pickle
from mljournal.errors import BuildError
from mljournal.output import link_from
from mljournal.settings import SettingsError

AUTO_AT = 1000  # entries from which `auto` chooses Pagefind, when it is installed
EXTRA = "pagefind"  # pip install 'mljournal[pagefind]'
FOLDER = "pagefind"  # the bundle's folder in the site
WORD_CHARACTERS = "-_."
CONTENT = "article.md-content__inner"  # the page's own content in Material's layout
LEFT_OUT_MARK = "data-search-exclude"  # the attribute of what search leaves out (rendering/pages/kit.py)
LEFT_OUT = f"[{LEFT_OUT_MARK}]"
MANIFEST = "shards.json"  # in FOLDER: each shard's folder and the digest of what it indexes
PAGES_PER_SHARD = 50  # about; the number of shards is a power of two, at most MAX_SHARDS
# Each shard merged costs the reader its own chunk of the words typed: at 10,000 entries the
# first results fetched 166 KB in 323 ms from one index, 288 KB in 314 ms from 4 shards,
# 408 KB in 825 ms from 8 (`benchmarks/search.py`'s journal, 2026-12-03).
MAX_SHARDS = 4
VIEWS = ".pagefind-views"  # in the site while it is indexed: each shard's pages, linked
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


@dataclass(frozen=True)
class Shard:
    folder: str  # in FOLDER: "" for the first, whose pagefind.js the page's script loads
    pages: tuple[str, ...]  # its HTML files, site-relative, sorted


def plan_shards(site: Path, left_out: frozenset[str] = frozenset()) -> list[Shard]:
    """The site's HTML files but those `left_out` (site-relative), in shards."""
    pages = []
    for root, folders, files in os.walk(site):
        if root == str(site):
            folders[:] = [name for name in folders if name not in (FOLDER, VIEWS)]
        for name in files:
            if name.endswith(".html"):
                relative = os.path.relpath(os.path.join(root, name), site).replace(os.sep, "/")
                if relative not in left_out:
                    pages.append(relative)
    count = 1
    while count * 2 <= min(MAX_SHARDS, len(pages) // PAGES_PER_SHARD):
        count *= 2
    shards: list[list[str]] = [[] for _ in range(count)]
    for page in sorted(pages):
        shards[hashlib.sha1(page.encode("utf-8", "surrogateescape")).digest()[0] % count].append(page)
    return [Shard(f"shard-{number:02d}" if number else "", tuple(found)) for number, found in enumerate(shards)
            if found or not number]


def index_site(site: Path, left_out: frozenset[str] = frozenset(), last_site: Path | None = None,
               cache_dir: Path | None = None) -> list[str]:
    """Write Pagefind's bundle into `site`/pagefind/ from the built pages but those
    `left_out` (site-relative), in the shards `plan_shards` makes; the shards the last site
    has for pages that say the same are linked from it. The folders of the shards indexed
    ("" is the first). `cache_dir` keeps what each page says for the next build."""
    shards = plan_shards(site, left_out)
    bundle = site / FOLDER
    last = _manifest(last_site / FOLDER) if last_site is not None else {}
    said = PageTexts(cache_dir)
    digests, fresh = {}, []
    for shard in shards:
        digests[shard.folder] = digest = _digest(site, shard, said)
        if last.get(shard.folder) != digest or not _link_shard(last_site / FOLDER, bundle, shard.folder, last):
            fresh.append(shard)
    said.save()
    views = site / VIEWS
    try:
        _run_pagefind(site, bundle, fresh, views)
    finally:
        shutil.rmtree(views, ignore_errors=True)
    (bundle / MANIFEST).write_text(json.dumps({"shards": digests}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return [shard.folder for shard in fresh]


def _digest(site: Path, shard: Shard, said: PageTexts) -> str:
    """What a shard's index is made from: Pagefind, how it is run, and what its pages say."""
    digest = hashlib.sha256(json.dumps([_versions(), _options(), shard.folder]).encode())
    for page in shard.pages:
        digest.update(page.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(said.digest(site, page))
    return digest.hexdigest()


class PageTexts:
    """A digest of what each page says as Pagefind reads it, kept in the cache under the file
    it was read from (inode, size, mtime): the pages of a site that are links to the last
    site's files, unchanged since, are not read again."""

    FILE = "search-pages.pickle"
    VERSION = "page-texts-1"  # bump when `searched_part` changes

    def __init__(self, cache_dir: Path | None) -> None:
        self.path = cache_dir / self.FILE if cache_dir is not None else None
        found = read_pickle(self.path, remember=False) if self.path is not None else None
        ok = isinstance(found, tuple) and len(found) == 2 and found[0] == self.VERSION
        self.known: dict[str, tuple[tuple[int, int, int], bytes]] = found[1] if ok else {}
        self.now: dict[str, tuple[tuple[int, int, int], bytes]] = {}

    def digest(self, site: Path, page: str) -> bytes:
        path = site / page
        stat = os.stat(path)
        identity = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        known = self.known.get(page)
        if known is not None and known[0] == identity:
            digest = known[1]
        else:
            digest = hashlib.sha256(searched_part(path.read_bytes())).digest()
        self.now[page] = (identity, digest)
        return digest

    def save(self) -> None:
        if self.path is not None:
            write_pickle(self.path, (self.VERSION, self.now), remember=False)


_SCRIPT = re.compile(rb"<script\b[^>]*>.*?</script\s*>", re.S | re.I)
_LEFT_OUT = re.compile(rb"<([a-zA-Z][\w-]*)\b[^>]*?\s" + LEFT_OUT_MARK.encode() + rb"(?=[\s/>=])[^>]*>")
_VOID = frozenset(b"area base br col embed hr img input link meta source track wbr".split())


def searched_part(html: bytes) -> bytes:
    """A page as far as Pagefind reads it, for a digest: without its scripts, and without each
    element marked data-search-exclude up to its end tag (the nested ones of its name counted,
    as a parser closes them). Where no end is found the rest is kept: a digest may cover more
    than Pagefind indexes, never less."""
    html = _SCRIPT.sub(b"", html)
    kept, position = [], 0
    while (found := _LEFT_OUT.search(html, position)) is not None:
        kept.append(html[position:found.start()])
        name = found.group(1).lower()
        end = found.end() if name in _VOID else _end_of(html, name, found.end())
        if end is None:
            return b"".join(kept) + html[found.start():]
        position = end
    kept.append(html[position:])
    return b"".join(kept)


def _end_of(html: bytes, name: bytes, start: int) -> int | None:
    depth = 1
    for tag in _tags_named(name).finditer(html, start):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            close = html.find(b">", tag.end() - 1)
            return None if close < 0 else close + 1
    return None


@functools.lru_cache(maxsize=64)
def _tags_named(name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"<(/?)" + re.escape(name) + rb"(?=[\s/>])", re.I)


def _versions() -> list[str]:
    found = []
    for name in ("pagefind", "pagefind-bin"):
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} -")
    return found


def _options() -> list[str]:
    return ["--root-selector", CONTENT, "--exclude-selectors", LEFT_OUT, f"--include-characters={WORD_CHARACTERS}"]


def _manifest(bundle: Path) -> dict[str, str]:
    try:
        shards = json.loads((bundle / MANIFEST).read_text(encoding="utf-8"))["shards"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return shards if isinstance(shards, dict) else {}


def _link_shard(last: Path, bundle: Path, folder: str, shards: dict[str, str]) -> bool:
    """The last site's index of a shard linked into `bundle`: a shard's folder, or the first
    shard's files (those of FOLDER that are not another shard's folder or the manifest).
    False where it cannot be (a file gone, no links): the shard is indexed again."""
    source = last / folder if folder else last
    try:
        for root, folders, files in os.walk(source):
            if not folder and root == str(source):
                folders[:] = [name for name in folders if name not in shards]
                files = [name for name in files if name != MANIFEST]
            for name in files:
                path = Path(root, name)
                if not link_from(path, bundle / folder / path.relative_to(source)):
                    return False
    except (OSError, ValueError):
        return False
    return _complete(bundle / folder, folder)


def _run_pagefind(site: Path, bundle: Path, shards: list[Shard], views: Path) -> None:
    """Pagefind on each shard's pages, as many at once as there are cores."""
    pending = list(shards)
    running: list[tuple[Shard, subprocess.Popen]] = []
    try:
        while pending or running:
            while pending and len(running) < (os.cpu_count() or 1):
                shard = pending.pop(0)
                command = [*_pagefind(), *_chosen(site, shard, views), "--output-path", str(bundle / shard.folder),
                           *_options(), "--silent"]
                try:
                    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                except OSError as error:
                    raise BuildError(f"Pagefind could not index the site: {error}") from None
                running.append((shard, process))
            shard, process = running.pop(0)
            try:
                out, err = process.communicate(timeout=1800)
            except subprocess.TimeoutExpired as error:
                running.append((shard, process))
                raise BuildError(f"Pagefind could not index the site: {error}") from None
            _tidy(bundle / shard.folder, shard.folder, process.returncode, out, err)
    finally:
        for _, process in running:
            process.kill()
            process.wait()


_PLAIN_PATH = re.compile(r"[\w./ -]+")  # letters, digits and these only: none means anything in Pagefind's globs (wax)
MAX_GLOB = 96 * 1024  # bytes of one --glob argument (Linux takes 128 KiB in one)


def _chosen(site: Path, shard: Shard, views: Path) -> list[str]:
    """Pagefind's arguments that have it read the shard's pages: a --glob naming each of them
    in the site; where a path has a glob's own characters, or the list is too long for one
    argument, the pages linked into a folder of their own under their site paths (a
    folder costs a quarter of a millisecond to make, and a shard has hundreds)."""
    glob = "{" + ",".join(shard.pages) + "}"
    if all(_PLAIN_PATH.fullmatch(page) for page in shard.pages) and len(glob.encode()) <= MAX_GLOB:
        return ["--site", str(site), "--glob", glob]
    view = views / (shard.folder or "first")
    view.mkdir(parents=True, exist_ok=True)
    for page in shard.pages:
        if not link_from(site / page, view / page):
            shutil.copyfile(site / page, view / page)
    return ["--site", str(view)]


def _complete(output: Path, folder: str) -> bool:
    """Pagefind wrote the shard's bundle: pagefind.js for the first (the page loads it), the
    entry file for the others (their pagefind.js is removed by `_tidy`)."""
    return (output / ("pagefind-entry.json" if folder else "pagefind.js")).is_file()


def _tidy(output: Path, folder: str, status: int, out: str, err: str) -> None:
    """A shard's bundle checked, and what no reader fetches taken out: Pagefind's own search
    UIs (the journal keeps Material's search box), and in the shards after the first their
    script and WebAssembly (a merged index uses the first one's)."""
    if status != 0 or not _complete(output, folder):
        message = (err or out).strip().splitlines()[-1:] or [f"exit status {status}"]
        raise BuildError(f"Pagefind could not index the site: {message[0]}")
    for name in UNUSED if not folder else (*UNUSED, "pagefind.js", "pagefind-worker.js"):
        (output / name).unlink(missing_ok=True)
    if folder:
        for wasm in output.glob("wasm.*.pagefind"):
            wasm.unlink()
