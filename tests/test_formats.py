"""Run folders written by the real tools (tests/fixtures/tools/, made by
examples/tool_runs/make_fixtures.py), read by the journal and compared with what each tool's
own reader returned (tests/fixtures/tools/expected.json)."""

from __future__ import annotations

import hashlib
import json
import math
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
    if not duplicates:
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
    run, diagnostics = read_run("a-1", folder, tmp_path)
    assert diagnostics == []
    assert run.sources[0] == "checkpoint-24/trainer_state.json"
    assert run.metrics["eval_loss"].steps[-1] == 24


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
