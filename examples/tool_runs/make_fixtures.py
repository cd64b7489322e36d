"""Regenerate tests/fixtures/tools/<case>/ with real tools, then expected.json.

Usage (from the repository root, with the tool venv of README.md):

    /work/toolvenv/bin/python examples/tool_runs/make_fixtures.py            # all cases
    /work/toolvenv/bin/python examples/tool_runs/make_fixtures.py hf-trainer dvclive
    /work/toolvenv/bin/python examples/tool_runs/make_fixtures.py --expected-only

Each case runs its `run_*.py` in a child process (a fresh interpreter per tool)
and writes straight into its fixture folder, which is deleted first. Heavy files
(weights, optimizer/scheduler/RNG state, checkpoints) are then deleted; all else
the tool wrote is kept. expected.json is recomputed for every case folder present,
reading each folder back with the tool's own reader (TensorBoard's
EventAccumulator, MlflowClient, pandas, json/yaml where the tool documents files).

Environment: MLJ_TOOLVENV (default /work/toolvenv) and MLJ_TOOLVENV4 (default
/work/toolvenv4, the old transformers 4.x venv; hf-trainer-4x is skipped when it
is missing). Child logs go to $MLJ_TOOL_LOGS (default /tmp/mljournal-tool-logs).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "tools"
EXPECTED = FIXTURES / "expected.json"
SCHEMA_SQL = HERE / "mlflow-db-schema.sql"
TOOLVENV = Path(os.environ.get("MLJ_TOOLVENV", "/work/toolvenv"))
TOOLVENV4 = Path(os.environ.get("MLJ_TOOLVENV4", "/work/toolvenv4"))
LOGS = Path(os.environ.get("MLJ_TOOL_LOGS", "/tmp/mljournal-tool-logs"))

# case -> how to run it. cwd: "fixtures" = tests/fixtures/tools (so a relative
# output path is written into the tool's files), "temp" = a scratch folder (checked
# afterwards for stray files), "scratch-case" = a folder named like the case inside a
# scratch folder outside any Git repository, copied to the fixture afterwards.
# args: "{case}" is the absolute case folder, "{name}" the case name.
CASES = {
    "hf-trainer": dict(venv="main", script="run_hf_trainer.py", args=["{name}"], cwd="fixtures",
                       packages=["transformers", "accelerate", "torch", "tensorboard"]),
    "hf-trainer-4x": dict(venv="v4", script="run_hf_trainer.py", args=["{case}"], cwd="temp",
                          packages=["transformers", "accelerate", "torch", "tensorboard"]),
    "tensorboard-pytorch": dict(venv="main", script="run_tensorboard_pytorch.py", args=["{case}"],
                                cwd="temp", packages=["torch", "tensorboard"]),
    "tensorboard-tf2": dict(venv="main", script="run_tensorboard_tf2.py", args=["{case}"],
                            cwd="temp", packages=["tensorflow-cpu", "tensorboard"]),
    "keras-tensorboard": dict(venv="main", script="run_keras.py", args=["{case}"], cwd="temp",
                              packages=["keras", "tensorflow-cpu", "tensorboard"]),
    "lightning-csv": dict(venv="main", script="run_lightning.py", args=["{case}"], cwd="temp",
                          packages=["lightning", "torch"]),
    "mlflow-filestore": dict(venv="main", script="run_mlflow.py", args=["file", "{case}"],
                             cwd="temp", packages=["mlflow"]),
    "mlflow-sqlite": dict(venv="main", script="run_mlflow.py", args=["sqlite", "{case}"],
                          cwd="temp", packages=["mlflow", "sqlalchemy", "alembic"]),
    # run from the case folder, as from a project root: dvclive/ and dvc.yaml land there.
    # Not inside this repository: inside any Git work tree DVCLive runs `dvc init` at the
    # Git root (creating and `git add`-ing .dvc/ and .dvcignore), even with save_dvc_exp=False.
    "dvclive": dict(venv="main", script="run_dvclive.py", args=["."], cwd="scratch-case",
                    packages=["dvclive"]),
    "sacred": dict(venv="main", script="run_sacred.py", args=["{case}"], cwd="temp",
                   packages=["sacred"]),
    # the journal's own recorder (mljournal.start + JournalCallback) under a real Trainer;
    # needs `pip install --no-deps -e .` in the tool venv. Its reference is the Trainer's own
    # trainer_state.json, copied into the case, not expected.json.
    "mljournal-hf-callback": dict(venv="main", script="run_recorder_hf.py", args=["{case}"], cwd="temp",
                                  packages=["transformers", "torch", "mljournal"]),
}

HEAVY_SUFFIXES = (".safetensors", ".pt", ".pth", ".ckpt", ".h5", ".keras", ".bin")
HEAVY_KEEP = {"training_args.bin"}  # a small pickle; the journal must never open it
HEAVY_NAMES = {"model.pkl"}


def python_for(case: str) -> Path:
    return (TOOLVENV4 if CASES[case]["venv"] == "v4" else TOOLVENV) / "bin" / "python"


def package_versions(python: Path, packages: list[str]) -> dict[str, str]:
    code = ("import importlib.metadata as m, json, sys\n"
            "out = {}\n"
            "for p in sys.argv[1:]:\n"
            "    try: out[p] = m.version(p)\n"
            "    except m.PackageNotFoundError: pass\n"
            "print(json.dumps(out))")
    res = subprocess.run([str(python), "-c", code, *packages], capture_output=True, text=True,
                         check=True)
    return json.loads(res.stdout)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "PYTHONHASHSEED": "0",
        "CUDA_VISIBLE_DEVICES": "",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "MPLBACKEND": "Agg",
        "TOKENIZERS_PARALLELISM": "false",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "KERAS_BACKEND": "tensorflow",
        "DVCLIVE_TEST": "false",
        "DO_NOT_TRACK": "1",  # dvc/dvclive telemetry off (no network here anyway)
        "DVC_NO_ANALYTICS": "1",
    })
    for var in ("MLFLOW_TRACKING_URI", "TENSORBOARD_LOGGING_DIR", "MLFLOW_ALLOW_FILE_STORE"):
        env.pop(var, None)
    return env


def remove_heavy(case_dir: Path) -> list[str]:
    removed = []
    for path in sorted(case_dir.rglob("*")):
        if not path.is_file():
            continue
        heavy = path.suffix in HEAVY_SUFFIXES and path.name not in HEAVY_KEEP
        if heavy or path.name in HEAVY_NAMES:
            removed.append(f"{path.relative_to(case_dir)} ({path.stat().st_size} B)")
            path.unlink()
    # folders emptied by that (e.g. Lightning's checkpoints/) would not survive git anyway
    for path in sorted(case_dir.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return removed


def run_case(case: str) -> dict | None:
    spec = CASES[case]
    python = python_for(case)
    if not python.exists():
        print(f"[{case}] SKIPPED: {python} missing (see examples/tool_runs/README.md)")
        return None
    case_dir = FIXTURES / case
    if case_dir.exists():
        shutil.rmtree(case_dir)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    before = {p.name for p in FIXTURES.iterdir()}
    git_before = git_status()
    scratch = Path(tempfile.mkdtemp(prefix=f"mlj-{case}-"))
    if spec["cwd"] == "fixtures":
        cwd = FIXTURES
    elif spec["cwd"] == "scratch-case":
        cwd = scratch / case
        cwd.mkdir()
    else:
        cwd = scratch
    args = [a.format(case=str(case_dir), name=case) for a in spec["args"]]
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{case}.log"
    print(f"[{case}] {python} {spec['script']} {' '.join(args)}  (cwd={cwd}, log={log})")
    with open(log, "w") as fh:
        res = subprocess.run([str(python), str(HERE / spec["script"]), *args], cwd=cwd,
                             env=child_env(), stdout=fh, stderr=subprocess.STDOUT)
    if res.returncode != 0:
        raise SystemExit(f"[{case}] FAILED (exit {res.returncode}); see {log}")
    if spec["cwd"] == "scratch-case":
        shutil.move(str(scratch / case), str(case_dir))
    strays = [str(p.relative_to(scratch)) for p in scratch.rglob("*")]
    shutil.rmtree(scratch)
    new = {p.name for p in FIXTURES.iterdir()} - before - {case}
    if strays or new:
        print(f"[{case}] WARNING: files written outside the case folder: {strays + sorted(new)}")
    fixtures_rel = str(FIXTURES.relative_to(REPO)) + "/"
    repo_changes = [line for line in git_status() - git_before if fixtures_rel not in line]
    if repo_changes:
        print(f"[{case}] WARNING: the run changed the repository outside the fixtures: {sorted(repo_changes)}")
    for removed in remove_heavy(case_dir):
        print(f"[{case}] deleted {removed}")
    if case == "mlflow-sqlite":
        write_schema(case_dir / "mlflow.db")
    size = sum(p.stat().st_size for p in case_dir.rglob("*") if p.is_file())
    print(f"[{case}] done: {size} bytes")
    if size > 1_000_000:
        print(f"[{case}] WARNING: over 1 MB")
    return package_versions(python, spec["packages"])


def git_status() -> set[str]:
    """`git status` lines of the repository (empty set when git is unavailable)."""
    try:
        res = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=all"],
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return set()
    return set(res.stdout.splitlines()) if res.returncode == 0 else set()


def write_schema(db: Path) -> None:
    if shutil.which("sqlite3"):
        text = subprocess.run(["sqlite3", str(db), ".schema"], capture_output=True, text=True,
                              check=True).stdout
    else:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        text = "".join(row[0] + ";\n" for row in con.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"))
        con.close()
    header = ("-- Schema of the mlflow.db that MLflow's default tracking store created for\n"
              "-- tests/fixtures/tools/mlflow-sqlite/ (output of `sqlite3 mlflow.db .schema`).\n"
              "-- For reference only; regenerated by examples/tool_runs/make_fixtures.py.\n")
    SCHEMA_SQL.write_text(header + text)


# ---------------------------------------------------------------- reading back

def jnum(x):
    """A JSON-safe number: floats keep Python's repr; NaN/inf become strings."""
    if isinstance(x, bool):
        return x
    if isinstance(x, int):
        return x
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def series_stats(points: list[tuple[int, float]]) -> dict:
    """points in the order the tool's reader returned them."""
    values = [float(v) for _, v in points]
    finite = [v for v in values if math.isfinite(v)]
    out = {
        "points_total": len(points),
        "points_finite": len(finite),
        "first_step": int(points[0][0]) if points else None,
        "last_step": int(points[-1][0]) if points else None,
        "last_value": jnum(values[-1]) if points else None,
        "min": jnum(min(finite)) if finite else None,
        "max": jnum(max(finite)) if finite else None,
    }
    nonfinite = [[int(s), jnum(v)] for s, v in points if not math.isfinite(float(v))]
    if nonfinite:
        out["nonfinite"] = nonfinite
    by_step: dict[int, list] = {}
    for s, v in points:
        by_step.setdefault(int(s), []).append(jnum(v))
    dups = {str(s): vs for s, vs in by_step.items() if len(vs) > 1}
    if dups:
        out["duplicate_steps"] = dups
    return out


