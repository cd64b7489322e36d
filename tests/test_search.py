"""Search that stays light: Material's index for small journals, Pagefind's chunked one for
large ones (`search: auto`), model IDs found whole either way."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from conftest import REPO
from mljournal import search
from mljournal.errors import BuildError
from mljournal.settings import SettingsError


def pagefind_project(tmp_path):
    """The sample journal, set to `search: pagefind`."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "journal", root / "journal")
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("  - journal:\n", "  - journal:\n      search: pagefind\n", 1)
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    return root


def test_auto_chooses_pagefind_from_a_thousand_entries_when_it_is_installed(monkeypatch):
    monkeypatch.setattr(search, "installed", lambda: True)
    assert [search.search_kind("auto", n) for n in (0, 999, 1000, 10_000)] == ["material", "material", "pagefind", "pagefind"]
    assert search.search_kind("material", 10_000) == "material"
    assert search.search_kind("pagefind", 3) == "pagefind"
    assert search.search_kind("pagefind", 10_000, serving=True) == "material"  # serve changes pages in place
    monkeypatch.setattr(search, "installed", lambda: False)
    assert search.search_kind("auto", 10_000) == "material"
    with pytest.raises(SettingsError) as raised:
        search.search_kind("pagefind", 10)
    assert str(raised.value) == "search: pagefind needs Pagefind: pip install 'mljournal[pagefind]'"


def test_search_pagefind_without_pagefind_fails_the_build_naming_the_extra(tmp_path, monkeypatch, cli):
    root = pagefind_project(tmp_path)
    monkeypatch.chdir(root)
    monkeypatch.setattr(search, "installed", lambda: False)
    result = cli("build")
    assert result.exit_code == 1
    assert "search: pagefind needs Pagefind: pip install 'mljournal[pagefind]'" in result.output


def test_a_pagefind_site_has_the_chunked_index_and_an_empty_material_index(tmp_path, monkeypatch, cli):
    root = pagefind_project(tmp_path)
    monkeypatch.chdir(root)
    result = cli("build")
    assert result.exit_code == 0, result.output
    site = root / "site"
    assert (site / "pagefind" / "pagefind.js").is_file() and list((site / "pagefind" / "index").iterdir())
    assert not (site / "pagefind" / "pagefind-ui.js").exists()
    assert json.loads((site / "search" / "search_index.json").read_text())["docs"] == []
    assert '<meta name="mljournal-search" content="pagefind">' in (site / "index.html").read_text()


def _page(words: str) -> str:
    return (f'<!doctype html><html lang="en"><head><title>{words}</title></head><body>'
            f'<article class="md-content__inner"><h1>{words}</h1><p>{words} and more</p></article></body></html>')


def _site(root, pages):
    for path, words in pages.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(_page(words), encoding="utf-8")
    return root


def _bundle(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted((site / "pagefind").rglob("*")) if p.is_file()}


def test_the_index_is_sharded_by_page_and_an_edit_indexes_only_its_shard_as_a_cold_index_would(tmp_path):
    """130 pages: two shards, each page's chosen by its path; the copies left out are in none.
    After one page changes, only its shard is indexed again (the other is linked from the last
    site), and the bundle is byte for byte the one indexing the new site from nothing gives."""
    pages = {f"models/m-{n}/index.html": f"model m-{n} word{n % 7}" for n in range(128)}
    pages |= {"index.html": "home", "tags/x/index.html": "copy of m-1"}
    last = _site(tmp_path / "last", pages)
    shards = search.plan_shards(last, frozenset({"tags/x/index.html"}))
    assert [shard.folder for shard in shards] == ["", "shard-01"]
    assert sorted(p for shard in shards for p in shard.pages) == sorted(set(pages) - {"tags/x/index.html"})
    assert search.index_site(last, frozenset({"tags/x/index.html"})) == ["", "shard-01"]
    assert json.loads((last / "pagefind" / "shards.json").read_text())["shards"].keys() == {"", "shard-01"}
    assert not (last / "pagefind" / "shard-01" / "pagefind.js").exists()  # the first shard's script serves all
    assert not (last / search.VIEWS).exists()

    edited = "models/m-5/index.html"
    changed = next(shard.folder for shard in shards if edited in shard.pages)
    new = _site(tmp_path / "new", {**pages, edited: "model m-5 now with dropout"})
    assert search.index_site(new, frozenset({"tags/x/index.html"}), last_site=last) == [changed]
    unchanged = next(shard.folder for shard in shards if shard.folder != changed)
    entry = "pagefind-entry.json" if unchanged else "pagefind.js"
    assert (new / "pagefind" / unchanged / entry).stat().st_ino == (last / "pagefind" / unchanged / entry).stat().st_ino
    cold = _site(tmp_path / "cold", {**pages, edited: "model m-5 now with dropout"})
    search.index_site(cold, frozenset({"tags/x/index.html"}))
    assert _bundle(new) == _bundle(cold)
    again = _site(tmp_path / "again", {**pages, edited: "model m-5 now with dropout"})
    assert search.index_site(again, frozenset({"tags/x/index.html"}), last_site=new) == []  # nothing changed
    assert _bundle(again) == _bundle(cold)


