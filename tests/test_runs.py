"""Run folders: the journal's metric formats, read while training processes write them."""

from __future__ import annotations

import math
import os
import time

from mljournal.reading.runs import best, goal_of, last, read_runs


def runs_of(project):
    runs, diagnostics = read_runs(project.runs, project.root)[:2]
    return runs, [str(d) for d in diagnostics]


def values(series):
    return list(zip(series.steps, [None if math.isnan(v) else v for v in series.values]))


def test_wide_csv(project):
    project.run_file("a-1", "metrics.csv", "step,loss,acc\n1,0.9,0.5\n2,0.7,\n3,0.5,0.7\n")
    runs, messages = runs_of(project)
    assert messages == []
    assert values(runs["a-1"].metrics["loss"]) == [(1, 0.9), (2, 0.7), (3, 0.5)]
    assert values(runs["a-1"].metrics["acc"]) == [(1, 0.5), (3, 0.7)]


def test_long_csv(project):
    project.run_file("a-1", "metrics.csv", "step,metric,value\n1,loss,0.9\n1,acc,0.5\n2,loss,0.8\n")
    runs, messages = runs_of(project)
    assert messages == []
    assert values(runs["a-1"].metrics["loss"]) == [(1, 0.9), (2, 0.8)]
    assert values(runs["a-1"].metrics["acc"]) == [(1, 0.5)]


def test_jsonl_with_nan_infinity_and_null(project):
    project.run_file(
        "a-1", "metrics.jsonl",
        '{"step": 1, "loss": 1.5, "acc": null}\n{"step": 2, "loss": NaN}\n{"step": 3, "loss": Infinity, "acc": 0.5}\n',
    )
    runs, messages = runs_of(project)
    loss = runs["a-1"].metrics["loss"]
    assert messages == []
    assert list(loss.steps) == [1, 2, 3] and loss.values[0] == 1.5 and math.isnan(loss.values[1]) and loss.values[2] == math.inf
    assert best(loss, "min") == (1, 1.5)
    assert last(loss) == (3, math.inf)
    assert runs["a-1"].metrics["acc"].points() == 1


def test_a_line_still_being_written_is_left_for_later_silently(project):
    project.run_file("a-1", "metrics.csv", "step,loss\n1,0.9\n2,0.8\n3,0.")
    project.run_file("b-1", "metrics.jsonl", '{"step": 1, "loss": 0.9}\n{"step": 2, "lo')
    runs, messages = runs_of(project)
    assert messages == []
    assert list(runs["a-1"].metrics["loss"].steps) == [1, 2]
    assert list(runs["b-1"].metrics["loss"].steps) == [1]


def test_a_malformed_line_in_the_middle_is_named_and_the_rest_kept(project):
    project.run_file("a-1", "metrics.csv", "step,loss\n1,0.9\n2,oops\nthree,0.7\n4,0.6,9\n5,0.5\n")
    project.run_file("b-1", "metrics.jsonl", '{"step": 1, "loss": 0.9}\n{broken\n[1, 2]\n{"loss": 1}\n{"step": 5, "loss": 0.5}\n')
    runs, messages = runs_of(project)
    assert messages == [
        "journal/runs/a-1/metrics.csv:3: loss: not a number; those cells skipped",
        "journal/runs/a-1/metrics.csv:4: step 'three' is not a whole number; row skipped",
        "journal/runs/a-1/metrics.csv:5: 3 cells where the header has 2; row skipped",
        "journal/runs/b-1/metrics.jsonl:2: not a JSON object; line skipped",
        "journal/runs/b-1/metrics.jsonl:3: not a JSON object; line skipped",
        "journal/runs/b-1/metrics.jsonl:4: no whole-number 'step'; line skipped",
    ]
    assert list(runs["a-1"].metrics["loss"].steps) == [1, 5]
    assert list(runs["b-1"].metrics["loss"].steps) == [1, 5]


def test_resumed_training_new_header_duplicate_and_backwards_steps(project):
    project.run_file("a-1", "metrics.csv", "step,loss\n1,0.9\n2,0.8\n3,0.7\nstep,loss,lr\n2,0.75,0.1\n4,0.6,0.1\n")
    runs, messages = runs_of(project)
    assert messages == []
    assert values(runs["a-1"].metrics["loss"]) == [(1, 0.9), (2, 0.75), (3, 0.7), (4, 0.6)]
    assert values(runs["a-1"].metrics["lr"]) == [(2, 0.1), (4, 0.1)]


def test_csv_without_header_is_named(project):
    project.run_file("a-1", "metrics.csv", "1,0.9\n")
    runs, messages = runs_of(project)
    assert messages == ["journal/runs/a-1/metrics.csv:1: metrics.csv must start with a header line 'step,<metric>,…'"]
    assert runs["a-1"].metrics == {}


