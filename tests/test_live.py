"""`journal serve` updates the site in place: after each kind of edit, the pages it writes
must be exactly those a full build writes, so an in-place update never shows stale content."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO
from mljournal.engines.mkdocs.live import LiveSite


def built(root: Path, site: Path):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=False)
    build(config, serve_url="http://127.0.0.1:8000/")
    return config


def pages_of(site: Path) -> dict[str, str]:
    """Every page, the search index, and the compare page's data files (which the compare
    page names: a stale one would show old curves)."""
    pages = {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    pages.update({p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
                  for p in (site / "assets" / "compare").glob("*.json")})
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = sorted(index["docs"], key=lambda d: (d["location"], d["title"], d["text"]))
    pages["search"] = json.dumps(docs, sort_keys=True)
    return pages


def sample_copy(tmp_path: Path) -> Path:
    """The sample journal and its mkdocs.yml, copied to edit."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "journal", root / "journal")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


def against_a_full_build(root: Path, tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    """The pages the live site (tmp_path/live) shows differently from a full build (made into
    tmp_path/full), and that build's pages."""
    built(root, tmp_path / "full")
    after, full = pages_of(tmp_path / "live"), pages_of(tmp_path / "full")
    return [name for name in full if after.get(name) != full[name]], full


def entry_of(root: Path, name: str) -> Path:
    return next((root / "journal" / "entries").rglob(name))


EDITS = {
    "entry text": lambda root: entry_of(root, "2026-10-08-mlp-5.md").open("a").write("\nAlso see hgb-2 here.\n"),
    "entry status and tags": lambda root: _replace(entry_of(root, "2026-10-08-mlp-5.md"),
                                                   "tags: [mlp, depth, regularisation]\nstatus: done",
                                                   "tags: [mlp, augmentation]\nstatus: abandoned"),
    "a new entry on an existing model": lambda root: (root / "journal/entries/2026-11/2026-11-20-mlp-3-late.md").write_text(
        "---\ndate: 2026-11-20 09:00\nmodel: mlp-3\n---\n## Conclusion\nStill the best MLP; mlp-9 agrees.\n"),
    "a correction": lambda root: (root / "journal/entries/2026-11/2026-11-20-fix.md").write_text(
        "---\ndate: 2026-11-20 10:00\nmodel: mlp-6\ncorrects: 2026-10-08-mlp-5\n---\nThe decay there was 1e-3, not 1e-2.\n"),
    "a run that goes on": lambda root: (root / "journal/runs/mlp-3/metrics.jsonl").open("a").write(
        '{"step": 9999, "train_loss": 0.01, "val_loss": 0.2, "val_acc": 0.99}\n'),
}


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_in_place_update_writes_what_a_full_build_writes(tmp_path, edit):
    root = sample_copy(tmp_path)
    config = built(root, tmp_path / "live")
    live = LiveSite(config)
    before = pages_of(tmp_path / "live")
    EDITS[edit](root)
    written = live.update()
    assert written is not None, "the edit should not need a full rebuild"
    after = pages_of(tmp_path / "live")
    built(root, tmp_path / "full")
    full = pages_of(tmp_path / "full")
    assert sorted(after) == sorted(full)
    stale = [name for name in full if after[name] != full[name]]
    assert stale == []
    changed = {name for name in full if before.get(name) != full[name]}
    assert changed, "the edit changed nothing: the test would prove nothing"


def test_a_new_model_or_tag_rebuilds_everything(tmp_path):
    root = sample_copy(tmp_path)
    live = LiveSite(built(root, tmp_path / "live"))
    (root / "journal/entries/2026-11/2026-11-21-cnn-1.md").write_text("---\ndate: 2026-11-21\nmodel: cnn-1\n---\nNew.\n")
    assert live.update() is None
    live = LiveSite(built(root, tmp_path / "again"))
    _replace(entry_of(root, "2026-10-08-mlp-5.md"), "tags: [mlp, depth, regularisation]", "tags: [brand-new]")
    assert live.update() is None


def test_hiding_the_copies_from_the_search_parser_changes_neither_index_nor_pages(tmp_path, monkeypatch):
    import re

    from mljournal.engines.mkdocs import plugin

    root = sample_copy(tmp_path)
    built(root, tmp_path / "trimmed")
    monkeypatch.setattr(plugin, "_EXCLUDED", re.compile(r"(?!x)x"))  # matches nothing: the search parser sees all
    built(root, tmp_path / "whole")
    trimmed, whole = pages_of(tmp_path / "trimmed"), pages_of(tmp_path / "whole")
    assert trimmed == whole
    assert '"location":"models/mlp-3/' in (tmp_path / "whole/search/search_index.json").read_text()


def test_an_entry_that_another_links_to_appearing_updates_the_link(tmp_path):
    """A render is reused only while its links resolve as before: the waiting link must change."""
    root = sample_copy(tmp_path)
    (root / "journal/entries/2026-11/2026-11-21-mlp-3.md").write_text(
        "---\ndate: 2026-11-21 09:00\nmodel: mlp-3\n---\nSee [the rerun](2026-11-21-mlp-3-rerun.md).\n")
    live = LiveSite(built(root, tmp_path / "live"))
    (root / "journal/entries/2026-11/2026-11-21-mlp-3-rerun.md").write_text(
        "---\ndate: 2026-11-21 10:00\nmodel: mlp-3\n---\nThe rerun.\n")
    assert live.update() is not None
    stale, full = against_a_full_build(root, tmp_path)
    assert stale == []
    assert '<a href="../../timeline/2026-11/#2026-11-21-mlp-3-rerun">the rerun</a>' in full["timeline/2026-11/index.html"]


def test_a_screenshot_replaced_under_the_same_name_shows_its_new_thumbnail(tmp_path):
    from PIL import Image

    root = sample_copy(tmp_path)
    shot = root / "journal/runs/mlp-3/confusion_matrix.png"
    live = LiveSite(built(root, tmp_path / "live"))
    Image.new("RGB", (900, 300), (10, 200, 30)).save(shot)  # wider than a thumbnail: a new one is made
    assert live.update() is not None
    stale, full = against_a_full_build(root, tmp_path)
    assert stale == []


def test_a_link_to_an_entry_that_moves_is_updated_on_the_linking_entrys_model_page(tmp_path):
    root = sample_copy(tmp_path)
    (root / "journal/entries/2026-11/2026-11-21-hgb-2.md").write_text(
        "---\ndate: 2026-11-21 09:00\nmodel: hgb-2\n---\nSee [the decay entry](../2026-10/2026-10-08-mlp-5.md).\n")
    live = LiveSite(built(root, tmp_path / "live"))
    _replace(entry_of(root, "2026-10-08-mlp-5.md"), "date: 2026-10-08", "date: 2026-11-02")  # to another month
    assert live.update() is not None
    stale, full = against_a_full_build(root, tmp_path)
    assert stale == []
    assert 'href="../../timeline/2026-11/#2026-10-08-mlp-5"' in full["models/hgb-2/index.html"]


def test_a_screenshot_replaced_by_an_older_file_is_served_anew(tmp_path):
    import os

    root = sample_copy(tmp_path)
    live = LiveSite(built(root, tmp_path / "live"))
    shot = root / "journal/runs/mlp-3/confusion_matrix.png"
    from PIL import Image

    with Image.open(shot) as image:
        image.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(shot)  # another image, same dimensions
    data = shot.read_bytes()
    os.utime(shot, (shot.stat().st_mtime - 3600, shot.stat().st_mtime - 3600))  # as `cp -p` leaves it
    live.update()
    assert (tmp_path / "live/runs/mlp-3/confusion_matrix.png").read_bytes() == data


def test_an_entry_edit_copies_no_screenshot_or_plot_again(tmp_path):
    """MkDocs' copies carry the time of copying, not their source's: the first update must
    still know them for copies of unchanged sources (it used to copy every asset again)."""
    root = sample_copy(tmp_path)
    live = LiveSite(built(root, tmp_path / "live"))
    site = tmp_path / "live"
    assets = [p for folder in ("runs", "assets/plots", "assets/thumbs") for p in (site / folder).rglob("*") if p.is_file()]
    assert len(assets) > 20
    before = {p: p.stat().st_mtime_ns for p in assets}
    entry_of(root, "2026-10-08-mlp-5.md").open("a").write("\nOne more line.\n")
    assert live.update()
    assert {p: p.stat().st_mtime_ns for p in assets} == before


@pytest.mark.parametrize(("src", "dest", "ignored"), [
    ("journal/entries/.2026-10-01-a-1.md.swp", "", True),
    ("journal/entries/4913", "", True),
    ("journal/entries/2026-10-01-a-1.md~", "", True),
    ("journal/entries/.#2026-10-01-a-1.md", "", True),
    ("journal/entries/2026-10-01-a-1.md", "", False),
    ("journal/entries/.2026-10-01-a-1.md.tmp", "journal/entries/2026-10-01-a-1.md", False),  # saved by rename
])
def test_editor_debris_triggers_no_build_and_no_reload(src, dest, ignored):
    from types import SimpleNamespace

    from mljournal.engines.mkdocs.live import _only_debris

    assert _only_debris(SimpleNamespace(src_path=src, dest_path=dest)) is ignored


@pytest.mark.parametrize("edit", [edit for edit in EDITS if edit != "a run that goes on"])
def test_an_entry_edit_long_after_the_last_run_change_takes_the_runs_as_read_and_writes_what_a_full_build_writes(
        tmp_path, edit):
    """No run file changed, and the runs were read with every file at rest: the update takes
    them from the last index (the very same objects), and what was found in the text of the
    entries read again unchanged too; the pages are still a full build's."""
    import time

    root = sample_copy(tmp_path)
    config = built(root, tmp_path / "live")
    live = LiveSite(config)
    plugin = config.plugins["journal"]
    live.runs_changed_at = time.time() - 3600  # the last change under runs/ an hour before the build read them
    runs = plugin.index.runs_read.runs
    facts = plugin.index.facts
    EDITS[edit](root)
    assert live.update(runs_changed=False) is not None
    assert plugin.index.runs_read.runs is runs
    kept = [id(entry) for entry in plugin.index.entries if plugin.index.facts[id(entry)] is facts.get(id(entry))]
    assert len(kept) >= len(plugin.index.entries) - 1
    stale, _ = against_a_full_build(root, tmp_path)
    assert stale == []


def test_in_the_servers_first_minute_the_runs_read_at_an_edit_with_every_file_at_rest_are_taken_as_read_at_the_next(
        tmp_path):
    """The build's read came before the server watched the runs: the first edit reads them
    again; found all at rest then, the next edit takes them as read. A run file written
    a moment ago that ends its last line reads as it will at rest; one with an unended last
    line is not at rest: each edit reads the runs again until it is."""
    import os
    import time

    root = sample_copy(tmp_path)
    config = built(root, tmp_path / "live")
    live = LiveSite(config)
    plugin = config.plugins["journal"]
    built_read = plugin.index.runs_read
    EDITS["entry text"](root)
    assert live.update(runs_changed=False) is not None
    first = plugin.index.runs_read
    assert first is not built_read and first.at_rest
    entry_of(root, "2026-10-08-mlp-5.md").open("a").write("\nAnd mlp-3.\n")
    assert live.update(runs_changed=False) is not None
    assert plugin.index.runs_read is first
    assert against_a_full_build(root, tmp_path)[0] == []

    log = root / "journal/runs/mlp-3/metrics.jsonl"
    os.utime(log, (time.time() - 5, time.time() - 5))  # rewritten just now, as far as its mtime says
    assert live.update(runs_changed=True) is not None
    ended = plugin.index.runs_read
    assert ended is not first and ended.at_rest
    entry_of(root, "2026-10-08-mlp-5.md").open("a").write("\nAnd hgb-1.\n")
    assert live.update(runs_changed=False) is not None
    assert plugin.index.runs_read is ended

    with log.open("a") as handle:
        handle.write('{"step": 99, "loss": 0.1')  # a line being written
    os.utime(log, (time.time() - 5, time.time() - 5))
    assert live.update(runs_changed=True) is not None
    moving = plugin.index.runs_read
    assert not moving.at_rest
    entry_of(root, "2026-10-08-mlp-5.md").open("a").write("\nAnd hgb-2.\n")
    assert live.update(runs_changed=False) is not None
    assert plugin.index.runs_read is not moving


def test_a_log_whose_last_line_came_to_rest_since_the_runs_were_read_is_read_again_at_an_entry_edit(
        tmp_path, monkeypatch):
    """A run log's unended last line waits while the file may still be written, and counts once
    it is at rest: the runs read before then are not taken as read."""
    from mljournal import cache

    root = sample_copy(tmp_path)
    (root / "journal/runs/mlp-3/history.csv").write_text("epoch,momentum\n0,0.5\n1,0.9\n2,0.95")  # a Keras log, unended
    config = built(root, tmp_path / "live")
    live = LiveSite(config)
    page = tmp_path / "live/models/mlp-3/index.html"
    before = page.read_text(encoding="utf-8")
    later = cache.time.time() + 2 * cache.AT_REST_SECONDS
    monkeypatch.setattr(cache.time, "time", lambda: later)
    EDITS["entry text"](root)
    assert live.update(runs_changed=False) is not None
    assert page.read_text(encoding="utf-8") != before  # mlp-3's page: only its run's last line changed it
    stale, _ = against_a_full_build(root, tmp_path)
    assert stale == []
