"""Run folders written by the real tools (tests/fixtures/tools/, made by
examples/tool_runs/make_fixtures.py), read by the journal and compared with what each tool's
own reader returned (tests/fixtures/tools/expected.json)."""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
from pathlib import Path

import pytest

from conftest import MINIMAL_CONFIG
from mljournal.reading.runs import Run, best, last, read_run

FIXTURES = Path(__file__).parent / "fixtures" / "tools"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())["cases"]
# Bookkeeping the Trainer logs in log_history rows, which the journal does not plot: the x
# axis, throughput counters, and the final summary row (shown as the "train" results).
HF_NOT_SERIES = ("epoch", "total_flos", "train_loss", "train_runtime", "train_samples_per_second",
                 "train_steps_per_second", "eval_runtime", "eval_samples_per_second", "eval_steps_per_second")


def read(case: str, tmp_path: Path | None = None, model_id: str | None = None) -> Run:
    folder = FIXTURES / case
    if tmp_path is not None:
        folder = shutil.copytree(FIXTURES / case, tmp_path / (model_id or case))
    run, diagnostics = read_run(folder.name, folder, folder.parent)
    assert [str(d) for d in diagnostics] == []
    return run


def number(value: object) -> float:
    return float(value) if not isinstance(value, str) else float(value.replace("inf", "inf"))


def assert_series(run: Run, name: str, expected: dict) -> None:
    assert name in run.metrics, f"{name} not in {sorted(run.metrics)}"
    series = run.metrics[name]
    duplicates = expected.get("duplicate_steps", {})
    extra = sum(len(values) - 1 for values in duplicates.values())
    assert series.points() == expected["points_finite"] - extra, name
    assert (series.steps[0], series.steps[-1]) == (expected["first_step"], expected["last_step"]), name
    by_step = dict(zip(series.steps, series.values))
    for step, values in duplicates.items():  # the last value written for a step wins
        assert by_step[int(step)] == pytest.approx(number(values[-1])), name
    final = last(series)
    if isinstance(expected["last_value"], (int, float)):
        assert final[1] == pytest.approx(expected["last_value"], rel=1e-6), name
    finite = [v for v in series.values if math.isfinite(v)]
    if not duplicates and finite:
        assert min(finite) == pytest.approx(expected["min"], rel=1e-6)
        assert max(finite) == pytest.approx(expected["max"], rel=1e-6)
        assert best(series, "min")[1] == pytest.approx(expected["min"], rel=1e-6)
    for step, value in expected.get("nonfinite", []):
        assert str(by_step[step]) == value, (name, step)


def same_params(ours: dict[str, str], theirs: dict) -> None:
    for key, value in theirs.items():
        assert key in ours, f"{key} not in {sorted(ours)}"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            assert float(ours[key]) == pytest.approx(value), key
        elif isinstance(value, str):
            assert ours[key] == value, key


def tensorboard_name(run_folder: str, tag: str) -> str:
    return tag if run_folder == "." or run_folder.replace(".", "").isdigit() else f"{run_folder}/{tag}"


@pytest.mark.parametrize("case", ["tensorboard-pytorch", "tensorboard-tf2", "keras-tensorboard"])
def test_tensorboard_scalars_images_and_hparams_match_tensorboards_own_reader(case):
    run = read(case)
    expected = EXPECTED[case]["tensorboard"]
    shots = {shot.caption: shot for shot in run.screenshots if shot.data}
    for folder, found in expected.items():
        for kind in ("scalars", "tensor_scalars"):
            for tag, stats in found.get(kind, {}).items():
                assert_series(run, tensorboard_name(folder, tag), stats)
        for tag, images in found.get("images", {}).items():
            for image in images:
                caption = f"{tensorboard_name(folder, tag)} at step {image['step']}"
                assert hashlib.sha256(shots[caption].data).hexdigest() == image["sha256"], caption
        if "hparams" in found:
            tb = next(part for part in run.parts if part.tool == "TensorBoard")
            same_params(tb.params, found["hparams"])
    # text summaries, Keras' model graph and hparams bookkeeping are not metrics
    assert not [m for m in run.metrics if "notes" in m or m.endswith("keras") or "_hparams_" in m]