def flatten(d, prefix="") -> dict[str, str]:
    """Nested mapping -> {"a.b": "value"}; strings as-is, other leaves JSON-encoded."""
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            out.update(flatten(v, key + "."))
        elif isinstance(v, str):
            out[key] = v
        else:
            out[key] = json.dumps(v, sort_keys=True)
    return out


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def image_facts(data: bytes) -> dict:
    from PIL import Image
    import io
    with Image.open(io.BytesIO(data)) as im:
        return {"format": im.format, "width": im.width, "height": im.height, "mode": im.mode,
                "bytes": len(data), "sha256": sha256(data)}


def text_facts(step: int, text: str) -> dict:
    out = {"step": step, "chars": len(text), "sha256": sha256(text.encode())}
    if len(text) <= 200:
        out["text"] = text
    return out


def tb_runs(root: Path) -> dict:
    """Every folder holding event files, read with TensorBoard's EventAccumulator."""
    from tensorboard.backend.event_processing import event_accumulator as ea
    from tensorboard.plugins.hparams import plugin_data_pb2
    from tensorboard.util import tensor_util

    guidance = {ea.COMPRESSED_HISTOGRAMS: 0, ea.IMAGES: 0, ea.AUDIO: 0, ea.SCALARS: 0,
                ea.HISTOGRAMS: 0, ea.TENSORS: 0}
    dirs = sorted({p.parent for p in root.rglob("*") if p.is_file() and "tfevents" in p.name})
    runs = {}
    for d in dirs:
        acc = ea.EventAccumulator(str(d), size_guidance=guidance)
        acc.Reload()
        tags = acc.Tags()
        run = {"event_files": sorted(p.name for p in d.iterdir() if "tfevents" in p.name),
               "scalars": {}, "tensor_scalars": {}, "images": {}, "text": {}, "other_tensors": {}}
        for tag in sorted(tags["scalars"]):
            run["scalars"][tag] = series_stats([(e.step, e.value) for e in acc.Scalars(tag)])
        for tag in sorted(tags["images"]):
            run["images"][tag] = [
                {"step": e.step, "width": e.width, "height": e.height, "kind": "image (legacy)",
                 **{k: v for k, v in image_facts(e.encoded_image_string).items()
                    if k in ("sha256", "bytes")}}
                for e in acc.Images(tag)]
            for e in acc.Images(tag):  # sanity: header size == decoded PNG size
                f = image_facts(e.encoded_image_string)
                assert (f["width"], f["height"]) == (e.width, e.height), (d, tag)
        for tag in sorted(tags["tensors"]):
            plugin = acc.SummaryMetadata(tag).plugin_data.plugin_name
            events = acc.Tensors(tag)
            if plugin == "scalars":
                run["tensor_scalars"][tag] = series_stats(
                    [(e.step, float(tensor_util.make_ndarray(e.tensor_proto).item()))
                     for e in events])
            elif plugin == "images":
                rows = []
                for e in events:
                    arr = tensor_util.make_ndarray(e.tensor_proto)
                    w, h = int(arr[0]), int(arr[1])
                    for png in arr[2:]:
                        f = image_facts(png)
                        assert (f["width"], f["height"]) == (w, h), (d, tag)
                        rows.append({"step": e.step, "width": w, "height": h,
                                     "kind": "tensor [width, height, png...]",
                                     "sha256": f["sha256"], "bytes": f["bytes"]})
                run["images"][tag] = rows
            elif plugin == "text":
                rows = []
                for e in events:
                    arr = tensor_util.make_ndarray(e.tensor_proto)
                    for t in (arr.flatten() if arr.ndim else [arr.item()]):
                        rows.append(text_facts(e.step, t.decode() if isinstance(t, bytes) else str(t)))
                run["text"][tag] = rows
            else:
                run["other_tensors"][tag] = {"plugin": plugin, "points": len(events),
                                             "steps": [e.step for e in events]}
        try:
            hp = acc.PluginTagToContent("hparams")
        except KeyError:  # no hparams plugin data in this run
            hp = {}
        if hp:
            run["hparams_plugin_tags"] = sorted(hp)
            for tag, content in hp.items():
                data = plugin_data_pb2.HParamsPluginData.FromString(content)
                if data.HasField("session_start_info"):
                    vals = {}
                    for k, v in data.session_start_info.hparams.items():
                        kind = v.WhichOneof("kind")
                        vals[k] = jnum(getattr(v, kind)) if kind == "number_value" else getattr(v, kind)
                    run["hparams"] = dict(sorted(vals.items()))
                if data.HasField("experiment"):
                    run["hparams_metrics"] = sorted(m.name.tag for m in data.experiment.metric_infos)
        for key in ("scalars", "tensor_scalars", "images", "text", "other_tensors"):
            if not run[key]:
                del run[key]
        runs[str(d.relative_to(root)) if d != root else "."] = run
    return runs


