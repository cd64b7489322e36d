"""A `journal build` that reuses earlier work (the reading caches in .cache/, rendered
entries, plots, thumbnails, the up-to-date stamp) writes the same site, byte for byte, as a
cold build of the same inputs: after each kind of edit (as test_live does for serve)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO
from mljournal.cli import main


def journal_build(root: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["build"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def files_of(site: Path) -> dict[str, bytes | None]:
    """Each file's bytes, and each folder (None): a build must not leave the last site's folders empty."""
    return {p.relative_to(site).as_posix(): p.read_bytes() if p.is_file() else None for p in sorted(site.rglob("*"))}


def entry_of(root: Path, name: str) -> Path:
    return next((root / "journal" / "entries").rglob(name))


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _upgrade(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The package upgraded: another version installed over the one that filled .cache/."""
    import mljournal
    from mljournal import cache
    from mljournal.commands import stamp

    monkeypatch.setattr(mljournal, "__version__", "9.9.9")
    cache._versions.cache_clear()
    real = stamp.package_versions
    monkeypatch.setattr(stamp, "package_versions", lambda: {**real(), "mljournal": "9.9.9"})


def _new_screenshot(root: Path, mp: pytest.MonkeyPatch) -> None:
    from PIL import Image

    Image.new("RGB", (900, 300), (10, 200, 30)).save(root / "journal/runs/mlp-3/confusion_matrix.png")