@pytest.mark.parametrize("case", ["hf-trainer", "hf-trainer-4x"])
def test_hf_trainer_metrics_checkpoints_results_and_config(case):
    run = read(case)
    expected = EXPECTED[case]
    for name, stats in expected["metrics"].items():
        if name not in HF_NOT_SERIES:
            assert_series(run, name, stats)
    assert not set(HF_NOT_SERIES) & set(run.metrics)
    (part,) = [p for p in run.parts if p.tool == "Hugging Face Trainer"]
    (table,) = part.tables
    step, saved = table.columns.index("step"), table.columns.index("checkpoint")
    assert [(row[step], row[saved]) for row in table.rows] == [(c["step"], c["name"]) for c in expected["checkpoints"]]
    for row, checkpoint in zip(table.rows, expected["checkpoints"]):
        for column in ("eval_accuracy", "eval_loss"):
            assert row[table.columns.index(column)] == pytest.approx(checkpoint["eval"][column])
    assert table.rows[table.best][saved] == expected["best_checkpoint_name"]
    assert f"eval_accuracy = {expected['best_metric']}" in table.title
    for split in ("train", "eval", "test"):
        for name, value in expected["results"][split].items():
            if not name.endswith(("_per_second", "flos")):
                shown = name.removeprefix(f"{split}_")
                assert part.results[split][shown] == pytest.approx(value), (split, name)
    same_params(part.params, {k: v for k, v in expected["params"].items() if not isinstance(v, (list, dict))})
    # the Trainer's TensorBoard copy of log_history is not read twice; no pickle is opened
    assert not [f for f in run.sources if "tfevents" in f or f.endswith(".bin")]


def test_keras_csvlogger_na_cells_are_missing_values():
    run = read("keras-tensorboard")
    csv = EXPECTED["keras-tensorboard"]["csv"]
    assert csv["na_literal_cells"] > 0
    for name, stats in csv["metrics"].items():
        assert_series(run, name, stats)
    assert run.metric_tool["val_loss"] == "Keras CSVLogger"


def test_lightning_newest_version_with_hparams_and_the_older_one_noted():
    run = read("lightning-csv")
    versions = EXPECTED["lightning-csv"]["versions"]
    newest = versions[max(versions, key=lambda v: int(v.split("_")[1]))]
    for name, stats in newest["metrics"].items():
        assert_series(run, name, stats)
    assert "epoch" not in run.metrics
    (part,) = run.parts
    same_params(part.params, newest["hparams"])
    assert part.notes == ["version lightning_logs/version_1 is shown; also here: version_0"]


@pytest.mark.parametrize("case", ["mlflow-filestore", "mlflow-sqlite"])
def test_mlflow_store_newest_run_metrics_params_and_its_artifacts_only(case):
    run = read(case)
    runs = EXPECTED[case]["experiments"]["tiny-exp"]["runs"]
    (part,) = [p for p in run.parts if p.tool == "MLflow"]
    shown = part.extra["run name"]
    expected = runs[shown]
    for name, stats in expected["metrics"].items():
        assert_series(run, name, stats)
    assert part.params == expected["params"]
    assert part.meta["commit"] == expected["tags"]["mlflow.source.git.commit"]
    assert part.meta["status"] == "done"
    assert part.notes == [f"MLflow run {shown} is shown; also in this store: {(set(runs) - {shown}).pop()}"]
    # only this run's artifacts, and not MLflow's +compressed.webp copies
    images = [shot.name for shot in run.screenshots]
    assert images and all(expected["run_id"] in name and "compressed" not in name for name in images)


def test_mlflow_run_named_like_the_model_is_the_one_shown(tmp_path):
    run = read("mlflow-sqlite", tmp_path, model_id="baseline")
    assert next(p for p in run.parts if p.tool == "MLflow").extra["run name"] == "baseline"
    expected = EXPECTED["mlflow-sqlite"]["experiments"]["tiny-exp"]["runs"]["baseline"]
    assert_series(run, "eval/loss", expected["metrics"]["eval/loss"])


def test_dvclive_metrics_params_latest_values_and_images():
    run = read("dvclive")
    expected = EXPECTED["dvclive"]
    for name, stats in expected["metrics"].items():
        assert_series(run, name, stats)
    (part,) = run.parts
    assert sorted(part.params) == sorted(expected["params"])
    assert part.results["latest"]["acc"] == pytest.approx(expected["metrics_json"]["acc"])
    assert [shot.name for shot in run.screenshots] == ["dvclive/plots/images/sample.png"]


def test_sacred_run_config_metrics_result_and_artifact():
    run = read("sacred")
    expected = EXPECTED["sacred"]["runs"]["1"]
    for name, stats in expected["metrics"].items():
        assert_series(run, name, stats)
    (part,) = run.parts
    same_params(part.params, expected["config"])
    assert part.results["result"]["final_loss"] == pytest.approx(expected["result"]["final_loss"])
    assert run.meta.status == "done" and run.meta.command == f"{expected['mainfile']} {expected['command']}"
    assert [shot.name for shot in run.screenshots] == ["1/sample.png"]


# --- the model pages of a journal whose runs are the tools' folders ----------------------------