def expect_hf(case_dir: Path) -> dict:
    state = json.loads((case_dir / "trainer_state.json").read_text())
    rows = state["log_history"]
    kinds = {"train": 0, "eval": 0, "train_summary": 0, "other": 0}
    series: dict[str, list] = {}
    for row in rows:
        if "train_runtime" in row:
            kinds["train_summary"] += 1
        elif any(k.startswith("eval_") for k in row):
            kinds["eval"] += 1
        elif "loss" in row:
            kinds["train"] += 1
        else:
            kinds["other"] += 1
        for k, v in row.items():
            if k != "step" and isinstance(v, (int, float)):
                series.setdefault(k, []).append((row["step"], v))
    checkpoints = []
    for d in sorted(case_dir.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1])):
        cstate = json.loads((d / "trainer_state.json").read_text())
        evals = [r for r in cstate["log_history"]
                 if r.get("step") == cstate["global_step"] and any(k.startswith("eval_") for k in r)]
        checkpoints.append({
            "name": d.name, "step": int(d.name.split("-")[1]),
            "global_step": cstate["global_step"],
            "eval": {k: jnum(v) for k, v in evals[-1].items()} if evals else None,
            "best_metric": jnum(cstate["best_metric"]) if cstate.get("best_metric") is not None else None,
            "best_model_checkpoint": cstate.get("best_model_checkpoint"),
            "files": sorted(str(p.relative_to(d)) for p in d.rglob("*") if p.is_file()),
        })
    best = state.get("best_model_checkpoint")
    results = {}
    for name in ("train", "eval", "test", "all"):
        f = case_dir / f"{name}_results.json"
        if f.exists():
            results[name] = {k: jnum(v) for k, v in json.loads(f.read_text()).items()}
    return {
        "reader": "json: trainer_state.json, checkpoint-*/trainer_state.json, *_results.json, "
                  "config.json; TensorBoard EventAccumulator for runs/*",
        "trainer_state_top_level": {k: (jnum(v) if isinstance(v, float) else v)
                                    for k, v in state.items() if k != "log_history"},
        "log_history_rows": len(rows),
        "log_history_row_kinds": kinds,
        "metrics": {k: series_stats(v) for k, v in sorted(series.items())},
        "checkpoints": checkpoints,
        "best_metric": jnum(state["best_metric"]) if state.get("best_metric") is not None else None,
        "best_model_checkpoint": best,
        "best_checkpoint_name": Path(best).name if best else None,
        "best_global_step": state.get("best_global_step"),
        "results": results,
        "params": flatten(json.loads((case_dir / "config.json").read_text())),
        "params_source": "config.json (model config); training_args.bin is a pickle: never opened",
        "tensorboard": tb_runs(case_dir / "runs"),
    }


