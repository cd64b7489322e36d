"""The same journal through every engine: MkDocs, ProperDocs (the real `properdocs build`)
and Zensical (the real `zensical build` on the pages the journal stages for it)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import REPO, copy_sample

ENGINES = ["mkdocs", "properdocs", "zensical"]


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory):
    from mljournal.index import load_journal
    from mljournal.project import load_project

    project = load_project(REPO / "mkdocs.yml")
    settings = project.settings.__class__(**{**project.settings.__dict__, "cache_dir": tmp_path_factory.mktemp("c")})
    return load_journal(settings, REPO)


def _text(site: Path, page: str) -> str:
    return (site / page / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("engine", ENGINES)
def test_home_timeline_and_model_pages_carry_every_entry_plot_and_screenshot(engine, engine_sites, sample_index):
    site = engine_sites(engine)
    home = _text(site, "")
    for model_id in sample_index.models:
        assert f'href="models/{model_id}/"' in home, model_id
    timeline = "".join(p.read_text(encoding="utf-8") for p in (site / "timeline").rglob("index.html"))
    for entry in sample_index.entries:
        assert f'id="{entry.anchor}"' in timeline, entry.key
    for model_id, model in sample_index.models.items():
        page = _text(site, f"models/{model_id}")
        for entry in model.entries:
            assert f'id="{entry.anchor}"' in page, (model_id, entry.key)
        if model.run and model.run.metrics:
            plot = re.search(r'<img src="(\.\./\.\./assets/plots/[^"]+\.svg)"', page)
            assert plot and (site / "models" / model_id / plot.group(1)).resolve().is_file(), model_id
        for shot in model.run.screenshots if model.run else []:
            assert f"runs/{model_id}/{quote(shot.name)}" in page, (model_id, shot.name)
            assert (site / "runs" / model_id / shot.name).is_file()


@pytest.mark.parametrize("engine", ENGINES)
def test_nothing_but_rendered_images_leaves_the_entries_and_runs_folders(engine, engine_sites):
    site = engine_sites(engine)
    published = [p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()]
    assert not [p for p in published if p.startswith("entries/")]
    leaked = [p for p in published if p.startswith("runs/") and not p.endswith((".png", ".jpg", ".svg", ".gif", ".webp"))]
    assert leaked == []
    assert not [p for p in published if p.endswith(".md")]


def test_properdocs_build_gives_the_same_site_as_mkdocs(engine_sites):
    """Byte for byte, but for the generator's name in each page's <meta name="generator">."""
    mkdocs, properdocs = engine_sites("mkdocs"), engine_sites("properdocs")
    files = sorted(p.relative_to(mkdocs).as_posix() for p in mkdocs.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(properdocs).as_posix() for p in properdocs.rglob("*") if p.is_file())
    generator = re.compile(rb'<meta name="generator" content="[^"]*">')
    differ = [f for f in files
              if generator.sub(b"", (mkdocs / f).read_bytes()) != generator.sub(b"", (properdocs / f).read_bytes())]
    assert differ == []
    assert b"ProperDocs" in (properdocs / "index.html").read_bytes()


def test_zensical_search_is_its_own_and_indexes_the_entries(engine_sites):
    import json

    site = engine_sites("zensical")
    index = json.loads((site / "search.json").read_text(encoding="utf-8"))
    texts = " ".join(item["text"] for item in index["items"])
    assert "Depth doesn" in texts  # a conclusion of mlp-3, on its timeline page
    locations = {item["location"].split("#")[0] for item in index["items"]}
    assert "models/mlp-3/" in locations and "timeline/2026-10/" in locations
    assert not any(loc.startswith("timeline/") and loc.count("/") == 1 for loc in locations)  # newest-page copy


def test_zensical_rebuild_writes_only_what_changed_into_its_staging_folder(tmp_path, monkeypatch, cli):
    config = copy_sample(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert cli("build", "--engine", "zensical").exit_code == 0
    docs = tmp_path / ".cache" / "mljournal" / "zensical" / "docs"
    before = {p: p.stat().st_mtime_ns for p in docs.rglob("*") if p.is_file()}
    entry = tmp_path / "journal" / "entries" / "2026-10" / "2026-10-01-mlp-3.md"
    entry.write_text(entry.read_text(encoding="utf-8") + "\nA line added by the test.\n", encoding="utf-8")
    result = cli("build", "--engine", "zensical")
    assert result.exit_code == 0, result.output
    after = {p: p.stat().st_mtime_ns for p in docs.rglob("*") if p.is_file()}
    rewritten = sorted(p.relative_to(docs).as_posix() for p in after if before.get(p) != after[p])
    assert "models/mlp-3.md" in rewritten and len(rewritten) < 10, rewritten
    assert "A line added by the test." in (docs / "models" / "mlp-3.md").read_text(), result.output
    assert "A line added by the test." in (tmp_path / "site" / "models" / "mlp-3" / "index.html").read_text()
    assert config.read_text() == (REPO / "mkdocs.yml").read_text()  # the author's config untouched


def test_zensical_gets_the_authors_markdown_extensions_tags_and_all(project, cli, monkeypatch):
    """`!!python/name:` (Material's emoji set-up) and `!ENV` in mkdocs.yml reach Zensical's
    config as they were written, and the journal's own rendering of entries loads them too."""
    from conftest import MINIMAL_CONFIG

    project.config(MINIMAL_CONFIG.replace("  - journal\n", "  - journal:\n      runs: !ENV [RUNS_FOLDER, runs]\n")
                   + "  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
                     "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n")
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nIt works :smile:\n")
    (project.root / "journal" / "about.md").write_text("# About\n\nAn author's page :rocket:\n")
    monkeypatch.setenv("RUNS_FOLDER", "experiments")
    project.run_file("../experiments/a-1", "metrics.csv", "step,loss\n1,0.5\n")
    result = cli("build", "--engine", "zensical", "--strict")
    assert result.exit_code == 0, result.output
    derived = (project.root / ".cache" / "mljournal" / "zensical" / "mkdocs.yml").read_text()
    assert "emoji_index: !!python/name:material.extensions.emoji.twemoji" in derived
    page = (project.root / "site" / "models" / "a-1" / "index.html").read_text()
    assert "twemoji" in page and "It works :smile:" not in page and "loss" in page
    assert "twemoji" in (project.root / "site" / "about" / "index.html").read_text()


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_mounts_code_blocks_as_they_scroll_in(engine, engine_sites):
    """Material's `content.lazy`, after the author's features: mounting every code block at load
    held a phone's main thread for a quarter of a second on a model page."""
    config = re.search(r'<script id="__config" type="application/json">(.*?)</script>', _text(engine_sites(engine), ""))
    features = json.loads(config.group(1))["features"]
    assert features[-1] == "content.lazy" and "navigation.tabs" in features, features
