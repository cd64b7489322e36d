"""The hosted trackers' offline runs, read in place: W&B, ClearML, Neptune (offline log and the
exporter's Parquet files) and Comet, finished and killed. The folders are the real SDKs'
output (examples/tool_runs/make_tracker_fixtures.py); the values they are compared with come
from each tool's own reading of them (tests/fixtures/tools/expected-trackers.json)."""

from __future__ import annotations

import json
import math
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from mljournal.reading.formats import UNFINISHED
from mljournal.reading.runs import Run, read_run
from test_formats import assert_series

FIXTURES = Path(__file__).parent / "fixtures" / "tools"
EXPECTED = json.loads((FIXTURES / "expected-trackers.json").read_text())["cases"]
FINISHED = ["wandb", "clearml", "neptune", "comet", "neptune-export"]
KILLED = ["wandb-killed", "clearml-killed", "neptune-killed"]
# the loop's metrics, as every tool names them (tracker_loop.py logs "train/loss" …)
LOOP_METRICS = ["train/acc", "train/loss", "val/acc", "val/loss", "weird"]
LOOP_PARAMS = {"optimizer.lr": "0.001", "optimizer.name": "adam", "batch_size": "32", "dropout": "0.1", "seed": "7"}


def copy(case: str, tmp_path: Path, name: str | None = None) -> Path:
    """The fixture copied as `cp -a` would (its symbolic links kept, the broken one too)."""
    return shutil.copytree(FIXTURES / case, tmp_path / (name or f"{case}-1"), symlinks=True)


def read(folder: Path) -> tuple[Run, list[str]]:
    run, diagnostics = read_run(folder.name, folder, folder.parent)
    return run, [str(d) for d in diagnostics]


def param(run: Run, name: str) -> str:
    """A loop parameter under the name each tool gives it (ClearML: General/optimizer/lr;
    Neptune: parameters/optimizer/lr; W&B and Comet: optimizer.lr)."""
    params = run.params
    for candidate in (name, "General/" + name.replace(".", "/"), "parameters/" + name.replace(".", "/")):
        if candidate in params:
            return params[candidate]
    raise AssertionError(f"{name} not in {sorted(params)}")


@pytest.mark.parametrize("case", FINISHED + KILLED)
def test_each_trackers_run_has_the_tools_metrics_parameters_and_images(case, tmp_path):
    run, diagnostics = read(copy(case, tmp_path))
    assert diagnostics == []
    expected = EXPECTED[case]
    names = sorted(name for name in expected["metrics"] if name != "process duration")  # Comet's own
    assert sorted(run.metrics) == names
    for name in names:
        assert_series(run, name, expected["metrics"][name])
    for name, value in LOOP_PARAMS.items():
        assert param(run, name) == value, name
    images = sorted((shot.name.split("/")[-1].split(".")[0], shot.caption) for shot in run.screenshots)
    assert [step for step, _ in images] == ["15", "5"], images
    assert all(" at step " in caption for _, caption in images)


@pytest.mark.parametrize("case", KILLED + ["comet-killed"])
def test_a_killed_run_is_read_up_to_its_last_whole_record_and_marked_not_finished(case, tmp_path):
    run, diagnostics = read(copy(case, tmp_path))
    assert diagnostics == []
    assert run.meta.status == UNFINISHED
    notes = " ".join(note for part in run.parts for note in part.notes)
    assert "did not finish" in notes or "did not close" in notes
    if case != "comet-killed":
        last = max(series.steps[-1] for series in run.metrics.values())
        assert last == max(stats["last_step"] for stats in EXPECTED[case]["metrics"].values())
        assert 200 < last < 300  # the loop was killed at step 300 of 1000


def test_finished_runs_say_how_they_ended_and_what_the_tool_could_not_keep(tmp_path):
    statuses = {case: read(copy(case, tmp_path))[0].meta.status for case in FINISHED}
    assert statuses == {"wandb": "done", "clearml": "done", "comet": "done", "neptune": None, "neptune-export": None}
    clearml, _ = read(tmp_path / "clearml-1")
    assert "ClearML wrote NaN and infinity as 0.0 (its log says so): those points are 0.0 here too" in clearml.parts[0].notes
    assert clearml.parts[0].results == {"summary": {"best_val_acc": 0.932856, "weird_final": 0.0}}
    wandb, _ = read(tmp_path / "wandb-1")
    assert wandb.parts[0].results == {"summary": {"best_val_acc": EXPECTED["wandb"]["summary"]["best_val_acc"]}}
    weird = dict(zip(wandb.metrics["weird"].steps, wandb.metrics["weird"].values))
    assert math.isnan(weird[3]) and weird[4] == math.inf and weird[5] == -math.inf
    comet, _ = read(tmp_path / "comet-1")
    assert "curr_step" not in comet.params and "process duration" not in comet.metrics
    assert comet.meta.other["tags"] == "baseline, digits"