def expect_tb(case_dir: Path) -> dict:
    return {"reader": "tensorboard EventAccumulator, size_guidance 0 for every kind",
            "tensorboard": tb_runs(case_dir)}


def read_csv_metrics(path: Path, step_col: str, skip: set[str]) -> dict:
    import pandas as pd
    df = pd.read_csv(path)
    raw_lines = path.read_text().splitlines()
    metrics = {}
    for col in df.columns:
        if col in skip:
            continue
        sub = df[[step_col, col]].dropna(subset=[col])
        metrics[col] = series_stats([(int(s), float(v)) for s, v in zip(sub[step_col], sub[col])])
        metrics[col]["missing_cells"] = int(df[col].isna().sum())
    return {"header": raw_lines[0], "rows": len(df), "metrics": metrics}


def expect_keras(case_dir: Path) -> dict:
    out = {"reader": "pandas.read_csv (NA -> NaN = missing) for training.log; EventAccumulator "
                     "for train/ and validation/"}
    out["csv"] = read_csv_metrics(case_dir / "training.log", "epoch", {"epoch"})
    out["csv"]["na_literal_cells"] = sum(line.split(",").count("NA")
                                         for line in (case_dir / "training.log").read_text().splitlines()[1:])
    out["tensorboard"] = tb_runs(case_dir)
    return out


