"""Run folders that are odd, damaged or hostile: each is a warning naming the file (or is
read as well as it can be), never a crash, a hang or a runaway allocation."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

import mljournal
from mljournal.reading.runs import read_run
from test_formats import FIXTURES


def run_of(tmp_path: Path, files: dict[str, str | bytes]):
    folder = tmp_path / "a-1"
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    run, diagnostics = read_run("a-1", folder, tmp_path)
    return run, [str(d) for d in diagnostics]


def test_steps_and_numbers_beyond_64_bits(tmp_path):
    huge = "1" + "0" * 400
    run, messages = run_of(tmp_path, {
        "metrics.jsonl": '{"step": 100000000000000000000, "loss": 1}\n{"step": 2, "loss": %s}\n' % huge,
        "trainer_state.json": json.dumps({"log_history": [{"step": 10**20, "loss": 1}, {"step": True, "loss": 2},
                                                          {"step": 3, "loss": int(huge)}]}),
    })
    assert (list(run.metrics["loss"].steps), list(run.metrics["loss"].values)) == ([3], [float("inf")])
    assert messages == [
        "a-1/trainer_state.json: log_history[0] has no whole-number 'step'; skipped",
        "a-1/trainer_state.json: log_history[1] has no whole-number 'step'; skipped",
        "a-1/metrics.jsonl:1: no whole-number 'step'; line skipped",
    ]
    mine = next(part for part in run.parts if part.tool == "mljournal")
    assert (list(mine.metrics["loss"].steps), list(mine.metrics["loss"].values)) == ([2], [float("inf")])


def test_deep_nesting_and_yaml_aliases_are_refused(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(20))
    run, messages = run_of(tmp_path, {
        "trainer_state.json": "[" * 100000 + "]" * 100000,
        "lightning_logs/version_0/metrics.csv": "epoch,step,loss\n0,1,0.5\n",
        "lightning_logs/version_0/hparams.yaml": bomb,
    })
    assert "a-1/trainer_state.json: nested too deeply; ignored" in messages
    assert any(m.startswith("a-1/lightning_logs/version_0/hparams.yaml") and "anchors and aliases are not read" in m
               for m in messages)
    assert list(run.metrics["loss"].values) == [0.5]


def test_mlflow_odd_values_times_and_deleted_runs(tmp_path):
    store = tmp_path / "a-1" / "mlruns" / "0"
    for run_id, stage, start, loss in (("new", "deleted", 1800000000000, 99), ("old", "active", "1e30", 1)):
        (store / run_id / "metrics").mkdir(parents=True)
        (store / run_id / "meta.yaml").write_text(f"lifecycle_stage: {stage}\nstart_time: {start}\nstatus: 3\n")
        (store / run_id / "metrics" / "loss").write_text(f"1 {loss} 0\n1 2 99999999999999999999\n")
    run, diagnostics = read_run("a-1", tmp_path / "a-1", tmp_path)
    assert list(run.metrics["loss"].values) == [1.0]  # the deleted run's 99 is not shown
    assert [str(d) for d in diagnostics] == ["a-1/mlruns/0/old/metrics/loss:2: expected 'timestamp value step'; line skipped"]


def test_an_mlflow_database_with_text_values_and_null_steps(tmp_path):
    folder = tmp_path / "a-1"
    folder.mkdir()
    shutil.copy(FIXTURES / "mlflow-sqlite" / "mlflow.db", folder / "mlflow.db")
    with sqlite3.connect(folder / "mlflow.db") as db:
        run_id = db.execute("SELECT run_uuid FROM runs WHERE name = 'wider'").fetchone()[0]
        db.execute("INSERT INTO metrics VALUES ('loss', 'high', 1, ?, 3, 0)", (run_id,))
        db.execute("INSERT INTO metrics VALUES ('loss', 0.5, 1, ?, 4, 0)", (run_id,))
        db.execute("UPDATE runs SET start_time = 100000000000000000 WHERE run_uuid = ?", (run_id,))
    run, diagnostics = read_run("a-1", folder, tmp_path)
    assert list(run.metrics["loss"].steps) == [4]
    assert [str(d) for d in diagnostics] == ["a-1/mlflow.db: 1 metric rows without a whole step or a number; skipped"]


def test_odd_names_are_skipped_or_read(tmp_path):
    folder = tmp_path / "a-1"
    (folder / "²").mkdir(parents=True)
    for name in ("run.json", "config.json", "cout.txt"):
        (folder / "²" / name).write_text("{}")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(os.fsencode(folder), b"log\xff.csv"), "wb") as handle:
        handle.write(b"step,loss\n1,0.5\n")
    run, diagnostics = read_run("a-1", folder, tmp_path)
    assert [str(d) for d in diagnostics] == ["a-1/log\udcff.csv: skipped: the file name is not valid UTF-8"]
    assert [part.tool for part in run.parts] == ["Sacred"]


def test_a_recorder_run_beside_a_saved_hf_model_is_not_taken_for_sacred(tmp_path):
    run, messages = run_of(tmp_path, {
        "run.json": json.dumps({"command": "python train.py", "params": {"lr": 0.1}}),
        "config.json": json.dumps({"model_type": "bert"}),
        "metrics.json": json.dumps({"accuracy": 0.9}),
        "metrics.jsonl": '{"step": 1, "loss": 0.5}\n',
    })
    assert messages == [] and [part.tool for part in run.parts] == ["mljournal"]
    assert run.meta.params == {"lr": "0.1"}


def test_notes_do_not_pile_up_when_a_run_is_read_again_from_the_cache(tmp_path):
    folder = tmp_path / "a-1"
    folder.mkdir()
    (folder / "metrics.csv").write_text("step,loss\n1,0.5\n")
    (folder / "training.log").write_text("epoch,loss\n0,0.4\n")
    old = 1_600_000_000
    for path in folder.iterdir():
        os.utime(path, (old, old))
    from mljournal.reading.cache import PartCache

    cache = PartCache(tmp_path / ".cache")
    for _ in range(3):
        run, _ = read_run("a-1", folder, tmp_path, cache)
    assert [part.notes for part in run.parts] == [[], ["'loss' is also in mljournal's files; that one is shown"]]


def test_an_unwritable_cache_costs_time_not_data(tmp_path):
    folder = tmp_path / "a-1"
    folder.mkdir()
    (folder / "metrics.csv").write_text("step,loss\n1,0.5\n")
    os.utime(folder / "metrics.csv", (1_600_000_000, 1_600_000_000))
    (tmp_path / ".cache").write_text("a file where the cache folder should be")
    from mljournal.reading.cache import PartCache

    run, diagnostics = read_run("a-1", folder, tmp_path, PartCache(tmp_path / ".cache"))
    assert diagnostics == [] and list(run.metrics["loss"].values) == [0.5]


def test_a_line_over_a_mebibyte_is_skipped_with_a_warning_and_not_held(tmp_path):
    run, messages = run_of(tmp_path, {"metrics.csv": "step,loss\n1,0.5\n2," + "9" * (2 << 20) + "\n3,0.25\n"})
    assert list(run.metrics["loss"].steps) == [1, 3]
    assert messages == ["a-1/metrics.csv:3: line over 1 MiB; skipped"]


def test_a_resumed_csv_log_may_add_columns(tmp_path):
    run, messages = run_of(tmp_path, {"training.log": "epoch,loss\n0,0.5\nepoch,loss,val_loss\n1,0.4,0.6\n"})
    assert messages == []
    assert {m: list(s.values) for m, s in run.metrics.items()} == {"loss": [0.5, 0.4], "val_loss": [0.6]}


def test_the_recorder_refuses_to_mix_runs_and_resumes_when_asked(tmp_path):
    run = mljournal.start("a-1", journal=tmp_path, record_git=False)
    run.log(step=0, loss=1.0)
    with pytest.raises(mljournal.RecordingError, match="already holds a run .*pass resume=True"):
        mljournal.start("a-1", journal=tmp_path, record_git=False)  # the cell run again
    assert run.finished and run.meta["status"] == "done"  # its cell ran to its end
    metrics = tmp_path / "runs" / "a-1" / "metrics.jsonl"
    with open(metrics, "a") as handle:
        handle.write('{"step": 1, "lo')  # a killed process's last, partial line
    again = mljournal.start("a-1", journal=tmp_path, record_git=False, resume=True)
    again.log(loss=0.5)
    again.finish()
    assert metrics.read_text().splitlines() == ['{"step": 0, "loss": 1.0}', '{"step": 1, "lo', '{"step": 1, "loss": 0.5}']
    run, diagnostics = read_run("a-1", tmp_path / "runs" / "a-1", tmp_path)
    assert list(run.metrics["loss"].values) == [1.0, 0.5]
    assert [str(d) for d in diagnostics] == ["runs/a-1/metrics.jsonl:2: not a JSON object; line skipped"]


def values_of(series):
    return list(zip(series.steps, series.values))


def test_a_cell_run_again_resumes_keeping_what_was_recorded_or_restarts_keeping_the_attempt(project):
    """resume=True wrote "params": {} over the first attempt's and overwrote started and
    command; starting again meant moving folders by hand."""
    from test_pages import build

    journal = project.root / "journal"
    first = mljournal.start("a-1", params={"lr": 1e-3, "depth": 4}, journal=journal, record_git=False)
    for step in range(3):
        first.log(step=step, loss=1.0 / (step + 1))
    first.screenshot(__import__("PIL.Image", fromlist=["Image"]).new("RGB", (8, 8)), "first-look")
    started = first.meta["started"]
    second = mljournal.start("a-1", params={"lr": 3e-4}, journal=journal, record_git=False, resume=True)
    assert first.meta["status"] == "done"
    second.log(loss=0.2)
    second.finish()
    meta = json.loads((project.runs / "a-1" / "run.json").read_text())
    assert meta["started"] == started and meta["params"] == {"lr": 3e-4, "depth": 4}
    assert meta["param_changes"] == [{"name": "lr", "before": 1e-3, "after": 3e-4, "attempt": 2}]
    assert [(a["status"], a["last_step"]) for a in meta["attempts"]] == [("done", 2), ("done", 3)]
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nAgain.\n")
    build(project, strict=True)
    assert ('<th class="mj-param">lr</th><td><code>0.0003</code> <small>(was <code>0.001</code> until attempt 2)'
            '</small></td>') in project.page("models/a-1")
    fourth = mljournal.start("a-1", journal=journal, record_git=False, resume=True)  # from a checkpoint at step 1
    fourth.log(step=1, loss=0.7)
    fourth.log(step=2, loss=0.6)
    fourth.finish()
    run, _ = read_run("a-1", project.runs / "a-1", project.root)
    assert values_of(run.metrics["loss"]) == [(0, 1.0), (1, 0.5), (2, 1 / 3), (3, 0.2)]  # never written over
    assert values_of(run.metrics["loss (attempt 3)"]) == [(1, 0.7), (2, 0.6)]
    meta = json.loads((project.runs / "a-1" / "run.json").read_text())
    assert meta["attempts"][-1]["curves"] == ("its steps went back to 1 (earlier attempts reached 3): logged as "
                                              "'<metric> (attempt 3)'")
    with pytest.raises(mljournal.RecordingError, match=r"resume='again': pass False, True \(or 'resume'\) or 'restart'"):
        mljournal.start("a-1", journal=journal, record_git=False, resume="again")
    third = mljournal.start("a-1", params={"lr": 1e-4}, journal=journal, record_git=False, resume="restart")
    third.log(step=0, loss=0.9)
    third.finish()
    folder = project.runs / "a-1"
    assert sorted(p.relative_to(folder).as_posix() for p in (folder / "attempts").rglob("*") if p.is_file()) == [
        "attempts/1/metrics.jsonl", "attempts/1/run.json", "attempts/1/screenshots/first-look.png"]
    meta = json.loads((folder / "run.json").read_text())
    assert meta["params"] == {"lr": 1e-4} and meta["started"] == meta["attempts"][-1]["started"]
    assert [(a["status"], a.get("kept_in")) for a in meta["attempts"]] == [
        ("done", "attempts/1"), ("done", "attempts/1"), ("done", "attempts/1"), ("done", None)]
    build(project, strict=True)
    page = project.page("models/a-1")
    assert '<p class="mj-table-title">Attempts (4)</p>' in page
    assert "<small>(its steps went back to 1 (earlier attempts reached 3): logged as" in page
    assert page.count("<code>attempts/1/</code>") == 3 and "first-look" not in page
    run, _ = read_run("a-1", folder, project.root)
    assert list(run.metrics["loss"].values) == [0.9]


def test_the_recorder_refuses_a_metric_named_step_and_numbers_unnamed_screenshots(tmp_path):
    from PIL import Image

    run = mljournal.start("a-1", journal=tmp_path, record_git=False)
    with pytest.raises(mljournal.RecordingError, match="'step' is the step, not a metric"):
        run.log({"step": 7}, step=3)
    names = [run.screenshot(Image.new("RGB", (4, 4))).name for _ in range(3)]
    run.finish()
    assert names == ["figure.png", "figure-2.png", "figure-3.png"]


def test_a_half_written_trainer_state_falls_back_to_the_newest_checkpoint(tmp_path):
    state = {"global_step": 10, "log_history": [{"step": 5, "loss": float("nan")}, {"step": 10, "loss": float("inf")},
                                                 {"step": 10, "eval_loss": 0.5}]}
    run, messages = run_of(tmp_path, {
        "trainer_state.json": '{"global_step": 20, "log_history": [{"step": 5, "lo',
        "checkpoint-10/trainer_state.json": json.dumps(state),  # bare NaN and Infinity, as Python writes them
    })
    assert messages == ["a-1/trainer_state.json:1: not valid JSON (Unterminated string starting at); ignored"]
    assert run.sources[0] == "checkpoint-10/trainer_state.json"
    assert list(run.metrics["loss"].steps) == [5, 10] and run.metrics["loss"].points() == 0
    assert list(run.metrics["eval_loss"].values) == [0.5]


WRITER = r'''
import os, sys, time, struct, zlib
runs = sys.argv[1]
png = (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
       + struct.pack(">I", zlib.crc32(b"IHDR" + struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)))
       + struct.pack(">I", 10) + b"IDAT" + zlib.compress(b"\x00\x00")[:10].ljust(10, b"\0") + b"\0\0\0\0"
       + b"\0\0\0\0IEND\xaeB`\x82")
step = 0
deadline = time.monotonic() + float(sys.argv[2])
with open(os.path.join(runs, "a-1", "metrics.csv"), "a", buffering=1) as growing:
    while time.monotonic() < deadline:
        for _ in range(100):  # about 10,000 rows a second
            step += 1
            growing.write(f"{step},{1 / step:.6f}\n")
        with open(os.path.join(runs, "b-1", "metrics.csv"), "w") as shrinking:  # cut back, then grown again
            shrinking.write("step,loss\n" + "".join(f"{n},{n}\n" for n in range(1, 1 + step % 500)))
        replaced = os.path.join(runs, "c-1", "metrics.jsonl")
        with open(replaced + ".tmp", "w") as new:
            new.write("".join(f'{{"step": {n}, "acc": 0.5}}\n' for n in range(1, 50)))
        os.replace(replaced + ".tmp", replaced)  # an atomic save
        shot = os.path.join(runs, "d-1", "shot.png")
        if step % 200 == 0 and os.path.exists(shot):
            os.remove(shot)
        else:
            with open(shot, "wb") as image:
                image.write(png[: step % len(png)])  # half written
        if step % 300 == 0:
            os.remove(os.path.join(runs, "d-1", "metrics.csv"))
        else:
            with open(os.path.join(runs, "d-1", "metrics.csv"), "w") as vanishing:
                vanishing.write("step,x\n1,2\n2,3\n")
        time.sleep(0.01)
'''


def test_files_growing_shrinking_replaced_and_vanishing_during_builds_never_break_one(project):
    """A writer appends 10,000 rows a second to one run, cuts another back and grows it
    again, replaces a third by rename, and writes, half-writes and deletes a screenshot and
    a metrics file of a fourth, while the site is built again and again: every build
    finishes, with at most warnings, never "a bug"."""
    import subprocess
    import sys

    for model in ("a-1", "b-1", "c-1", "d-1"):
        project.entry(f"2026-10-01-{model}.md", f"---\ndate: 2026-10-01\nmodel: {model}\n---\ntext\n")
        project.run_file(model, "metrics.csv" if model != "c-1" else "metrics.jsonl",
                         "step,loss\n" if model != "c-1" else '{"step": 1, "acc": 0.5}\n')
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(project.runs), "60"])
    said: set[str] = set()
    try:
        for _ in range(8):
            done = subprocess.run([sys.executable, "-m", "mljournal", "build", "--force"], cwd=project.root,
                                  capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            assert "unexpected" not in done.stderr and "Traceback" not in done.stderr, done.stderr
            assert done.stdout.startswith("Built "), done.stdout
            said.update(line.split(": ", 1)[1] for line in done.stderr.splitlines())
    finally:
        writer.kill()
        writer.wait()
    assert all((project.root / "site" / "models" / m / "index.html").is_file() for m in ("a-1", "b-1", "c-1", "d-1"))
    assert all(line.startswith("journal/runs/d-1/") for line in said), said  # a file gone mid-read is named


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_a_screenshot_deleted_after_it_was_read_and_before_it_was_copied_is_a_warning(project, cli, monkeypatch,
                                                                                      engine):
    """The case the writer above hits now and then, made certain: the image is gone between
    the page that shows it and the engine's copy of it."""
    from mljournal.rendering import changes
    from test_pages import png

    project.entry("2026-10-01-d-1.md", "---\ndate: 2026-10-01\nmodel: d-1\n---\ntext\n")
    project.run_file("d-1", "metrics.csv", "step,loss\n1,0.5\n")
    shot = project.run_file("d-1", "shot.png", png(100, 50))
    rendered = changes.render_site

    def render_then_delete(*args, **kwargs):
        site = rendered(*args, **kwargs)
        shot.unlink(missing_ok=True)
        return site

    monkeypatch.setattr(changes, "render_site", render_then_delete)
    result = cli("build", "--engine", engine)
    assert result.exit_code == 0, result.output
    assert "warning: journal/runs/d-1/shot.png: skipped: deleted while the site was built\n" in result.output
    assert not (project.root / "site" / "runs" / "d-1" / "shot.png").exists()
    assert (project.root / "site" / "models" / "d-1" / "index.html").is_file()
