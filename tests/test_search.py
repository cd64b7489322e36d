"""Search that stays light: Material's index for small journals, Pagefind's chunked one for
large ones (`search: auto`), model IDs found whole either way."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import REPO
from mljournal import search
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