def expect_lightning(case_dir: Path) -> dict:
    import yaml
    versions = {}
    for d in sorted((case_dir / "lightning_logs").iterdir()):
        v = read_csv_metrics(d / "metrics.csv", "step", {"epoch", "step"})
        v["hparams"] = flatten(yaml.safe_load((d / "hparams.yaml").read_text()) or {})
        v["files"] = sorted(str(p.relative_to(d)) for p in d.rglob("*") if p.is_file())
        versions[d.name] = v
    return {"reader": "pandas.read_csv (empty cell -> NaN = missing), yaml.safe_load",
            "versions": versions}


def expect_mlflow(case_dir: Path, kind: str) -> dict:
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"  # reading the file store needs it too
    from mlflow.tracking import MlflowClient
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    tmp = None
    if kind == "file":
        uri = "file:" + str(case_dir / "mlruns")
    else:  # read a copy: opening a store may migrate or touch the database
        tmp = Path(tempfile.mkdtemp(prefix="mlj-mlflow-read-"))
        shutil.copy2(case_dir / "mlflow.db", tmp / "mlflow.db")
        uri = "sqlite:///" + str(tmp / "mlflow.db")
    client = MlflowClient(tracking_uri=uri)
    experiments = {}
    for exp in sorted(client.search_experiments(), key=lambda e: int(e.experiment_id)):
        runs = {}
        for run in client.search_runs([exp.experiment_id], order_by=["attributes.start_time ASC"]):
            rid = run.info.run_id
            keys = sorted(run.data.metrics)
            metrics = {}
            for key in keys:
                hist = client.get_metric_history(rid, key)
                metrics[key] = series_stats([(m.step, m.value) for m in hist])
                metrics[key]["latest"] = jnum(run.data.metrics[key])
            art_root = Path(url2pathname(urlparse(run.info.artifact_uri).path))
            artifacts = []
            stack = [None]
            while stack:
                for fi in client.list_artifacts(rid, stack.pop()):
                    if fi.is_dir:
                        stack.append(fi.path)
                        continue
                    entry = {"path": fi.path, "file_size": fi.file_size}
                    local = art_root / fi.path
                    if local.suffix in (".png", ".webp"):
                        entry.update(image_facts(local.read_bytes()))
                    artifacts.append(entry)
            runs[run.info.run_name] = {
                "run_id": rid, "status": run.info.status,
                "artifact_uri": run.info.artifact_uri,
                "params": dict(sorted(run.data.params.items())),
                "tags": dict(sorted(run.data.tags.items())),
                "metrics": metrics,
                "artifacts": sorted(artifacts, key=lambda a: a["path"]),
            }
        experiments[exp.name] = {"experiment_id": exp.experiment_id,
                                 "artifact_location": exp.artifact_location,
                                 "lifecycle_stage": exp.lifecycle_stage, "runs": runs}
    if tmp:
        shutil.rmtree(tmp)
    return {"reader": f"mlflow.tracking.MlflowClient({'file:<case>/mlruns' if kind == 'file' else 'sqlite:///<copy of mlflow.db>'})"
                      ".search_experiments/search_runs/get_metric_history/list_artifacts",
            "experiments": experiments}