def test_a_clearml_session_copied_as_its_zip_alone_reads_the_same(tmp_path):
    folder = copy("clearml", tmp_path)
    whole, _ = read(folder)
    for inner in folder.iterdir():
        if inner.is_dir():
            shutil.rmtree(inner)
    zipped, diagnostics = read(folder)
    assert diagnostics == []
    assert {name: list(series.values) for name, series in zipped.metrics.items()} == \
           {name: list(series.values) for name, series in whole.metrics.items()}
    assert zipped.params == whole.params and zipped.meta.status == "done"
    assert [shot.name for shot in zipped.screenshots] == [shot.name for shot in whole.screenshots]


# --- damaged and hostile files ----------------------------------------------------------------


def wandb_file(folder: Path) -> Path:
    return next(folder.glob("wandb/*-run-*/run-*.wandb"))


def test_a_wandb_file_cut_anywhere_gives_what_came_before_the_cut(tmp_path):
    folder = copy("wandb-killed", tmp_path)
    target = wandb_file(folder)
    data = target.read_bytes()
    previous = 0
    for cut in (7, 100, 32768, 32768 + 3, 50000, 65536 + 7, len(data) - 1):
        target.write_bytes(data[:cut])
        run, diagnostics = read(folder)
        assert diagnostics == [], cut
        steps = max((s.steps[-1] for s in run.metrics.values()), default=-1)
        assert steps >= previous - 1 and run.meta.status == UNFINISHED
        previous = steps


def test_a_flipped_byte_loses_one_record_and_says_so(tmp_path):
    folder = copy("wandb", tmp_path)
    target = wandb_file(folder)
    whole, _ = read(folder)
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    run, diagnostics = read(folder)
    assert len(diagnostics) == 1 and "1 damaged record(s) skipped (checksum mismatch at byte" in diagnostics[0]
    lost = sum(len(whole.metrics[n].steps) - len(run.metrics.get(n, whole.metrics[n]).steps) for n in whole.metrics)
    assert 0 <= lost <= len(whole.metrics)  # at most one step's values
    assert run.meta.status == "done"  # the exit record came after the damage


def test_a_file_that_is_not_a_wandb_file_is_named(tmp_path):
    folder = copy("wandb", tmp_path)
    wandb_file(folder).write_bytes(b"SQLite format 3\0" + bytes(100))
    run, diagnostics = read(folder)
    assert diagnostics == [f"{folder.name}/{wandb_file(folder).relative_to(folder).as_posix()}: "
                           "not a W&B record file (no ':W&B' header); ignored"]


def test_a_neptune_log_cut_mid_line_is_read_to_its_last_whole_line(tmp_path):
    folder = copy("neptune", tmp_path)
    log = next(folder.glob(".neptune/offline/*/data-1.log"))
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:60]) + lines[60][:25])
    run, diagnostics = read(folder)
    assert diagnostics == []
    assert run.meta.status == UNFINISHED
    assert "its log ends at operation 60 of 116 (last_put_version)" in " ".join(run.parts[0].notes)


def test_a_zip_that_is_not_a_zip_is_named_and_the_folder_still_builds(tmp_path):
    folder = copy("comet", tmp_path)
    archive = next(folder.glob("*.zip"))
    archive.write_bytes(b"PK\x03\x04 this is not really a zip")
    run, diagnostics = read(folder)
    assert diagnostics == [f"{folder.name}/{archive.name}: not a zip archive; ignored"]
    assert run.metrics == {}


def test_steps_at_two_to_the_31_and_nan_and_infinities_everywhere(tmp_path):
    folder = tmp_path / "big-1"
    folder.mkdir()
    messages = [
        {"type": "metric_msg", "payload": {"metric": {"metricName": "loss", "metricValue": value, "step": step}}}
        for step, value in ((0, "NaN"), (1, "Infinity"), (2, "-Infinity"), (2**31, 0.5), (2**31 + 1, 1e308))
    ]
    with zipfile.ZipFile(folder / ("ab" * 16 + ".zip"), "w") as archive:
        archive.writestr("experiment.json", json.dumps({"start_time": 1, "stop_time": 2}))
        archive.writestr("messages.json", "\n".join(json.dumps(m) for m in messages) + "\n")
    run, diagnostics = read(folder)
    assert diagnostics == []
    loss = run.metrics["loss"]
    assert list(loss.steps) == [0, 1, 2, 2**31, 2**31 + 1]
    assert [str(v) for v in loss.values] == ["nan", "inf", "-inf", "0.5", "1e+308"]