def test_each_tools_run_folder_gives_a_model_page(project):
    from test_pages import build, content

    cases = sorted(EXPECTED)
    for case in cases:
        shutil.copytree(FIXTURES / case, project.runs / f"{case}-1")
        project.entry(f"2026-11-01-{case}-1.md", f"---\ndate: 2026-11-01\nmodel: {case}-1\n---\nTried {case}.\n")
    build(project, strict=True)
    hf = content(project.page("models/hf-trainer-1"))
    assert "Checkpoints (best: step 16, eval_accuracy = 0.96875)" in hf
    assert "16 2 checkpoint-16 0.9688 0.3910" in hf
    assert "Read from Hugging Face Trainer: trainer_state.json , config.json , eval_results.json" in hf
    tb = project.page("models/tensorboard-pytorch-1")
    assert "samples/gradient at step 49" in tb and 'src="../../runs/tensorboard-pytorch-1/tensorboard/samples/gradient/step-49.png"' in tb
    assert (project.root / "site/runs/tensorboard-pytorch-1/tensorboard/samples/gradient/step-49.png").is_file()
    lightning = content(project.page("models/lightning-csv-1"))
    assert "version lightning_logs/version_1 is shown; also here: version_0" in lightning
    for case in cases:  # nothing but images is published from the run folders
        published = [p.name for p in (project.root / "site/runs" / f"{case}-1").rglob("*") if p.is_file()]
        assert all(name.endswith((".png", ".webp", ".jpg")) for name in published), (case, published)
    assert not list((project.root / "site").rglob("*.bin")) and not list((project.root / "site").rglob("mlflow.db"))


# --- runs still being written, damaged and hostile files ---------------------------------------