EDITS = {
    "an entry edited": lambda root, mp: entry_of(root, "2026-10-08-mlp-5.md").open("a").write("\nAlso see hgb-2.\n"),
    "an entry added": lambda root, mp: (root / "journal/entries/2026-11/2026-11-21-mlp-3-late.md").write_text(
        "---\ndate: 2026-11-21 09:00\nmodel: mlp-3\ntags: [late]\n---\n## Conclusion\nStill the best MLP.\n"),
    "an entry removed": lambda root, mp: entry_of(root, "2026-10-08-mlp-5.md").unlink(),
    "an entry renamed": lambda root, mp: entry_of(root, "2026-10-08-mlp-5.md").rename(
        entry_of(root, "2026-10-08-mlp-5.md").with_name("2026-10-08-mlp-5-deeper.md")),
    "a run growing": lambda root, mp: (root / "journal/runs/mlp-3/metrics.jsonl").open("a").write(
        '{"step": 9999, "train_loss": 0.01, "val_loss": 0.2, "val_acc": 0.99}\n'),
    "a screenshot replaced": _new_screenshot,  # an entry shows it: its cards on other pages change too
    "a correction added": lambda root, mp: (root / "journal/entries/2026-11/2026-11-22-mlp-5-fix.md").write_text(
        "---\ndate: 2026-11-22 09:00\nmodel: mlp-5\ncorrects: 2026-10-08-mlp-5\n---\nThe depth was 3, not 4.\n"),
    "an entry moved to another month": lambda root, mp: _replace(entry_of(root, "2026-10-08-mlp-5.md"), "date: 2026-10-08",
                                                                 "date: 2026-11-02"),
    "a parent changed": lambda root, mp: _replace(entry_of(root, "2026-10-08-mlp-5.md"), "parent: mlp-3",
                                                  "parent: mlp-2"),
    "a setting changed": lambda root, mp: _replace(root / "mkdocs.yml", "site_name: Digits journal",
                                                   "site_name: Digit experiments"),
    "the package upgraded": _upgrade,
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_build_after_an_edit_writes_what_a_cold_build_of_the_same_inputs_writes(tmp_path, monkeypatch, edit):
    warm = tmp_path / "warm"
    shutil.copytree(REPO / "journal", warm / "journal")
    shutil.copy(REPO / "mkdocs.yml", warm / "mkdocs.yml")
    journal_build(warm, monkeypatch)
    before = files_of(warm / "site")
    EDITS[edit](warm, monkeypatch)
    output = journal_build(warm, monkeypatch)
    assert "Up to date" not in output, "the edit must be seen"
    cold = tmp_path / "cold"
    shutil.copytree(warm / "journal", cold / "journal")
    shutil.copy(warm / "mkdocs.yml", cold / "mkdocs.yml")
    journal_build(cold, monkeypatch)
    after, fresh = files_of(warm / "site"), files_of(cold / "site")
    assert sorted(after) == sorted(fresh)
    assert [name for name in fresh if after[name] != fresh[name]] == []
    if edit != "the package upgraded":
        assert any(before.get(name) != data for name, data in fresh.items()), "the edit changed nothing"


def test_a_folder_of_the_last_site_that_the_next_has_a_file_in_place_of_or_nothing_in_is_as_a_cold_build_leaves_it(
        tmp_path, monkeypatch):
    """The next build makes the last site's folders before its files are written (output.FoldersAhead)."""
    warm = tmp_path / "warm"
    shutil.copytree(REPO / "journal", warm / "journal")
    shutil.copy(REPO / "mkdocs.yml", warm / "mkdocs.yml")
    (warm / "journal/about.md").write_text("# About\n", encoding="utf-8")
    (warm / "journal/old").mkdir()
    (warm / "journal/old/notes.md").write_text("# Notes\n", encoding="utf-8")
    journal_build(warm, monkeypatch)
    assert (warm / "site/about/index.html").is_file() and (warm / "site/old/notes/index.html").is_file()
    (warm / "journal/about.md").unlink()
    (warm / "journal/about").write_text("plain text now\n", encoding="utf-8")
    shutil.rmtree(warm / "journal/old")
    journal_build(warm, monkeypatch)
    cold = tmp_path / "cold"
    shutil.copytree(warm / "journal", cold / "journal")
    shutil.copy(warm / "mkdocs.yml", cold / "mkdocs.yml")
    journal_build(cold, monkeypatch)
    assert (warm / "site/about").read_text(encoding="utf-8") == "plain text now\n"
    assert not (warm / "site/old").exists()
    after, fresh = files_of(warm / "site"), files_of(cold / "site")
    assert sorted(after) == sorted(fresh) and [name for name in fresh if after[name] != fresh[name]] == []


def test_a_forced_build_after_the_journal_adds_a_theme_feature_writes_every_page_anew(tmp_path, monkeypatch):
    """A feature the plugin adds for its pages is not in mkdocs.yml: an editable install edited
    keeps the package's version, so `--force` is how its author rebuilds, and no page may be
    reused from before."""
    shutil.copytree(REPO / "journal", tmp_path / "journal")
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    journal_build(tmp_path, monkeypatch)
    monkeypatch.setattr("mljournal.engines.THEME_FEATURES", ("content.lazy", "navigation.footer"))
    result = CliRunner().invoke(main, ["build", "--force"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    pages = [p for p in (tmp_path / "site").rglob("index.html")]
    assert len(pages) > 40
    assert [p for p in pages if b'"navigation.footer"' not in p.read_bytes()] == []


def test_pages_are_reused_only_with_the_plugins_known_to_do_nothing_else_per_page(tmp_path):
    import mkdocs.commands.build as mkdocs_build

    from mljournal.engines.mkdocs.page_cache import reusing_pages

    class Config:
        def __init__(self, plugins):
            self.plugins = dict.fromkeys(plugins)

    original = mkdocs_build._build_page
    with reusing_pages(Config(["search", "journal"]), tmp_path):
        assert mkdocs_build._build_page is not original
    assert mkdocs_build._build_page is original
    with reusing_pages(Config(["search", "journal", "material/tags"]), tmp_path):
        assert mkdocs_build._build_page is original  # another plugin may read or change any page
    with reusing_pages(Config(["search", "journal"]), None):
        assert mkdocs_build._build_page is original


def test_after_one_edit_a_build_renders_only_the_pages_of_what_the_edit_touches(tmp_path, monkeypatch):
    """The pages of the edited entry's model, of the models it mentions (hgb-2 now), of its tags and
    of its month; the other models', tags' and months' pages come from the last build's render."""
    from mljournal.index import load_journal
    from mljournal.project import load_project
    from mljournal.rendering.changes import PREVIOUS_FILE, Outline, affected, outline_of

    import pickle

    root = tmp_path / "warm"
    shutil.copytree(REPO / "journal", root / "journal")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    journal_build(root, monkeypatch)
    project = load_project(root / "mkdocs.yml")
    with open(project.settings.cache_dir / PREVIOUS_FILE, "rb") as handle:
        previous: Outline = pickle.load(handle)[1]  # (set-up, outline, pages, …)
    EDITS["an entry edited"](root, monkeypatch)
    found = affected(previous, outline_of(load_journal(project.settings, root)))
    assert found is not None
    assert (found.entries, found.models, found.tags, found.months) == (
        {"2026-10/2026-10-08-mlp-5"}, {"mlp-5", "mlp-3", "mlp-2", "hgb-2"}, {"mlp", "depth", "regularisation"}, {"2026-10"})


def test_an_icon_overridden_in_the_custom_dir_is_on_every_page_the_next_build_writes(tmp_path, monkeypatch):
    """Pages are reused by a key that passes over the theme's own 14,000 icons (its version
    covers them), but not over the author's custom_dir: an icon put there reaches every page."""
    for root in (tmp_path / "warm", tmp_path / "cold"):
        shutil.copytree(REPO / "journal", root / "journal")
        config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
        assert "\ntheme:\n  name: material\n" in config
        (root / "mkdocs.yml").write_text(config.replace("\ntheme:\n  name: material\n",
                                                        "\ntheme:\n  name: material\n  custom_dir: overrides\n"))
        (root / "overrides").mkdir()
    warm = tmp_path / "warm"
    journal_build(warm, monkeypatch)
    icon = '<svg viewBox="0 0 24 24"><path d="M1 1h22v22H1z" data-mark="own-magnify"/></svg>'
    for root in (warm, tmp_path / "cold"):
        (root / "overrides/.icons/material").mkdir(parents=True)
        (root / "overrides/.icons/material/magnify.svg").write_text(icon)
    assert "Up to date" not in journal_build(warm, monkeypatch)
    journal_build(tmp_path / "cold", monkeypatch)
    after, fresh = files_of(warm / "site"), files_of(tmp_path / "cold" / "site")
    assert [name for name in fresh if after.get(name) != fresh[name]] == []
    assert b"own-magnify" in after["index.html"]
