"""The conclusion table's data: exports read back as the index says, the Atom feed, the
lineage map's numbers, and the table's order and markup (its script: test_browser.py)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ElementTree
from datetime import datetime

import pytest

from conftest import REPO

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    from mljournal.index import load_journal
    from mljournal.project import load_project

    project = load_project(REPO / "mkdocs.yml")
    settings = project.settings.__class__(**{**project.settings.__dict__, "cache_dir": tmp_path_factory.mktemp("c")})
    return load_journal(settings, REPO)


def test_the_csv_export_reads_back_as_the_index_in_excel_and_libreoffice_encoding(sample_site, index):
    from mljournal.rendering.pages.conclusions import by_family, key_metrics

    data = (sample_site / "conclusions.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the byte-order mark: spreadsheets read it as UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    models = by_family(index)
    assert [r["id"] for r in rows] == [m.id for m in models] and len(rows) == 19
    table = key_metrics(index)
    for row, model in zip(rows, models):
        assert row["family"] == model.family and row["parent"] == (model.parent or "")
        assert row["status"] == (model.status or "") and row["tags"] == "; ".join(model.tags)
        assert row["last"] == model.last.date().isoformat()
        for metric in table.metrics:
            best = table.bests.get(model.id, {}).get(metric)
            assert row[metric] == (repr(best[1]) if best else "") and row[f"{metric} step"] == (str(best[0]) if best else "")
    hgb4 = next(r for r in rows if r["id"] == "hgb-4")
    assert "決定木" in hgb4["hypothesis"] or any("\u3040" <= ch <= "\u30ff" for ch in hgb4["hypothesis"])  # Japanese intact
    assert "<" not in "".join(r["conclusion"] for r in rows)  # plain text, not HTML


def test_the_json_export_is_the_same_rows(sample_site):
    document = json.loads((sample_site / "conclusions.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO((sample_site / "conclusions.csv").read_bytes().decode("utf-8-sig"))))
    assert document["key_metrics"] == ["val_acc", "val_loss"] and document["goals"] == {"val_acc": "max", "val_loss": "min"}
    assert [m["id"] for m in document["models"]] == [r["id"] for r in rows]
    assert all(isinstance(m["tags"], list) for m in document["models"])


def test_a_text_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text(project):
    from mljournal.rendering.exports import _cell

    assert _cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert _cell("-1 point") == "'-1 point" and _cell(-1.5) == "-1.5" and _cell("fine") == "fine"


def test_the_feed_is_atom_with_the_newest_entries_and_absolute_links(sample_site, index):
    feed = ElementTree.fromstring((sample_site / "feed.xml").read_bytes())
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == "https://journal.example.org/"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "https://journal.example.org/feed.xml"
    entries = feed.findall(f"{ATOM}entry")
    newest = sorted(index.entries, key=lambda en: (en.date, en.key), reverse=True)[:50]
    assert len(entries) == len(newest) == min(50, len(index.entries))
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    for element, entry in zip(entries, newest):
        assert element.findtext(f"{ATOM}id").startswith("https://journal.example.org/timeline/")
        assert element.findtext(f"{ATOM}id").endswith("#" + entry.anchor)
        assert datetime.fromisoformat(element.findtext(f"{ATOM}updated").replace("Z", "+00:00")) == entry.date
        assert element.findtext(f"{ATOM}title").startswith(f"{entry.date.date().isoformat()} {', '.join(entry.models)}")
        content = element.findtext(f"{ATOM}content")
        assert "mljournal-root:" not in content and 'href="https://journal.example.org/models/' in content
    assert feed.findtext(f"{ATOM}updated") == entries[0].findtext(f"{ATOM}updated")
    head = (sample_site / "models" / "mlp-3" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml" title="Digits journal" href="../../feed.xml">' in head


def test_without_site_url_the_build_warns_once_and_writes_no_feed(project, cli):
    from conftest import MINIMAL_CONFIG

    project.config(MINIMAL_CONFIG.replace("site_url: https://journal.example.org/\n", ""))
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nhi\n")
    result = cli("build")
    assert result.exit_code == 0
    assert result.output.count("warning: no Atom feed: set site_url in mkdocs.yml") == 1
    assert not (project.root / "site" / "feed.xml").exists() and (project.root / "site" / "conclusions.csv").exists()


def test_the_lineage_shows_each_models_value_its_change_from_its_parent_and_what_changed(sample_site, index):
    import re

    from mljournal.reading.runs import changed_params
    from mljournal.rendering.pages.conclusions import key_metrics

    page = (sample_site / "models" / "index.html").read_text(encoding="utf-8")
    table = key_metrics(index)
    # mlp-4's own line: up to its children's list
    node = re.search(r'<li><a class="mj-model" href="\.\./models/mlp-4/">mlp-4</a>.*?(?=<ul>|</li>)', page, re.S).group(0)
    ours, theirs = table.bests["mlp-4"]["val_acc"][1], table.bests["mlp-2"]["val_acc"][1]
    delta = ours - theirs
    # mlp-4 is marked buggy: its number is shown, struck through, as on the home table
    better = delta > 0  # val_acc: higher is better
    step = table.bests["mlp-4"]["val_acc"][0]
    assert (f'<span class="mj-value mj-untrusted mj-delta--{"better" if better else "worse"}" '
            f'title="best val_acc, at step {step}; {"better" if better else "worse"} than mlp-2: {theirs:#.4g}">'
            f'{ours:#.4g} {"↑ +" if delta > 0 else "↓ −"}{abs(delta):#.4g}</span>') in node  # four significant digits
    changes = changed_params(index.models["mlp-4"].run, index.models["mlp-2"].run)
    assert [c.name for c in changes] == ["shift_aug"]
    assert "<code>shift_aug: false → true</code>" in node


def test_the_table_is_grouped_by_family_latest_first_with_what_the_script_sorts_by(sample_site, index):
    import re

    from mljournal.rendering.pages.conclusions import by_family

    home = (sample_site / "index.html").read_text(encoding="utf-8")
    order = re.findall(r'<tr data-id="([^"]+)"', home)
    assert order == [m.id for m in by_family(index)]
    families = re.findall(r'<tr class="mj-family" data-family="([^"]+)"', home)
    assert families == list(dict.fromkeys(m.family for m in by_family(index)))
    assert 'data-v="0.975"' in home or re.search(r'data-v="0\.9\d+"', home)
    assert 'href="conclusions.csv" download title="this table as CSV, for spreadsheets">CSV</a>' in home


def test_a_hugging_face_and_a_tensorboard_run_join_the_samples_columns_and_overlays(tmp_path, monkeypatch, cli):
    """The real fixtures of tests/fixtures/tools/ dropped into the sample journal: HF's
    eval_accuracy / eval_loss and PyTorch TensorBoard's loss/val line up with the sample's
    val_acc / val_loss, in the home table and in the parent's dashed curves, with no warning."""
    import shutil

    from conftest import copy_sample

    copy_sample(tmp_path)
    tools = REPO / "tests" / "fixtures" / "tools"
    shutil.copytree(tools / "hf-trainer", tmp_path / "journal" / "runs" / "mlp-10")
    shutil.copytree(tools / "tensorboard-pytorch", tmp_path / "journal" / "runs" / "mlp-11")
    entries = tmp_path / "journal" / "entries" / "2026-11"
    (entries / "2026-11-21-mlp-10.md").write_text("---\ndate: 2026-11-21\nmodel: mlp-10\nparent: mlp-8\n---\nHF.\n")
    (entries / "2026-11-22-mlp-11.md").write_text("---\ndate: 2026-11-22\nmodel: mlp-11\nparent: mlp-10\n---\nTB.\n")
    monkeypatch.chdir(tmp_path)
    result = cli("build", "--strict")
    assert result.exit_code == 0, result.output
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    hf = home.split('<tr data-id="mlp-10"')[1].split("</tr>")[0]
    assert 'data-label="val_acc"' in hf and ", as eval_accuracy" in hf and ", as eval_loss" in hf
    tb = home.split('<tr data-id="mlp-11"')[1].split("</tr>")[0]
    assert ", as loss/val" in tb
    assert "Plots (dashed: parent mlp-8):" in (tmp_path / "site" / "models" / "mlp-10" / "index.html").read_text()
    assert "Plots (dashed: parent mlp-10):" in (tmp_path / "site" / "models" / "mlp-11" / "index.html").read_text()