def _page_count(site):
    return json.loads((site / "pagefind" / "pagefind-entry.json").read_text())["languages"]["en"]["page_count"]


def test_pagefind_is_given_a_shards_pages_by_a_glob_or_where_a_glob_cannot_name_them_as_a_folder_of_their_own(
        tmp_path, monkeypatch):
    """A glob naming each page of the shard in the site (no folder of links to make), which
    indexes what the pages linked into a folder of their own index, byte for byte; paths with
    a glob's own characters, and lists too long for one argument, are given the folder."""
    pages = {f"models/m-{n}/index.html": f"model m-{n}" for n in range(5)} | {"index.html": "home"}
    by_glob = _site(tmp_path / "glob", pages)
    assert search._chosen(by_glob, search.plan_shards(by_glob)[0], by_glob / search.VIEWS)[2] == "--glob"
    search.index_site(by_glob)
    monkeypatch.setattr(search, "MAX_GLOB", 10)
    by_folder = _site(tmp_path / "folder", pages)
    assert search._chosen(by_folder, search.plan_shards(by_folder)[0], tmp_path / "views") == ["--site", str(tmp_path / "views" / "first")]
    search.index_site(by_folder)
    assert _bundle(by_glob) == _bundle(by_folder) and _page_count(by_glob) == 6
    monkeypatch.undo()
    odd = _site(tmp_path / "odd", {"tags/a,b/index.html": "comma", "tags/{x}/index.html": "braces",
                                   "tags/[y]*/index.html": "class and star", "index.html": "home"})
    assert search._chosen(odd, search.plan_shards(odd)[0], tmp_path / "views2")[0:2] == ["--site", str(tmp_path / "views2" / "first")]
    search.index_site(odd)
    assert _page_count(odd) == 4 and not (odd / search.VIEWS).exists()


def test_a_failing_pagefind_fails_the_build_with_its_last_line(tmp_path, monkeypatch):
    site = _site(tmp_path / "site", {"index.html": "home"})
    monkeypatch.setattr(search, "_pagefind", lambda: [sys.executable, "-c", "import sys; sys.exit('Error: out of disk')"])
    with pytest.raises(BuildError) as raised:
        search.index_site(site)
    assert str(raised.value) == "Pagefind could not index the site: Error: out of disk"
    assert not (site / search.VIEWS).exists()


def test_a_large_site_is_indexed_in_at_most_four_shards(tmp_path):
    """Past four, each shard merged in the browser costs its own chunk of the words typed, and
    the first results cost more than one index's (see MAX_SHARDS)."""
    site = _site(tmp_path / "site", {f"timeline/{n}/index.html": "x" for n in range(1000)})
    assert [shard.folder for shard in search.plan_shards(site)] == ["", "shard-01", "shard-02", "shard-03"]
    assert [len(shard.pages) for shard in search.plan_shards(site)] == [287, 253, 229, 231]


def test_what_a_page_says_to_pagefind_leaves_out_its_scripts_and_each_element_marked_left_out():
    page = (b'<p>kept</p><script>var x = "<div>";</script><div class="a" data-search-exclude><div>in</div>'
            b'<div>also in</div></div><p>after</p><img data-search-exclude src="x.png"><ul data-search-exclude>'
            b'<li>open to the end')
    assert search.searched_part(page) == b'<p>kept</p><p>after</p><ul data-search-exclude><li>open to the end'
    assert search.searched_part(b'<DIV data-search-exclude>x</DIV>y<div data-search-excluded>z</div>') == (
        b'y<div data-search-excluded>z</div>')  # another attribute is not the mark


def test_an_edit_pagefind_does_not_read_indexes_nothing_and_a_page_linked_unchanged_is_not_read_again(
        tmp_path, monkeypatch):
    """A change inside a copy marked data-search-exclude (a model page's card of an entry the
    timeline indexes) or a script leaves every shard as it was; the pages linked from the last
    site unchanged are known by their file, not read again."""
    pages = {f"models/m-{n}/index.html": f"model m-{n} word{n % 7}" for n in range(128)}
    last = _site(tmp_path / "last", pages)
    cache = tmp_path / "cache"
    search.index_site(last, cache_dir=cache)
    new = tmp_path / "new"
    for page in pages:
        (new / page).parent.mkdir(parents=True, exist_ok=True)
        os.link(last / page, new / page)
    edited = new / "models/m-5/index.html"
    edited.unlink()
    edited.write_text(_page("model m-5 word5").replace(
        "</article>", '<div data-search-exclude>a copy, now edited</div><script>draw()</script></article>'))
    read = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: read.append(path.as_posix()) or real(path))
    assert search.index_site(new, last_site=last, cache_dir=cache) == []
    assert [path for path in read if path.startswith(new.as_posix())] == [edited.as_posix()]