def expect_dvclive(case_dir: Path) -> dict:
    import pandas as pd
    import yaml
    live = case_dir / "dvclive"
    metrics = {}
    headers = {}
    for tsv in sorted((live / "plots" / "metrics").rglob("*.tsv")):
        name = str(tsv.relative_to(live / "plots" / "metrics"))[:-4]
        df = pd.read_csv(tsv, sep="\t")
        headers[name] = "\t".join(df.columns)
        col = df.columns[-1]
        metrics[name] = series_stats([(int(s), float(v)) for s, v in zip(df["step"], df[col])])
    images = {str(p.relative_to(live / "plots" / "images")): image_facts(p.read_bytes())
              for p in sorted((live / "plots" / "images").rglob("*")) if p.is_file()}
    dvcyaml = case_dir / "dvc.yaml"
    return {"reader": "json (metrics.json), yaml.safe_load (params.yaml, dvc.yaml), "
                      "pandas.read_csv(sep='\\t') for plots/metrics/**.tsv",
            "metrics_json": json.loads((live / "metrics.json").read_text()),
            "params": flatten(yaml.safe_load((live / "params.yaml").read_text())),
            "tsv_headers": headers, "metrics": metrics, "images": images,
            "dvc_yaml": yaml.safe_load(dvcyaml.read_text()) if dvcyaml.exists() else None}