def test_screenshots_anywhere_checkpoints_never_listed(project):
    project.run_file("a-1", "curves.png", b"\x89PNG")
    project.run_file("a-1", "tb/loss curve #2.jpg", b"x")
    project.run_file("a-1", "checkpoint-10/model.safetensors", b"\0" * 10)
    project.run_file("a-1", "optimizer.pt", b"\0")
    project.run_file("a-1", ".hidden.png", b"x")
    runs, _ = runs_of(project)
    assert [shot.name for shot in runs["a-1"].screenshots] == ["curves.png", "tb/loss curve #2.jpg"]


def test_run_json_metadata_and_bad_run_json(project):
    project.run_file("a-1", "run.json", '{"command": "python train.py a-1", "params": {"lr": 0.1}, "commit": "abc", "seed": 3}')
    project.run_file("b-1", "run.json", '{"command": "python train.py",\n "params": }')
    runs, messages = runs_of(project)
    meta = runs["a-1"].meta
    assert (meta.command, meta.params, meta.commit, meta.other) == ("python train.py a-1", {"lr": "0.1"}, "abc", {"seed": "3"})
    assert runs["b-1"].meta is None
    assert messages == ["journal/runs/b-1/run.json:2: not valid JSON (Expecting value); ignored"]


def test_a_run_folder_that_is_not_an_id_is_skipped(project):
    project.run_file("bad id", "metrics.csv", "step,loss\n1,1\n")
    runs, messages = runs_of(project)
    assert runs == {}
    assert messages == ["journal/runs/bad id: skipped: the folder name is not a model ID: model ID 'bad id' contains ' '; "
                        "use only letters, digits, '-', '_' and '.'"]


def test_goals_from_names_and_settings():
    assert [goal_of(m, {}) for m in ("val_loss", "eval/accuracy", "wer", "bleu")] == ["min", "max", "min", "max"]
    assert goal_of("val_loss", {"val_loss": "max"}) == "max"


def test_parsed_runs_are_cached_and_a_changed_file_is_read_again(project, monkeypatch):
    import os
    import time

    from mljournal import cache
    from mljournal.reading.formats import journal

    path = project.run_file("a-1", "metrics.csv", "step,loss\n1,0.9\n")
    old = time.time() - 60
    os.utime(path, (old, old))
    calls = []
    real = journal.read_metrics_csv
    monkeypatch.setattr(journal, "read_metrics_csv", lambda p, s: calls.append(p) or real(p, s))
    cache_dir = project.root / ".cache"
    for _ in range(2):
        runs, _ = read_runs(project.runs, project.root, cache_dir)[:2]
        assert list(runs["a-1"].metrics["loss"].steps) == [1]
    assert len(calls) == 1 and list((cache_dir / "runs").glob("*.pickle"))
    cache.clear_memory()  # a new process: the disk cache answers
    read_runs(project.runs, project.root, cache_dir)
    assert len(calls) == 1
    with open(path, "a") as handle:  # the run goes on: a fresh file is read, not cached
        handle.write("2,0.8\n")
    for _ in range(2):
        runs, _ = read_runs(project.runs, project.root, cache_dir)[:2]
        assert list(runs["a-1"].metrics["loss"].steps) == [1, 2]
    assert len(calls) == 3


def test_a_run_that_keeps_appending_is_held_once_in_memory_however_often_it_is_read(project):
    """A day of `journal serve` beside a training run that logs every few seconds: each read
    finds a new file and keeps its Part, replacing the one before, not beside it."""
    from mljournal.reading.cache import MEMORY_LIMIT, PartCache

    path = project.run_file("a-1", "metrics.csv", "step,loss\n")
    other = project.run_file("b-1", "metrics.csv", "step,loss\n1,0.5\n")
    os.utime(other, (time.time() - 60, time.time() - 60))
    store = PartCache(project.root / ".cache").store
    store.memory.clear()
    for step in range(1, 201):
        with open(path, "a") as handle:
            handle.write(f"{step},{1 / step}\n")
        old = time.time() - 60 + step * 0.01  # older than the racy window, newer at each step
        os.utime(path, (old, old))
        runs, _ = read_runs(project.runs, project.root, project.root / ".cache")[:2]
        assert len(runs["a-1"].metrics["loss"].steps) == step
    assert len(store) == 2 < MEMORY_LIMIT  # a-1 once, b-1 once