def test_a_tensorboard_file_being_written_is_read_up_to_its_last_whole_record(tmp_path):
    source = next((FIXTURES / "tensorboard-tf2").glob("events.out.tfevents.*"))
    whole = read("tensorboard-tf2").metrics["loss"]
    data = source.read_bytes()
    folder = tmp_path / "a-1"
    folder.mkdir()
    target = folder / source.name
    for cut in (len(data) - 1, len(data) - 5, len(data) // 2, 30):
        target.write_bytes(data[:cut])
        run, diagnostics = read_run("a-1", folder, tmp_path)
        assert diagnostics == []
        shown = run.metrics.get("loss")
        points = shown.points() if shown else 0
        assert points <= whole.points() and list(shown.steps if shown else []) == list(whole.steps[:points])


def test_damaged_tensorboard_records_are_reported_with_their_offsets(tmp_path):
    from mljournal.reading.formats.tfevents import Event, read_events

    source = next((FIXTURES / "tensorboard-tf2").glob("events.out.tfevents.*"))
    offsets = [event.offset for event in read_events(source) if isinstance(event, Event)]
    data = bytearray(source.read_bytes())
    third, tenth = offsets[3], offsets[10]
    data[third + 12] = 0x07  # the payload starts with a field of wire type 7, which does not exist
    data[tenth] ^= 0x01  # the length no longer matches its checksum
    folder = tmp_path / "a-1"
    folder.mkdir()
    (folder / source.name).write_bytes(bytes(data))
    run, diagnostics = read_run("a-1", folder, tmp_path)
    assert [str(d) for d in diagnostics] == [
        f"a-1/{source.name}: byte {third}: damaged record (data checksum mismatch); skipped",
        f"a-1/{source.name}: byte {tenth}: damaged record header (length checksum mismatch); the rest of the file is skipped",
    ]
    whole = read("tensorboard-tf2").metrics["loss"]
    assert 0 < run.metrics["loss"].points() < whole.points()


def test_tensorboard_records_of_our_own_making_decode(tmp_path):
    """A record built by hand: a simple_value scalar at step 7 and a header-checksum failure."""
    from mljournal.reading.formats.tfevents import encode_field as field
    from mljournal.reading.formats.tfevents import encode_record, scalar_event
    from mljournal.reading.formats.tfevents import encode_varint as varint

    folder = tmp_path / "a-1"
    folder.mkdir()
    good = scalar_event(7, {"loss": 0.5}, wall_time=1.0)
    undecodable = encode_record(b"\x0f")  # a whole record, checksums fine, of a field with wire type 7
    huge = encode_record(field(5, 2, field(1, 2, field(1, 2, b"x") + field(5, 0, varint(2**40)))))  # float_val as a varint
    (folder / "events.out.tfevents.1.host").write_bytes(good + undecodable + huge + good + b"\0" * 12 + good)
    run, diagnostics = read_run("a-1", folder, tmp_path)
    assert (list(run.metrics["loss"].steps), list(run.metrics["loss"].values)) == ([7], [0.5])
    shown = "a-1/events.out.tfevents.1.host"
    assert [str(d) for d in diagnostics] == [
        f"{shown}: byte {len(good)}: record does not decode (unsupported wire type 7); skipped",
        f"{shown}: byte {2 * len(good) + len(undecodable) + len(huge)}: damaged record header (length checksum mismatch); "
        "the rest of the file is skipped",
    ]
    assert "x" not in run.metrics


def test_a_lightning_csv_still_being_written_and_a_bad_middle_row(tmp_path):
    folder = tmp_path / "a-1" / "lightning_logs" / "version_0"
    folder.mkdir(parents=True)
    (folder / "metrics.csv").write_text(
        "epoch,step,train_loss_step,val_loss\n0,1,0.9,\n0,oops,0.8,\n0,3,0.7,\n0,3,,0.5\n0,5,0.6"
    )
    run, diagnostics = read_run("a-1", tmp_path / "a-1", tmp_path)
    assert {name: list(s.values) for name, s in run.metrics.items()} == {"train_loss_step": [0.9, 0.7], "val_loss": [0.5]}
    assert [str(d) for d in diagnostics] == [
        "a-1/lightning_logs/version_0/metrics.csv:3: step 'oops' is not a whole number; row skipped"
    ]


def test_sacred_nan_and_a_metric_with_mismatched_columns(tmp_path):
    folder = tmp_path / "a-1" / "3"
    folder.mkdir(parents=True)
    (folder / "run.json").write_text('{"status": "RUNNING", "command": "main", "experiment": {"name": "x"}}')
    (folder / "config.json").write_text('{"lr": 0.1}')
    (folder / "cout.txt").write_text("")
    (folder / "metrics.json").write_text(
        '{"loss": {"steps": [0, 1, 2], "values": [1.0, NaN, 0.5], "timestamps": []},'
        ' "acc": {"steps": [0, 1], "values": [0.5]}}'
    )
    run, diagnostics = read_run("a-1", tmp_path / "a-1", tmp_path)
    assert run.metrics["loss"].points() == 2 and run.meta.status == "running"
    assert [str(d) for d in diagnostics] == [
        "a-1/3/metrics.json: metric 'acc' needs equally long 'steps' and 'values'; skipped"
    ]


def test_mlflow_metric_file_with_a_partial_last_line_and_a_bad_one(tmp_path):
    run_folder = tmp_path / "a-1" / "mlruns" / "0" / "abc"
    (run_folder / "metrics").mkdir(parents=True)
    (run_folder / "meta.yaml").write_text("run_name: a-1\nstatus: 1\nstart_time: 1700000000000\n")
    (run_folder / "metrics" / "loss").write_text("1700000000000 1.0 0\nbroken\n1700000000001 nan 1\n1700000000002 0.5 2\n17000000")
    run, diagnostics = read_run("a-1", tmp_path / "a-1", tmp_path)
    assert list(run.metrics["loss"].steps) == [0, 1, 2] and run.metrics["loss"].points() == 2
    assert run.meta.status == "running" and run.meta.started == "2023-11-14T22:13:20+00:00"
    assert [str(d) for d in diagnostics] == ["a-1/mlruns/0/abc/metrics/loss:2: expected 'timestamp value step'; line skipped"]


def test_a_file_that_is_not_an_mlflow_database_is_a_diagnostic(tmp_path):
    (tmp_path / "a-1").mkdir()
    (tmp_path / "a-1" / "mlflow.db").write_bytes(b"not sqlite at all" * 100)
    run, diagnostics = read_run("a-1", tmp_path / "a-1", tmp_path)
    assert run.metrics == {}
    assert [str(d) for d in diagnostics] == [
        "a-1/mlflow.db: cannot read the MLflow database: file is not a database"
    ]


def test_hf_trainer_state_from_the_newest_checkpoint_when_none_at_the_root(tmp_path):
    folder = shutil.copytree(FIXTURES / "hf-trainer", tmp_path / "a-1")
    (folder / "trainer_state.json").unlink()
    shutil.rmtree(folder / "checkpoint-32")
    shutil.rmtree(folder / "runs")  # the TensorBoard copy: below, it goes further than the checkpoint
    run, diagnostics = read_run("a-1", folder, tmp_path)
    assert diagnostics == []
    assert run.sources[0] == "checkpoint-24/trainer_state.json"
    assert run.metrics["eval_loss"].steps[-1] == 24
    assert run.parts[0].notes == ["log history from checkpoint-24/trainer_state.json, the newest of 3 trainer states"]


def test_hf_trainer_tensorboard_copy_that_goes_further_than_the_saved_state_is_shown_and_the_state_named_stale(tmp_path):
    """The real Trainer's files with its last checkpoint and final state gone: a run that went on
    (or was killed) after its last save. Its TensorBoard copy, moved to logs/ as logging_dir does."""
    folder = shutil.copytree(FIXTURES / "hf-trainer", tmp_path / "a-1")
    (folder / "trainer_state.json").unlink()
    shutil.rmtree(folder / "checkpoint-32")
    (folder / "runs").rename(folder / "logs")
    run, diagnostics = read_run("a-1", folder, tmp_path)
    assert diagnostics == []
    assert run.metrics["eval_loss"].steps[-1] == 32 and "eval/loss" not in run.metrics
    stale = [n for n in run.parts[0].notes if "stale" in n]
    assert stale == ["checkpoint-24/trainer_state.json stops at step 24; the Trainer's TensorBoard copy "
                     "(logs/Nov22_06-26-47_vm) goes on to step 32, so its curves are shown: "
                     "checkpoint-24/trainer_state.json is stale (saved before the run ended)"]
    assert len([p for p in run.parts if p.tool == "TensorBoard"]) == 0  # one source, not two


def test_lightning_hparams_with_python_tags_are_shown_as_text_never_constructed(tmp_path):
    folder = tmp_path / "a-1" / "lightning_logs" / "version_0"
    folder.mkdir(parents=True)
    (folder / "metrics.csv").write_text("epoch,step,loss\n0,1,0.5\n")
    (folder / "hparams.yaml").write_text(
        "lr: 0.1\nloss_fn: !!python/object/apply:os.system ['echo owned']\nnet: !!python/name:torch.nn.ReLU ''\n"
    )
    run, diagnostics = read_run("a-1", tmp_path / "a-1", tmp_path)
    assert diagnostics == []
    assert run.parts[0].params == {
        "lr": "0.1", "loss_fn": "tag:yaml.org,2002:python/object/apply:os.system",
        "net": "tag:yaml.org,2002:python/name:torch.nn.ReLU",
    }


def test_metric_aliases_compare_one_quantity_under_two_tools_names(project):
    from test_pages import build

    project.config(MINIMAL_ALIASES)
    project.run_file("a-1", "metrics.csv", "step,eval_loss\n1,0.9\n2,0.5\n")
    project.run_file("a-2", "metrics.csv", "step,validation/epoch_loss\n1,0.8\n2,0.4\n")
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nBase.\n")
    project.entry("2026-10-02-a-2.md", "---\ndate: 2026-10-02\nmodel: a-2\nparent: a-1\n---\nKeras.\n")
    build(project, strict=True)
    home = project.page("")
    assert ('<td class="mj-num" data-label="val_loss" data-v="0.4" title="step 2, as validation/epoch_loss">'
            '<strong>0.4000</strong></td>') in home
    assert '<td class="mj-num" data-label="val_loss" data-v="0.5" title="step 2, as eval_loss">0.5000</td>' in home
    assert "Plots (dashed: parent a-1):" in project.page("models/a-2")


def test_an_alias_in_two_groups_is_a_config_error(project, cli):
    project.config(MINIMAL_ALIASES.replace("[eval_loss, validation/epoch_loss]", "[eval_loss]\n        loss: [eval_loss]"))
    result = cli("build")
    assert result.exit_code == 1
    assert "'eval_loss' is in two alias groups: val_loss and loss" in result.output


MINIMAL_ALIASES = MINIMAL_CONFIG.replace("  - journal\n", """  - journal:
      key_metrics: [val_loss]
      metric_aliases:
        val_loss: [eval_loss, validation/epoch_loss]
""")


# Real folders put the Trainer's files elsewhere. These are the real Trainer's files of the
# fixtures above, moved as the folders found in public repositories had them.
@pytest.mark.parametrize("layout", ["output", "results-checkpoints-only", "last-checkpoint", "misspelled"])
def test_hf_trainer_files_are_found_wherever_the_output_folder_is(tmp_path, layout):
    source = FIXTURES / "hf-trainer"
    folder = tmp_path / "a-1"
    if layout == "output":
        shutil.copytree(source, folder / "output")
        expected, last = "output/trainer_state.json", 32
    elif layout == "results-checkpoints-only":
        for checkpoint in ("checkpoint-16", "checkpoint-24"):
            shutil.copytree(source / checkpoint, folder / "results" / checkpoint)
        expected, last = "results/checkpoint-24/trainer_state.json", 24
    elif layout == "last-checkpoint":
        shutil.copytree(source / "checkpoint-24", folder / "last-checkpoint")
        expected, last = "last-checkpoint/trainer_state.json", 24
    else:
        for step in (16, 24):
            shutil.copytree(source / f"checkpoint-{step}", folder / f"chechpoint-{step}")
        expected, last = "chechpoint-24/trainer_state.json", 24
    run, diagnostics = read_run("a-1", folder, tmp_path)
    assert diagnostics == []
    assert run.parts[0].tool == "Hugging Face Trainer" and run.sources[0] == expected
    assert run.metrics["eval_loss"].steps[-1] == last
    table = run.parts[0].tables[0]
    assert table.rows[table.best][0] == 16  # best_global_step
    if layout == "output":
        assert set(run.parts[0].results) == {"train", "eval", "test"}  # output/*_results.json
    if layout == "misspelled":
        assert [row[2] for row in table.rows if row[2]] == ["chechpoint-16", "chechpoint-24"]


def test_a_windows_best_model_checkpoint_without_best_global_step_marks_the_best_checkpoint(tmp_path):
    """transformers 4.x writes no best_global_step; on Windows the path has backslashes."""
    folder = shutil.copytree(FIXTURES / "hf-trainer-4x", tmp_path / "a-1")
    state = json.loads((folder / "trainer_state.json").read_text())
    assert "best_global_step" not in state
    state["best_model_checkpoint"] = ".\\results\\checkpoint-24"
    (folder / "trainer_state.json").write_text(json.dumps(state))
    run, diagnostics = read_run("a-1", folder, tmp_path)
    assert diagnostics == []
    table = run.parts[0].tables[0]
    assert table.rows[table.best][0] == 24
    assert run.params["best_model_checkpoint"] == "checkpoint-24"


def test_metrics_with_no_better_show_their_last_value_only_and_bookkeeping_is_not_plotted(project):
    """The real Trainer's learning rate, gradient norm and epoch have no best; its runtime and
    throughput are bookkeeping: in the table, not in the plots. metric_goals gives a best."""
    from test_pages import build

    shutil.copytree(FIXTURES / "hf-trainer", project.runs / "hf-1")
    project.entry("2026-11-01-hf-1.md", "---\ndate: 2026-11-01\nmodel: hf-1\n---\nTried it.\n")
    build(project, strict=True)
    page = project.page("models/hf-1")
    rows = dict(re.findall(r"<tr><td>([a-z_]+)</td>(.*?)</tr>", page))
    for name in ("learning_rate", "grad_norm"):
        assert rows[name].endswith('<td class="mj-num mj-none" title="no better way: set it in metric_goals" '
                                   'colspan="2">·</td><td class="mj-num">8</td>'), name
    assert 'colspan="2"' not in rows["eval_loss"] and 'colspan="2"' not in rows["eval_accuracy"]
    plot = next((project.root / "site" / "assets" / "plots").glob("*[0-9a-f].svg")).read_text()
    assert "eval_loss" in plot and "learning_rate" in plot and "runtime" not in plot
    config = (project.root / "mkdocs.yml").read_text().replace("  - journal\n", "  - journal:\n      metric_goals: {grad_norm: min}\n")
    project.config(config)
    build(project, strict=True)
    rows = dict(re.findall(r"<tr><td>([a-z_]+)</td>(.*?)</tr>", project.page("models/hf-1")))
    assert 'colspan="2"' not in rows["grad_norm"] and 'colspan="2"' in rows["learning_rate"]


@pytest.mark.parametrize(("name", "goal"), [
    ("eval_loss", "min"), ("val_loss_epoch", "min"), ("eval_wer", "min"), ("perplexity", "min"), ("MultiClass", "min"),
    ("eval_accuracy", "max"), ("val/acc", "max"), ("eval_rougeL", "max"), ("bleu", "max"), ("eval_f1", "max"),
    ("learning_rate", None), ("train/learning_rate", None), ("grad_norm", None), ("epoch", None), ("loss_scale", None),
    ("eval_runtime", None), ("train_samples_per_second", None), ("total_flos", None), ("time_left", None),
    ("my_own_number", None),
])
def test_which_way_is_better_comes_from_the_documented_table(name, goal):
    from mljournal.reading.names import goal_of

    assert goal_of(name, {}) == goal
    assert goal_of(name, {name: "max"}) == "max"


def test_a_semicolon_keras_log_with_a_line_before_its_header_is_read_with_a_note(tmp_path):
    """Keras' CSVLogger(separator=";") as a real one wrote it, after a line the script wrote first."""
    folder = tmp_path / "a-1"
    folder.mkdir()
    (folder / "training.log").write_text(
        "run 2024-03-01 lr=0.001\n"
        "epoch;accuracy;loss;val_accuracy;val_loss\n"
        "0;0.8125;0.5312;0.8500;0.4410\n1;0.8950;0.3021;0.8800;0.3390\n")
    run, diagnostics = read_run("a-1", folder, tmp_path)
    assert diagnostics == []
    assert run.parts[0].tool == "Keras CSVLogger"
    assert list(run.metrics["val_loss"].steps) == [0, 1] and run.metrics["val_loss"].values[-1] == 0.3390
    assert run.parts[0].notes == ["training.log: line 1 before the header skipped",
                                  "training.log: cells separated by semicolons"]


def test_a_finished_log_whose_last_line_has_no_newline_keeps_its_last_epoch(tmp_path):
    import os
    import time

    from mljournal.cache import AT_REST_SECONDS

    folder = tmp_path / "a-1"
    folder.mkdir()
    log = folder / "training.log"
    log.write_text("epoch,loss,val_loss\n0,0.5,0.6\n1,0.4,0.5\n2,0.3,0.45")  # no newline at the end
    run, _ = read_run("a-1", folder, tmp_path)
    assert list(run.metrics["loss"].steps) == [0, 1]  # being written: the last line waits
    old = time.time() - AT_REST_SECONDS - 1
    os.utime(log, (old, old))
    run, diagnostics = read_run("a-1", folder, tmp_path)
    assert diagnostics == []
    assert list(run.metrics["loss"].steps) == [0, 1, 2]  # at rest: the log is finished


def test_a_catboost_info_folder_gives_learn_and_test_curves_and_its_time_as_bookkeeping(tmp_path):
    """Typed to match what CatBoost 1.2 writes into train_dir (catboost_info/): tab-separated
    curves with an `iter` column, time_left.tsv, catboost_training.json, and a TensorBoard copy
    named events.out.tfevents with no suffix."""
    from mljournal.reading.formats.tfevents import encode_record, scalar_event

    info = tmp_path / "a-1" / "catboost_info"
    (info / "learn").mkdir(parents=True)
    (info / "tmp").mkdir()
    (info / "learn_error.tsv").write_text("iter\tMultiClass\n0\t2.2011\n1\t2.1032\n2\t2.0117\n")
    (info / "test_error.tsv").write_text("iter\tMultiClass\n0\t2.2054\n1\t2.1150\n2\t2.0301\n")
    (info / "time_left.tsv").write_text("iter\tPassed\tRemaining\n0\t12\t2400\n1\t25\t2388\n2\t37\t2376\n")
    (info / "catboost_training.json").write_text(json.dumps({"meta": {
        "test_sets": ["test"], "test_metrics": [{"best_value": "Min", "name": "MultiClass"}],
        "learn_metrics": [{"best_value": "Min", "name": "MultiClass"}], "launch_mode": "Train", "parameters": "",
        "iteration_count": 200, "learn_sets": ["learn"], "name": "experiment"},
        "iterations": [{"learn": [2.2011], "iteration": 0, "passed_time": 0.012, "remaining_time": 2.4, "test": [2.2054]}]}))
    (info / "learn" / "events.out.tfevents").write_bytes(b"".join(
        encode_record(scalar_event(step, {"MultiClass": value})) for step, value in ((0, 2.2011), (1, 2.1032))))
    run, diagnostics = read_run("a-1", tmp_path / "a-1", tmp_path)
    assert diagnostics == []
    assert [p.tool for p in run.parts] == ["CatBoost"]
    assert sorted(run.metrics) == ["learn_MultiClass", "test_MultiClass", "time_passed", "time_remaining"]
    assert list(run.metrics["test_MultiClass"].values) == [2.2054, 2.1150, 2.0301]
    assert run.params["iteration_count"] == "200" and run.params["test_metrics"] == "MultiClass"
    from mljournal.reading.names import goal_of, is_bookkeeping

    assert goal_of("test_MultiClass", {}) == "min" and is_bookkeeping("time_remaining")


def test_an_event_file_with_no_suffix_is_read_as_tensorboard(tmp_path):
    source = next((FIXTURES / "tensorboard-tf2").rglob("events.out.tfevents.*"))
    folder = tmp_path / "a-1" / "logs"
    folder.mkdir(parents=True)
    shutil.copy(source, folder / "events.out.tfevents")
    run, diagnostics = read_run("a-1", tmp_path / "a-1", tmp_path)
    assert diagnostics == []
    assert run.parts[0].tool == "TensorBoard" and run.metrics


def test_a_key_metric_found_only_in_a_results_file_fills_the_home_table(project):
    """The real Trainer's test_results.json has test_accuracy; log_history has no test rows."""
    from test_pages import build

    shutil.copytree(FIXTURES / "hf-trainer", project.runs / "hf-1")
    project.entry("2026-11-01-hf-1.md", "---\ndate: 2026-11-01\nmodel: hf-1\n---\nTried it.\n")
    config = (project.root / "mkdocs.yml").read_text().replace("  - journal\n", "  - journal:\n      key_metrics: [test_accuracy]\n")
    project.config(config)
    build(project, strict=True)
    value = json.loads((FIXTURES / "hf-trainer" / "test_results.json").read_text())["test_accuracy"]
    cell = re.search(r'<td class="mj-num" data-label="test_accuracy" data-v="([^"]+)" title="([^"]+)">', project.page(""))
    assert cell and float(cell.group(1)) == value and cell.group(2) == "final result"


def test_a_lora_adapter_config_is_part_of_the_parameters(tmp_path):
    """The real Trainer's output with a PEFT adapter_config.json beside it, typed as PEFT 0.13 writes it."""
    folder = shutil.copytree(FIXTURES / "hf-trainer", tmp_path / "a-1")
    (folder / "adapter_config.json").write_text(json.dumps({
        "base_model_name_or_path": "bert-base-uncased", "peft_type": "LORA", "task_type": "SEQ_CLS", "r": 8,
        "lora_alpha": 16, "lora_dropout": 0.05, "target_modules": ["query", "value"], "inference_mode": True}))
    run, diagnostics = read_run("a-1", folder, tmp_path)
    assert diagnostics == []
    params = run.parts[0].params
    assert (params["adapter.r"], params["adapter.lora_alpha"], params["adapter.target_modules"]) == ("8", "16", '["query", "value"]')
    assert "adapter_config.json" in run.sources


def test_a_log_coming_to_rest_is_read_again_from_the_cache(tmp_path, monkeypatch):
    """The same file, untouched, a minute later: whether it is at rest is part of its cache key."""
    import os
    import time

    from mljournal import cache
    from mljournal.reading.runs import read_runs

    runs = tmp_path / "runs"
    (runs / "a-1").mkdir(parents=True)
    log = runs / "a-1" / "training.log"
    log.write_text("epoch,loss\n0,0.5\n1,0.4")
    young = time.time() - 10  # older than the racy window, younger than at rest: cached without the last line
    os.utime(log, (young, young))
    found, _ = read_runs(runs, tmp_path, tmp_path / "cache")[:2]
    assert list(found["a-1"].metrics["loss"].steps) == [0]
    later = time.time() + cache.AT_REST_SECONDS
    monkeypatch.setattr(cache.time, "time", lambda: later)
    found, _ = read_runs(runs, tmp_path, tmp_path / "cache")[:2]
    assert list(found["a-1"].metrics["loss"].steps) == [0, 1]


def test_a_file_that_ends_its_last_line_is_keyed_as_at_rest_before_it_is_and_one_that_does_not_is_not(
        tmp_path, monkeypatch):
    """Only an unended last line waits for a file to come to rest: a log written a moment ago
    that ends its lines has the key it will have at rest (it is not read again a minute later,
    and a server's first minute takes it as read), and is not listed as moving."""
    import os
    import time

    from mljournal import cache

    (tmp_path / "ended.csv").write_text("epoch,loss\n0,0.5\n")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "unended.csv").write_text("epoch,loss\n0,0.5\n1,0.4")
    young = time.time() - 10
    for name in ("ended.csv", "empty.csv", "unended.csv"):
        os.utime(tmp_path / name, (young, young))
    moving: list[str] = []
    now = {name: cache.file_key("salt", tmp_path, [name], moving) for name in ("ended.csv", "empty.csv", "unended.csv")}
    assert moving == [str(tmp_path / "unended.csv")]
    later = time.time() + cache.AT_REST_SECONDS
    monkeypatch.setattr(cache.time, "time", lambda: later)
    at_rest = {name: cache.file_key("salt", tmp_path, [name]) for name in now}
    assert now["ended.csv"] == at_rest["ended.csv"] and now["empty.csv"] == at_rest["empty.csv"]
    assert now["unended.csv"] != at_rest["unended.csv"]


