"""Indexing: models, lineage, mentions, sections in several languages, corrections."""

from __future__ import annotations

from mljournal.index import load_journal, tag_slug
from mljournal.settings import DEFAULT_SECTIONS, Settings


def index_of(project, **settings):
    return load_journal(Settings(journal_dir=project.root / "journal", cache_dir=project.root / ".cache", **settings), project.root)


def entry(project, name, model, body="", **front):
    lines = [f"date: {name[:10]}", f"model: {model}"] + [f"{k}: {v}" for k, v in front.items()]
    project.entry(f"{name}.md", "---\n" + "\n".join(lines) + "\n---\n" + body)


def test_lineage_children_and_the_chain_of_ancestors(project):
    entry(project, "2026-10-01-a-1", "a-1")
    entry(project, "2026-10-02-a-2", "a-2", parent="a-1")
    entry(project, "2026-10-03-a-3", "a-3", parent="a-2")
    entry(project, "2026-10-04-a-4", "a-4", parent="a-2")
    index = index_of(project)
    assert index.diagnostics == []
    assert index.models["a-2"].children == ["a-3", "a-4"]
    assert index.lineage("a-3") == ["a-1", "a-2", "a-3"]


def test_unknown_parent_and_cycles_are_named(project):
    entry(project, "2026-10-01-a-1", "a-1", parent="a-9")
    entry(project, "2026-10-02-b-1", "b-1", parent="b-2")
    entry(project, "2026-10-03-b-2", "b-2", parent="b-1")
    index = index_of(project)
    assert [str(d) for d in index.diagnostics] == [
        "journal/entries/2026-10-01-a-1.md:4: parent 'a-9' names no known model (no entry is about it and there is no "
        "runs/a-9/ folder); check the spelling",
        "journal/entries/2026-10-03-b-2.md:4: lineage cycle b-1 -> b-2 -> b-1; ignoring 'b-2' -> 'b-1'",
    ]
    assert index.lineage("b-2") == ["b-2"]
    assert index.lineage("b-1") == ["b-2", "b-1"]


def test_mentions_are_whole_ids_and_not_the_entry_own_models(project):
    entry(project, "2026-10-01-a-1", "a-1")
    entry(project, "2026-10-01-a-10", "a-10")
    entry(project, "2026-10-02-b-1", "b-1", body="Unlike a-1. Not a-100, not xa-1, but a-10, and b-1 itself.\n")
    index = index_of(project)
    assert index.mentions["2026-10-02-b-1"] == ["a-1", "a-10"]
    assert [e.key for e in index.models["a-1"].mentions] == ["2026-10-02-b-1"]


def test_an_id_inside_a_web_address_is_not_a_mention(project):
    entry(project, "2026-10-01-a-1", "a-1")
    entry(project, "2026-10-01-a-2", "a-2")
    entry(project, "2026-10-02-b-1", "b-1", body="Logs at https://wandb.ai/me/proj/runs/a-1?x=a-2 and "
          "www.example.org/a-2/, [the run](https://example.org/a-1). Better than a-2.\n")
    index = index_of(project)
    assert index.mentions["2026-10-02-b-1"] == ["a-2"]
    assert index.models["a-1"].mentions == []


def test_sections_in_other_languages_feed_the_model(project):
    sections = dict(DEFAULT_SECTIONS, conclusion=("結論", "Wnioski", "Conclusion"))
    entry(project, "2026-10-01-a-1", "a-1", body="## Hypothesis\nH.\n\n## 結論\n深い方が良い。\n")
    entry(project, "2026-10-05-a-1", "a-1", body="```\n## Wnioski\nin code\n```\n### wnioski:\nLepiej.\n")
    index = index_of(project, sections=sections)
    model = index.models["a-1"]
    assert [s.text for _, s in model.sections["conclusion"]] == ["深い方が良い。", "Lepiej."]
    assert model.latest("hypothesis")[1].text == "H."


def test_corrections_link_both_ways_and_bad_ones_are_named(project):
    entry(project, "2026-10-01-a-1", "a-1")
    entry(project, "2026-10-03-a-1", "a-1", corrects="2026-10-01-a-1")
    entry(project, "2026-10-04-a-1", "a-1", corrects="2026-10-09-a-1")
    index = index_of(project)
    assert [e.key for e in index.corrections["2026-10-01-a-1"]] == ["2026-10-03-a-1"]
    assert index.corrected["2026-10-03-a-1"].key == "2026-10-01-a-1"
    assert [str(d) for d in index.diagnostics] == [
        "journal/entries/2026-10-04-a-1.md:4: corrects '2026-10-09-a-1', but no entry has that name; write the file "
        "name of the entry without '.md', e.g. 2026-11-03-tcn-7"
    ]


def test_case_twins_keep_one_spelling(project):
    entry(project, "2026-10-01-a-1", "a-1")
    entry(project, "2026-10-02-x", "A-1")
    index = index_of(project)
    assert list(index.models) == ["a-1"]
    assert [str(d) for d in index.diagnostics] == [
        "journal/entries/2026-10-02-x.md:3: skipped: model 'A-1' differs from 'a-1' only in case, and both would be "
        "one page; use one spelling"
    ]