def test_a_trainer_folder_without_its_state_says_what_is_missing(tmp_path):
    from mljournal.reading.runs import read_run

    folder = tmp_path / "a-1" / "checkpoint-500"
    folder.mkdir(parents=True)
    for name in ("training_args.bin", "model.safetensors", "optimizer.pt"):
        (folder / name).write_bytes(b"\0" * 16)
    run, diagnostics = read_run("a-1", tmp_path / "a-1", tmp_path)
    assert [str(d) for d in diagnostics] == [
        "a-1: no metrics read: the files look like a Hugging Face Trainer's output, but no trainer_state.json "
        "(the Trainer writes it into each checkpoint and with trainer.save_state())"]
    assert run.not_read.startswith("no metrics read")


def test_infinity_is_one_rule_in_csv_and_jsonl(project):
    """`1e999` in JSON, `inf` in CSV: both infinite, a last value but never a best one or a point."""
    project.run_file("a-1", "metrics.csv", "step,loss\n1,0.5\n2,inf\n3,1e999\n")
    project.run_file("b-1", "metrics.jsonl", '{"step": 1, "loss": 0.5}\n{"step": 2, "loss": "inf"}\n{"step": 3, "loss": 1e999}\n')
    project.run_file("c-1", "metrics.csv", "step,metric,value\n1,loss,0.5\n2,loss,Infinity\n3,loss,-1e999\n")
    runs, messages = runs_of(project)
    assert messages == []
    for model, end in (("a-1", math.inf), ("b-1", math.inf), ("c-1", -math.inf)):
        loss = runs[model].metrics["loss"]
        assert list(loss.values) == [0.5, math.inf, end], model
        assert (last(loss), best(loss, "min"), loss.points()) == ((3, end), (1, 0.5), 1), model


def test_jsonl_nested_numbers_are_flattened_and_what_is_not_a_number_is_said_once(project):
    project.run_file("a-1", "metrics.jsonl", "".join(
        f'{{"step": {step}, "val": {{"loss": 0.{step}, "acc": {{"top1": 0.{step}}}}}, "done": false, '
        f'"phase": "train", "hist": [1, 2], "lr": "3e-4"}}\n' for step in range(1, 4)))
    runs, messages = runs_of(project)
    assert sorted(runs["a-1"].metrics) == ["lr", "val/acc/top1", "val/loss"]
    assert values(runs["a-1"].metrics["val/loss"]) == [(1, 0.1), (2, 0.2), (3, 0.3)]
    assert messages == ["journal/runs/a-1/metrics.jsonl:1: values that are not numbers are left out: "
                        "'done' (true/false), 'phase' (text), 'hist' (a list)"]


def test_a_clean_jsonl_is_read_in_one_go_as_the_line_reader_reads_it(tmp_path):
    """metrics.jsonl of flat numbers is parsed whole; anything else (text, null, true, a
    nested value, keys in another order, a huge integer, a broken line) by the line reader."""
    from mljournal.reading import metrics

    path = tmp_path / "metrics.jsonl"
    lines = [f'{{"step": {s}, "loss": {1 / s:.6f}, "acc": {s % 7}, "lr": 1e-3}}' for s in (1, 2, 3, 3, 2, 10)]
    path.write_text("\n".join(lines) + '\n{"step": 11, "loss": NaN, "acc": 1, "lr": Infinity}\n{"step": 12')
    whole = metrics._read_clean_jsonl(path)
    assert whole is not None and list(whole) == ["loss", "acc", "lr"]
    assert list(whole["loss"].steps) == [1, 2, 3, 10, 11]  # sorted, the last write of a step kept
    assert math.isnan(whole["loss"].values[-1]) and whole["lr"].values[-1] == math.inf
    assert {name: (list(s.steps), [repr(v) for v in s.values]) for name, s in whole.items()} == {
        name: (list(s.steps), [repr(v) for v in s.values])
        for name, s in metrics.read_metrics_jsonl(path, "m")[0].items()}
    for odd in ('"loss": "0.5"', '"loss": null', '"loss": true', '"loss": {"a": 1}',
                '"loss": 100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'
                '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'
                '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'
                '000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'):
        path.write_text(f'{{"step": 1, "loss": 0.5}}\n{{"step": 2, {odd}}}\n')
        assert metrics._read_clean_jsonl(path) is None, odd
    for broken in ('{"step": 1, "loss": 0.5}\n{broken\n', '{"loss": 0.5, "step": 1}\n{"step": 2, "loss": 0.5}\n',
                   '{"step": 1.5, "loss": 0.5}\n', '[1, 2]\n', '\ufeff{"step": 1, "loss": 0.5}\n'):
        path.write_text(broken, encoding="utf-8")
        assert metrics._read_clean_jsonl(path) is None, broken