def test_the_real_trainers_output_folder_with_its_logs_inside_is_one_source(tmp_path):
    """transformers 5.18 with output_dir=output, logging_dir=output/logs
    (examples/tool_runs/run_hf_trainer_variants.py): found under output/, the TensorBoard copy
    not read twice, eval_results.json from output/."""
    run, diagnostics = read_run("a-1", FIXTURES / "hf-trainer-output", tmp_path)
    assert diagnostics == []
    assert [p.tool for p in run.parts] == ["Hugging Face Trainer"]
    assert run.sources == ["output/trainer_state.json", "output/checkpoint-32/config.json", "output/eval_results.json"]
    assert run.parts[0].notes == ["log history from output/trainer_state.json, the newest of 5 trainer states",
                                  "the Trainer's TensorBoard copy (output/logs) holds the same logs; not shown twice"]
    assert sorted(run.metrics) == ["eval_accuracy", "eval_loss", "grad_norm", "learning_rate", "loss"]
    assert run.parts[0].results["eval"]["accuracy"] == 0.9375


def test_the_real_trainer_killed_between_saves_shows_its_tensorboard_copy_and_names_the_stale_state(tmp_path):
    """transformers 5.18 killed at step 30, output_dir=results, logging_dir=logs: checkpoints
    to step 24, the TensorBoard copy to step 28, no final state."""
    run, diagnostics = read_run("a-1", FIXTURES / "hf-trainer-killed", tmp_path)
    assert diagnostics == []
    assert run.sources[0] == "results/checkpoint-24/trainer_state.json"
    assert run.parts[0].notes[1] == (
        "results/checkpoint-24/trainer_state.json stops at step 24; the Trainer's TensorBoard copy (logs) goes on to "
        "step 28, so its curves are shown: results/checkpoint-24/trainer_state.json is stale (saved before the run ended)")
    assert run.metrics["loss"].steps[-1] == 28 and run.metrics["eval_loss"].steps[-1] == 24
    assert sorted(run.metrics) == ["eval_accuracy", "eval_loss", "grad_norm", "learning_rate", "loss"]
    table = run.parts[0].tables[0]
    assert [row[2] for row in table.rows] == ["results/checkpoint-8", "results/checkpoint-16", "results/checkpoint-24"]