def test_runs_alone_are_models_and_key_metrics_prefer_held_out_ones(project):
    project.run_file("r-1", "metrics.csv", "step,train_loss,val_acc,val_loss\n1,1,0.5,1\n")
    project.run_file("r-2", "metrics.csv", "step,train_loss,val_acc\n1,1,0.5\n")
    index = index_of(project)
    assert list(index.models) == ["r-1", "r-2"]
    assert index.key_metrics == ["val_acc", "val_loss"]


def test_a_model_with_only_a_run_has_a_parent_and_the_runs_dates(project):
    """A run alone got no parent, no dates in the table and floated outside the lineage."""
    import mljournal

    entry(project, "2026-10-01-cnn-1", "cnn-1")
    for model_id, parent in (("cnn-2", None), ("cnn-5", "cnn-1"), ("solo", None)):
        with mljournal.start(model_id, journal=project.root / "journal", parent=parent, record_git=False) as run:
            run.log(step=0, loss=1.0)
    index = index_of(project)
    assert {m: index.models[m].parent for m in index.models} == {"cnn-1": None, "cnn-2": "cnn-1", "cnn-5": "cnn-1",
                                                                 "solo": None}
    assert index.models["cnn-1"].children == ["cnn-2", "cnn-5"]
    run_json = __import__("json").loads((project.runs / "cnn-2" / "run.json").read_text())
    started, finished = (__import__("datetime").datetime.fromisoformat(run_json[k]) for k in ("started", "finished"))
    assert (index.models["cnn-2"].first, index.models["cnn-2"].last) == (started, finished)
    entry(project, "2026-10-03-cnn-5", "cnn-5", parent="cnn-2")  # an entry's parent wins over the run's
    assert index_of(project).models["cnn-5"].parent == "cnn-2"


def test_tag_slugs():
    assert [tag_slug(t) for t in ("Data aug", "data-aug", "バグ", "a/b?", "!!")] == ["data-aug", "data-aug", "バグ", "ab", "tag"]


def test_first_paragraph_keeps_a_code_fence_whole():
    from mljournal.reading.sections import first_paragraph

    assert first_paragraph("One line.\nStill one.\n\nSecond.") == ("One line.\nStill one.", True)
    assert first_paragraph("```\na\n\nb\n```\n\nafter") == ("```\na\n\nb\n```", True)
    assert first_paragraph("~~~~\n```\n\n~~~~") == ("~~~~\n```\n\n~~~~", False)
    assert first_paragraph("  only  \n") == ("only", False)


def test_builtin_aliases_join_what_the_tools_call_the_same_quantity(project):
    """A Hugging Face run (eval_loss), a TensorBoard one (loss/val) and the journal's own
    (val_loss) are one column of the home table and one another's parent curves."""
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfirst\n")
    project.entry("2026-10-02-a-2.md", "---\ndate: 2026-10-02\nmodel: a-2\nparent: a-1\n---\nsecond\n")
    project.run_file("a-1", "metrics.csv", "step,val_loss\n1,0.5\n")
    project.run_file("a-2", "metrics.csv", "step,eval_loss,loss/val\n1,0.4,0.4\n")
    index = index_of(project)
    assert index.key_metrics == ["val_loss"]
    assert index.metric_groups["loss/val"][0] == index.metric_groups["eval_loss"][0] == "val_loss"
    assert not [d for d in index.diagnostics if "share no metric" in d.message]


def test_the_authors_aliases_extend_and_override_the_builtin_ones():
    from mljournal.reading.names import metric_groups

    groups = metric_groups({"val_loss": ("holdout_nll",), "dev_loss": ("eval_loss",)})
    assert groups["holdout_nll"][0] == "val_loss" and "loss/val" in groups["val_loss"]
    assert groups["eval_loss"] == ("dev_loss", "eval_loss")  # moved out of val_loss's group
    assert "eval_loss" not in groups["val_loss"]


def test_a_model_sharing_no_metric_with_its_parent_is_named_with_the_line_that_joins_them(project):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfirst\n")
    project.entry("2026-10-02-a-2.md", "---\ndate: 2026-10-02\nmodel: a-2\nparent: a-1\n---\nsecond\n")
    project.run_file("a-1", "metrics.csv", "step,eval_loss,grad_norm\n1,0.5,1\n")
    project.run_file("a-2", "metrics.csv", "step,loss_v\n1,0.4\n")
    messages = [str(d) for d in index_of(project).diagnostics]
    assert messages == [
        "journal/entries/2026-10-02-a-2.md:4: model 'a-2' and its parent 'a-1' share no metric, so its plots have "
        "no parent curves (a-2 has loss_v; a-1 has eval_loss, grad_norm); if loss_v is eval_loss, add "
        "`metric_aliases: {val_loss: [loss_v]}` to the journal plugin in mkdocs.yml"]


