"""Reading entries: the front-matter schema and every way an entry file can be wrong."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mljournal.reading.entries import read_entries
from mljournal.settings import Settings


def read(project):
    settings = Settings(journal_dir=project.root / "journal", cache_dir=project.root / ".cache")
    entries, diagnostics = read_entries(settings, project.root)
    return entries, [str(d) for d in diagnostics]


GOOD = """\
---
date: 2026-10-03 14:20:00+02:00
model: mlp-3
parent: mlp-2
tags: [width, baseline]
status: done
---
## Hypothesis
Wider is better.
"""


def test_a_good_entry_is_read_with_every_field(project):
    project.entry("2026-10/2026-10-03-mlp-3.md", GOOD)
    (entry,), messages = read(project)
    assert messages == []
    assert entry.key == "2026-10/2026-10-03-mlp-3"
    assert entry.anchor == "2026-10-03-mlp-3"
    assert entry.date == datetime(2026, 10, 3, 14, 20, tzinfo=timezone(timedelta(hours=2)))
    assert entry.has_time
    assert entry.models == ("mlp-3",)
    assert entry.parent == "mlp-2"
    assert entry.tags == ("width", "baseline")
    assert entry.status == "done"
    assert entry.body == "## Hypothesis\nWider is better.\n"
    assert entry.body_line == 8
    assert entry.source == "journal/entries/2026-10/2026-10-03-mlp-3.md"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ndate: 2026-10-03\nmodel: a-1\n", "e.md:1: front matter is not closed: add a '---' line after the last key"),
        ("no front matter\n", "e.md:1: no front matter: an entry starts with a '---' line, then 'date:' and 'model:', "
         "then another '---' line (`journal entry ID` writes one for you)"),
        ("---\ndate: 2026-10-03\nmodel: [a-1\n---\n", "e.md:3: front matter is not valid YAML: expected ',' or ']', but got the end of the front matter"),
        ("---\n- a\n- b\n---\n", "e.md:2: front matter must be 'key: value' lines (a mapping), not a list or a single value"),
        ("---\ndate: 2026-10-03\nmodle: a-1\n---\n", "e.md:3: unknown key 'modle' (did you mean 'model'?); the keys are: "
         "date, model, parent, tags, status, corrects, commit, title"),
        ("---\ndate: 2026-10-03\nmodel: a-1\nmodel: a-2\n---\n", "e.md:4: key 'model' appears twice (also on line 3); keep one"),
        ("---\nmodel: a-1\n---\n", "e.md:1: 'date' is missing: add a 'date:' line to the front matter"),
        ("---\ndate: 2026-10-03\n---\n", "e.md:1: 'model' is missing: add a 'model:' line to the front matter"),
        ("---\ndate: 2026-10-03\nmodel:\n---\n", "e.md:3: 'model' is empty: write a model ID, or a list of them like [cnn-7, cnn-8]"),
        ("---\ndate: 2026-10-03\nmodel: ''\n---\n", "e.md:3: 'model' is empty: write a model ID, or a list of them like [cnn-7, cnn-8]"),
        ("---\ndate: 2026-10-03\nmodel: []\n---\n", "e.md:3: 'model' is empty: write a model ID, or a list of them like [cnn-7, cnn-8]"),
        ("---\ndate:\nmodel: a-1\n---\n", "e.md:2: 'date' is empty: write it as 2026-11-03 or 2026-11-03 14:20:00+01:00"),
        ("---\ndate: 2026-02-30\nmodel: a-1\n---\n", "e.md:2: date '2026-02-30' does not exist (day is out of range for month); "
         "write it as 2026-11-03 or 2026-11-03 14:20:00+01:00"),
        ("---\ndate: last tuesday\nmodel: a-1\n---\n", "e.md:2: date 'last tuesday' is not a date; write it as 2026-11-03 or "
         "2026-11-03 14:20:00+01:00"),
        ("---\ndate: 2026-10-03\nmodel: ../x\n---\n", "e.md:3: 'model': model ID '../x' contains '/'; use only letters, digits, "
         "'-', '_' and '.'"),
        ("---\ndate: 2026-10-03\nmodel: {a: 1}\n---\n", "e.md:3: 'model' must be a model ID or a list of them, not a mapping"),
        ("---\ndate: 2026-10-03\nmodel: a-1\ntags: [ok, [nested]]\n---\n", "e.md:4: 'tags' must be a list of words, like [tag-a, tag-b]"),
        ("---\ndate: 2026-10-03\nmodel: &m a-1\nparent: *m\n---\n", "e.md:4: anchors and aliases (*name) are not allowed in front matter; "
         "write the value out"),
        ("---\ndate: 2026-10-03\nmodel: !!python/object/apply:os.system [ls]\n---\n", "e.md:3: front matter is not valid YAML: could not "
         "determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'; only plain values, lists and "
         "mappings are allowed"),
        (b"", "e.md:1: entry is empty: delete it or run `journal entry ID` to write one"),
        (b"---\ndate: 2026-10-03\nmodel: a-1\n---\ncaf\xe9\n", "e.md:5: not UTF-8 text (byte 0xe9); save the file as UTF-8"),
    ],
    ids=["unterminated", "no-front-matter", "not-yaml", "not-a-mapping", "unknown-key", "duplicate-key", "missing-date",
         "missing-model", "empty-model", "empty-string-model", "empty-model-list", "empty-date", "impossible-date", "not-a-date", "path-in-id", "mapping-id", "nested-tag", "alias", "python-tag",
         "empty-file", "latin-1"],
)
def test_a_bad_entry_is_skipped_with_its_file_and_line(project, text, message):
    project.entry("e.md", text)
    project.entry("good.md", GOOD)
    entries, messages = read(project)
    assert [e.key for e in entries] == ["good"]
    assert messages == [f"journal/entries/{message}"]


def test_a_file_of_blank_lines_is_empty_too(project):
    project.entry("e.md", b"  \n\n")
    _, messages = read(project)
    assert messages == ["journal/entries/e.md:1: entry is empty: delete it or run `journal entry ID` to write one"]


def test_yaml_1_1_surprises_stay_the_strings_the_author_typed(project):
    project.entry("e.md", "---\ndate: 2026-10-03\nmodel: [no, 1e3, 0x1F, on]\nparent: 'off'\ntags: [yes, null-ish, 1.10]\n---\n")
    (entry,), messages = read(project)
    assert messages == []
    assert entry.models == ("no", "1e3", "0x1F", "on")
    assert entry.parent == "off"
    assert entry.tags == ("yes", "null-ish", "1.10")


def test_sexagesimal_parent_is_refused_as_an_id_with_the_fix(project):
    project.entry("e.md", "---\ndate: 2026-10-03\nmodel: a-1\nparent: 12:30\n---\n")
    _, messages = read(project)
    assert messages == ["journal/entries/e.md:4: 'parent': model ID '12:30' contains ':'; use only letters, digits, '-', '_' and '.'"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-10-03", datetime(2026, 10, 3, tzinfo=timezone.utc)),
        ("2026-10-03 09:15", datetime(2026, 10, 3, 9, 15, tzinfo=timezone.utc)),
        ("2026-10-03T09:15:00Z", datetime(2026, 10, 3, 9, 15, tzinfo=timezone.utc)),
        ("2026-10-03 09:15:00-05:00", datetime(2026, 10, 3, 14, 15, tzinfo=timezone.utc)),
    ],
)
def test_dates_datetimes_and_zones_are_normalised_and_sort_together(project, written, expected):
    project.entry("e.md", f"---\ndate: {written}\nmodel: a-1\n---\n")
    (entry,), _ = read(project)
    assert entry.date == expected


def test_bom_and_crlf_are_read_as_plain_text(project):
    project.entry("e.md", b"\xef\xbb\xbf---\r\ndate: 2026-10-03\r\nmodel: a-1\r\n---\r\nline one\r\nline two\r\n")
    (entry,), messages = read(project)
    assert messages == []
    assert entry.body == "line one\nline two\n"


def test_a_huge_entry_is_skipped_with_its_size(project):
    project.entry("e.md", "---\ndate: 2026-10-03\nmodel: a-1\n---\n" + "x" * (3 * 1024 * 1024))
    _, messages = read(project)
    assert messages == ["journal/entries/e.md: entry is 3072 KiB; the limit is 2 MiB (move long logs into the run folder)"]


def test_editor_debris_and_other_files_are_not_entries(project):
    for name in (".e.md.swp", "e.md~", ".#e.md", "#e.md#", "notes.txt", "4913"):
        project.entry(name, "junk")
    project.entry("e.md", GOOD)
    entries, messages = read(project)
    assert [e.key for e in entries] == ["e"] and messages == []


def test_symlinks_out_of_the_journal_and_loops_are_skipped(project, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text(GOOD)
    project.entries.mkdir(parents=True, exist_ok=True)
    (project.entries / "leak.md").symlink_to(outside)
    (project.entries / "loop").symlink_to(project.entries, target_is_directory=True)
    project.entry("e.md", GOOD)
    entries, messages = read(project)
    assert [e.key for e in entries] == ["e"]
    assert messages == ["journal/entries/leak.md: skipped: a symbolic link that points outside the journal"]


def test_two_entries_with_one_file_name_keep_the_first(project):
    project.entry("a/2026-10-03-x.md", GOOD)
    project.entry("b/2026-10-03-X.md", GOOD)
    entries, messages = read(project)
    assert [e.key for e in entries] == ["a/2026-10-03-x"]
    assert messages == ["journal/entries/b/2026-10-03-X.md: skipped: same file name as "
                        "journal/entries/a/2026-10-03-x.md; entries are named by file name, rename one"]


def test_unicode_normalisation_twins_are_one_name(project):
    """`café` composed (typed on Linux) and decomposed (saved on a Mac): one file there."""
    import unicodedata

    composed, decomposed = (unicodedata.normalize(form, "2026-10-03-café") for form in ("NFC", "NFD"))
    project.entry(f"{composed}.md", GOOD)
    project.entry(f"{decomposed}.md", GOOD)
    entries, messages = read(project)
    assert [e.key for e in entries] == [min(composed, decomposed)]
    later = max(composed, decomposed)
    assert messages == [f"journal/entries/{later}.md: skipped: same file name as "
                        f"journal/entries/{min(composed, decomposed)}.md; entries are named by file name, rename one"]


def test_an_entry_about_thousands_of_models_or_with_hundreds_of_tags_is_refused_with_a_clear_message(project, cli):
    """One entry listing 5,000 models built for 7 minutes in 6.7 GB: each model page repeated
    every badge. The lists are bounded."""
    models = ", ".join(f"m-{n}" for n in range(5000))
    project.entry("2026-10-01-many.md", f"---\ndate: 2026-10-01\nmodel: [{models}]\n---\nAll of them.\n")
    tags = ", ".join(f"t{n}" for n in range(51))
    project.entry("2026-10-02-tags.md", f"---\ndate: 2026-10-02\nmodel: a-1\ntags: [{tags}]\n---\nTagged.\n")
    project.entry("2026-10-03-fine.md", "---\ndate: 2026-10-03\nmodel: a-1\n---\nFine.\n")
    result = cli("build")
    assert result.exit_code == 0
    assert result.output.splitlines()[:2] == [
        "warning: journal/entries/2026-10-01-many.md:3: 'model' lists 5000 models; an entry may be about at most 100 "
        "(for a comparison of more, name them in the text)",
        "warning: journal/entries/2026-10-02-tags.md:4: 'tags' lists 51 tags; an entry may have at most 50",
    ]


def test_libyaml_and_the_python_loader_read_every_front_matter_alike():
    """Front matter is read with libyaml when PyYAML has it, and again by the Python loader
    (whose messages are reported) whenever libyaml's reading is not plain front matter."""
    from pathlib import Path

    from conftest import REPO
    from mljournal.reading import frontmatter

    assert frontmatter._FastStringLoader is not None  # PyYAML's wheels carry libyaml
    blocks = [path.read_text(encoding="utf-8").split("\n---\n", 1)[0][4:]
              for path in sorted((REPO / "journal" / "entries").rglob("*.md"))]
    blocks += ["model: [no, 1e3, 0x1F, on]\nparent: 'off'\ntags: [yes, ~, '', 1.10]\nx: {a: [b, {c: null}]}",
               "date: 2026-10-03 14:20:00+02:00\nmodel: \"a-1\"\nnote: |\n  two\n  lines\n", ""]
    for block in blocks:
        assert frontmatter._load_fast(block, Path("e.md"), 2) == frontmatter._load_checked(block, Path("e.md"), 2), block
    for refused in ("a: &m 1\nb: *m", "a: 1\na: 2", "- a", "a: !!python/object/apply:os.system [ls]", "a: [b"):
        assert frontmatter._load_fast(refused, Path("e.md"), 2) is None, refused