def expect_sacred(case_dir: Path) -> dict:
    runs = {}
    for d in sorted(p for p in case_dir.iterdir() if p.is_dir() and p.name.isdigit()):
        run = json.loads((d / "run.json").read_text())
        metrics = json.loads((d / "metrics.json").read_text())
        runs[d.name] = {
            "status": run["status"], "result": run.get("result"), "command": run["command"],
            "experiment_name": run["experiment"]["name"],
            "mainfile": run["experiment"]["mainfile"],
            "sources": run["experiment"]["sources"],
            "run_json_keys": sorted(run),
            "config": flatten(json.loads((d / "config.json").read_text())),
            "metrics": {name: series_stats(list(zip(m["steps"], m["values"])))
                        for name, m in sorted(metrics.items())},
            "artifacts": {a: image_facts((d / a).read_bytes()) if a.endswith(".png")
                          else {"bytes": (d / a).stat().st_size} for a in run["artifacts"]},
            "files": sorted(str(p.relative_to(d)) for p in d.rglob("*") if p.is_file()),
        }
    return {"reader": "json (run.json, config.json, metrics.json) as FileStorageObserver documents",
            "runs": runs,
            "sources_dir": sorted(str(p.relative_to(case_dir)) for p in (case_dir / "_sources").rglob("*"))}


READERS = {
    "hf-trainer": expect_hf,
    "hf-trainer-4x": expect_hf,
    "tensorboard-pytorch": expect_tb,
    "tensorboard-tf2": expect_tb,
    "keras-tensorboard": expect_keras,
    "lightning-csv": expect_lightning,
    "mlflow-filestore": lambda d: expect_mlflow(d, "file"),
    "mlflow-sqlite": lambda d: expect_mlflow(d, "sqlite"),
    "dvclive": expect_dvclive,
    "sacred": expect_sacred,
}


def tree_digest(case_dir: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(case_dir.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(case_dir)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def write_expected(written_by: dict[str, dict]) -> None:
    import importlib.metadata as md
    old = json.loads(EXPECTED.read_text()) if EXPECTED.exists() else {}
    old_cases = old.get("cases", {})
    cases = {}
    for case, reader in READERS.items():
        case_dir = FIXTURES / case
        if not case_dir.is_dir():
            continue
        before = tree_digest(case_dir)
        data = reader(case_dir)
        if tree_digest(case_dir) != before:
            raise SystemExit(f"[{case}] reading it back changed the fixture folder")
        wb = written_by.get(case) or old_cases.get(case, {}).get("written_by")
        files = sorted(p for p in case_dir.rglob("*") if p.is_file())
        cases[case] = {"written_by": wb,
                       "files": len(files), "bytes": sum(p.stat().st_size for p in files),
                       **data}
        print(f"[{case}] expected values read back")
    meta = {
        "generated_by": "examples/tool_runs/make_fixtures.py",
        "read_with": {p: md.version(p) for p in ("tensorboard", "mlflow", "pandas", "pyyaml", "pillow")},
        "conventions": {
            "series": "points in the order the tool's reader returns them; first_step/last_step/"
                      "last_value are the first and last of those points; min/max over finite "
                      "values only; points_total counts NaN/inf too, points_finite does not; "
                      "nonfinite lists [step, value]; duplicate_steps lists every value at a "
                      "step that has more than one point",
            "numbers": "JSON numbers as Python's repr; NaN/inf as strings \"nan\", \"inf\", \"-inf\"",
            "params": "flattened with '.', string leaves as-is, other leaves JSON-encoded "
                      "(except MLflow params, which are strings already)",
            "csv": "a missing cell (empty or NA) is not a point; missing_cells counts them",
        },
    }
    EXPECTED.write_text(json.dumps({"_meta": meta, "cases": cases}, indent=1, sort_keys=False,
                                   ensure_ascii=False) + "\n")
    print(f"wrote {EXPECTED.relative_to(REPO)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="*", help=f"cases to regenerate (default: all): {', '.join(CASES)}")
    ap.add_argument("--expected-only", action="store_true", help="only recompute expected.json")
    opts = ap.parse_args()
    unknown = [c for c in opts.cases if c not in CASES]
    if unknown:
        ap.error(f"unknown case(s): {unknown}")
    written_by = {}
    if not opts.expected_only:
        for case in opts.cases or list(CASES):
            versions = run_case(case)
            if versions is not None:
                written_by[case] = versions
    write_expected(written_by)


if __name__ == "__main__":
    main()