def test_an_index_made_again_takes_what_it_found_in_the_same_entries_and_looks_again_for_new_models(project):
    """`journal serve` indexes the journal after each edit with the last index at hand: the
    entries read again unchanged (the same objects, from memory) keep what was found in their
    text, but their mentions are looked for again once a new model is known."""
    import os

    entry(project, "2026-10-01-a-1", "a-1", "Better than b-1 at half the size.\n\n## Conclusion\nKeep it.")
    entry(project, "2026-10-02-a-2", "a-2", "Same as a-1.", parent="a-1", status="doen")
    for path in project.entries.rglob("*.md"):
        os.utime(path, (1.7e9, 1.7e9))  # at rest: read once, then kept in memory
    settings = Settings(journal_dir=project.root / "journal", cache_dir=project.root / ".cache")
    first = load_journal(settings, project.root)
    again = load_journal(settings, project.root, previous=first)
    assert [again.facts[id(e)] is first.facts[id(e)] for e in again.entries] == [True, True]
    assert (again.mentions, again.diagnostics) == (first.mentions, first.diagnostics)
    assert again.models["a-1"].sections.keys() == {"conclusion"}
    assert again.mentions["2026-10-01-a-1"] == []
    project.run_file("b-1", "metrics.csv", "step,val_acc\n1,0.5\n2,0.6\n")
    known = load_journal(settings, project.root, previous=again)
    assert known.mentions == load_journal(settings, project.root).mentions
    assert known.mentions["2026-10-01-a-1"] == ["b-1"]
    assert [d.message for d in known.diagnostics] == [d.message for d in first.diagnostics]


def test_the_next_build_reads_what_an_entry_text_holds_from_the_cache_and_looks_again_when_the_sections_change(project):
    """What is found in an entry's text alone (its ID-like words, near-miss headings, sections)
    is kept in the cache folder by the entry's stamp: a new process finds the same, and a
    change to the `sections` setting makes it look again."""
    import os

    from mljournal.cache import clear_memory

    entry(project, "2026-10-01-a-1", "a-1", "Better than b-1.\n\n## Schluss\nKeep it.\n\n## Hypotesis\nx")
    project.run_file("b-1", "metrics.csv", "step,val_acc\n1,0.5\n")
    for path in project.entries.rglob("*.md"):
        os.utime(path, (1.7e9, 1.7e9))
    settings = Settings(journal_dir=project.root / "journal", cache_dir=project.root / ".cache")
    first = load_journal(settings, project.root)
    assert (project.root / ".cache" / "entry-facts.pickle").is_file()
    clear_memory()  # what the next process sees
    again = load_journal(settings, project.root)
    assert again.mentions == first.mentions == {"2026-10-01-a-1": ["b-1"]}
    assert [d.message for d in again.diagnostics] == [d.message for d in first.diagnostics]
    assert "heading 'Hypotesis' is not a section the journal reads (did you mean 'Hypothesis'?)" in [
        d.message for d in again.diagnostics]
    assert again.models["a-1"].sections.keys() == set()
    clear_memory()
    german = Settings(journal_dir=project.root / "journal", cache_dir=project.root / ".cache",
                      sections={"conclusion": ("Schluss",)})
    assert list(load_journal(german, project.root).models["a-1"].sections) == ["conclusion"]


def test_the_ids_an_entry_is_listed_as_mentioning_are_the_ids_its_text_links_one_rule_for_both():
    """`ids.find_spans` (the links in the rendered text) and `ids.find_mentions` (what the
    index lists as mentioned) follow one rule: a whole run of ID characters, less some of
    the `.`, `-`, `_` it starts or ends with. They were two, and `see a-1-` listed a-1 as
    mentioned without linking it, while an ID like `-z` was linked but never listed."""
    import random

    from mljournal.ids import Mention, find_mentions, find_spans

    ids = frozenset({"a-1", "a-10", "v1", "v1.2", "x_y", "-z", "m.1", "b-1"})
    text = "a-1. a-10, v1.2 v1.x v1..; xa-1 a-1-b a-1_ (a-1) -z.m.1. -z. _b-1_ see a-1- ..v1"
    assert find_spans(text, ids) == [
        Mention(0, 3, "a-1"), Mention(5, 9, "a-10"), Mention(11, 15, "v1.2"), Mention(21, 23, "v1"),
        Mention(38, 41, "a-1"), Mention(44, 47, "a-1"), Mention(57, 59, "-z"), Mention(62, 65, "b-1"),
        Mention(71, 74, "a-1"), Mention(78, 80, "v1")]
    assert find_mentions(text, ids) == ["a-1", "a-10", "v1.2", "v1", "-z", "b-1"]

    pieces = sorted(ids) + ["a", "1", "0", ".", "-", "_", " ", ",", "(", "é", "2", "x"]
    chance = random.Random(7)
    for _ in range(3000):
        text = "".join(chance.choice(pieces) for _ in range(chance.randint(1, 12)))
        spans = find_spans(text, ids)
        assert list(dict.fromkeys(span.model_id for span in spans)) == find_mentions(text, ids), text
        assert all(text[span.start:span.end] == span.model_id for span in spans), text