def test_a_neptune_export_without_pyarrow_names_the_extra(tmp_path, monkeypatch):
    folder = copy("neptune-export", tmp_path)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    run, diagnostics = read(folder)
    assert diagnostics == [f"{folder.name}/data/lab_digits/DIG-1_part_0.parquet: a Neptune export in Parquet files; "
                           "reading them needs pyarrow: pip install 'mljournal[parquet]'"]
    assert run.metrics == {}


def test_a_damaged_parquet_file_is_named(tmp_path):
    folder = copy("neptune-export", tmp_path)
    (folder / "data/lab_digits/DIG-1_part_0.parquet").write_bytes(b"PAR1 not really")
    run, diagnostics = read(folder)
    assert len(diagnostics) == 1 and diagnostics[0].startswith(
        f"{folder.name}/data/lab_digits/DIG-1_part_0.parquet: not a readable Parquet file (")


def test_each_trackers_folder_in_a_journal_gives_a_model_page(project):
    from test_pages import build, content

    for case in FINISHED + KILLED + ["comet-killed"]:
        shutil.copytree(FIXTURES / case, project.runs / f"{case}-1", symlinks=True)
        project.entry(f"2026-11-01-{case}-1.md", f"---\ndate: 2026-11-01\nmodel: {case}-1\n---\nTried {case}.\n")
    build(project, strict=True)
    wandb = content(project.page("models/wandb-1"))
    assert "val/loss 0.1677 19 0.1677 19 20" in wandb
    assert "optimizer.lr 0.001" in wandb and "samples at step 15" in wandb
    killed = content(project.page("models/wandb-killed-1"))
    assert "status not finished" in killed
    assert "the run did not finish: its record file ends without an exit record; read up to its last whole record (step 289)" in killed
    comet = content(project.page("models/comet-killed-1"))
    assert "Comet writes its zip when the experiment ends, and this one is empty" in comet
    export = content(project.page("models/neptune-export-1"))
    assert "Read from Neptune export: data/lab_digits/DIG-1_part_0.parquet" in export
    for case in FINISHED + KILLED:  # images are published under their step, the tools' files never
        published = sorted(p.relative_to(project.root / "site/runs").as_posix()
                           for p in (project.root / "site/runs" / f"{case}-1").rglob("*") if p.is_file())
        assert len(published) == 2 and all(p.rsplit("/", 1)[1] in ("5.png", "15.png", "5.jpeg", "15.jpeg") for p in published), published


def test_a_neptune_run_folder_copied_out_of_its_hidden_folder_reads_the_same(tmp_path):
    folder = copy("neptune", tmp_path)
    whole, _ = read(folder)
    (inner,) = (folder / ".neptune/offline").iterdir()
    moved = tmp_path / "moved-1"
    shutil.copytree(inner, moved / inner.name)
    run, diagnostics = read(moved)
    assert diagnostics == []
    assert {n: list(s.values) for n, s in run.metrics.items()} == {n: list(s.values) for n, s in whole.metrics.items()}


def test_several_runs_in_one_folder_show_the_newest_and_name_the_others(tmp_path):
    folder = copy("wandb", tmp_path)
    (older,) = (folder / "wandb").glob("offline-run-*")
    earlier = older.with_name("offline-run-20250101_000000-aaaaaaaa")
    shutil.copytree(older, earlier, symlinks=True)
    (earlier / f"run-{older.name.rsplit('-', 1)[1]}.wandb").rename(earlier / "run-aaaaaaaa.wandb")
    run, _ = read(folder)
    assert run.parts[0].files == [(older / f"run-{older.name.rsplit('-', 1)[1]}.wandb").relative_to(folder).as_posix()]
    assert run.parts[0].notes == [
        "left alone (the SDK's own logs and files): wandb/debug-internal.log, wandb/debug.log, files/requirements.txt, "
        "logs/debug-internal.log, logs/debug.log",
        f"run wandb/{older.name} is shown; also here: wandb/{earlier.name}"]
