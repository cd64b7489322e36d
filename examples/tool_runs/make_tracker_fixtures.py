"""Regenerate the hosted trackers' offline runs in tests/fixtures/tools/, then
tests/fixtures/tools/expected-trackers.json.

Usage (from the repository root, with the tracker venv of README.md):

    /work/trackvenv/bin/python examples/tool_runs/make_tracker_fixtures.py            # all cases
    /work/trackvenv/bin/python examples/tool_runs/make_tracker_fixtures.py wandb comet-killed
    /work/trackvenv/bin/python examples/tool_runs/make_tracker_fixtures.py --expected-only

Each case runs the real SDK offline (no network, no account) on the synthetic loop of
`tracker_loop.py`, in a child process; a `-killed` case kills itself with SIGKILL mid-way, as
an out-of-memory killer would. `neptune-export` is written from the `neptune` case's operation
log in the official exporter's Parquet schema (the exporter itself needs Neptune's API, gone
since 2026-03-05).

expected.json's values come from each tool's own reading of its files where it has one: W&B
records parsed by the SDK's protobuf classes (`wandb_internal_pb2.Record`; the current SDK has
no Python reader of its files left), pyarrow for the Parquet export, and json for the JSON
files ClearML, Neptune and Comet document.

Environment: MLJ_TRACKVENV (default /work/trackvenv). This is a separate venv from the
training tools' (make_fixtures.py) so each can be rebuilt alone.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_fixtures import FIXTURES, LOGS, REPO, child_env, jnum, package_versions, series_stats  # noqa: E402

EXPECTED = FIXTURES / "expected-trackers.json"
TRACKVENV = Path(os.environ.get("MLJ_TRACKVENV", "/work/trackvenv"))
KILLED = ["--steps", "1000", "--kill-at", "300"]

CASES = {
    "wandb": dict(script="run_wandb.py", args=[], packages=["wandb"]),
    "wandb-killed": dict(script="run_wandb.py", args=KILLED, packages=["wandb"]),
    "clearml": dict(script="run_clearml.py", args=[], packages=["clearml"]),
    "clearml-killed": dict(script="run_clearml.py", args=KILLED, packages=["clearml"]),
    "neptune": dict(script="run_neptune.py", args=[], packages=["neptune"]),
    "neptune-killed": dict(script="run_neptune.py", args=KILLED, packages=["neptune"]),
    "comet": dict(script="run_comet.py", args=[], packages=["comet_ml"]),
    "comet-killed": dict(script="run_comet.py", args=KILLED, packages=["comet_ml"]),
    "neptune-export": dict(script="neptune_export.py", args=["{fixtures}/neptune"], packages=["pyarrow"]),
}


def run_case(case: str) -> dict:
    spec = CASES[case]
    python = TRACKVENV / "bin" / "python"
    case_dir = FIXTURES / case
    if case_dir.exists():
        shutil.rmtree(case_dir)
    scratch = Path(tempfile.mkdtemp(prefix=f"mlj-{case}-"))
    env = child_env()
    env.update({"HOME": str(scratch), "TMPDIR": str(scratch), "WANDB_CACHE_DIR": str(scratch / "cache"),
                "WANDB_CONFIG_DIR": str(scratch / "config"), "NEPTUNE_MODE": "offline"})
    args = [a.format(fixtures=FIXTURES) for a in spec["args"]]
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{case}.log"
    print(f"[{case}] {python} {spec['script']} {case_dir} {' '.join(args)}  (log={log})")
    with open(log, "w") as handle:
        result = subprocess.run([str(python), str(HERE / spec["script"]), str(case_dir), *args], cwd=scratch,
                                env=env, stdout=handle, stderr=subprocess.STDOUT, timeout=600)
    killed = "--kill-at" in args
    if result.returncode != 0 and not (killed and result.returncode in (-9, 137)):
        raise SystemExit(f"[{case}] FAILED (exit {result.returncode}); see {log}")
    shutil.rmtree(scratch, ignore_errors=True)
    size = sum(p.stat().st_size for p in case_dir.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"[{case}] done: {size} bytes")
    return package_versions(python, spec["packages"])


# ---------------------------------------------------------------- reading back


def points_of(rows: dict[str, list[tuple[int, float]]]) -> dict:
    return {name: series_stats(points) for name, points in sorted(rows.items())}


def expect_wandb(case_dir: Path) -> dict:
    from wandb.proto import wandb_internal_pb2 as pb

    (path,) = case_dir.glob("wandb/*-run-*/run-*.wandb")
    data = path.read_bytes()
    records, pending, position = [], None, 7
    while position + 7 <= len(data):  # the framing, as wandb/sdk/internal/datastore.py documented it
        left = 32768 - position % 32768
        if left < 7:
            position += left
            continue
        crc, length, kind = struct.unpack_from("<IHB", data, position)
        if (crc, length, kind) == (0, 0, 0):
            position += left
            continue
        payload = data[position + 7: position + 7 + length]
        if len(payload) < length:
            break
        assert zlib.crc32(bytes([kind]) + payload) == crc
        position += 7 + length
        if kind == 1:
            records.append(payload)
        elif kind == 2:
            pending = [payload]
        elif kind in (3, 4) and pending is not None:
            pending.append(payload)
            if kind == 4:
                records.append(b"".join(pending))
                pending = None
    metrics: dict[str, list] = {}
    images, summary, config, exit_code = [], {}, {}, None
    for raw in records:
        record = pb.Record.FromString(raw)
        which = record.WhichOneof("record_type")
        if which == "history":
            row = {"/".join(item.nested_key) or item.key: json.loads(item.value_json) for item in record.history.item}
            step = int(row.get("_step", record.history.step.num))
            for name, value in row.items():
                if name.startswith("_") or name.startswith("samples/"):
                    continue
                metrics.setdefault(name, []).append((step, float(value)))
            if "samples/path" in row:
                images.append({"key": "samples", "step": step, "path": row["samples/path"]})
        elif which == "summary":
            for item in record.summary.update:
                summary["/".join(item.nested_key) or item.key] = json.loads(item.value_json)
        elif which == "run":
            for item in record.run.config.update:
                config[item.key] = json.loads(item.value_json)
        elif which == "exit":
            exit_code = record.exit.exit_code
    return {"reader": "wandb.proto.wandb_internal_pb2.Record on each whole record", "records": len(records),
            "unfinished_tail": pending is not None, "exit_code": exit_code,
            "metrics": points_of(metrics), "images": images,
            "config": {k: v for k, v in config.items() if k != "_wandb"},
            "summary": {k: jnum(v) for k, v in summary.items() if isinstance(v, (int, float)) and not k.startswith("_")}}


def expect_clearml(case_dir: Path) -> dict:
    (session,) = [p for p in case_dir.glob("offline-*") if p.is_dir()]
    task = json.loads((session / "task.json").read_text())
    metrics: dict[str, list] = {}
    summary, images = {}, []
    for line in (session / "metrics.jsonl").read_text().splitlines():
        try:
            events = json.loads(line)
        except ValueError:
            continue  # the last line of a killed task
        for event in events:
            name = event["metric"] if event["variant"] == event["metric"] else f"{event['metric']}/{event['variant']}"
            if event["type"] == "training_stats_scalar":
                if event["iter"] == -(2**31):
                    summary[event["variant"]] = jnum(event["value"])
                else:
                    metrics.setdefault(name, []).append((event["iter"], event["value"]))
            elif event["type"] == "training_debug_image":
                images.append({"name": name, "step": event["iter"], "key": event["key"]})
    return {"reader": "json (task.json, metrics.jsonl) as the SDK writes them", "zipped": (case_dir / f"{session.name}.zip").exists(),
            "params": {f"{section}/{name}": entry["value"] for section, values in task["hyperparams"].items()
                       for name, entry in values.items()},
            "tags": task.get("tags", []), "metrics": points_of(metrics), "summary": summary, "images": images}


def expect_neptune(case_dir: Path) -> dict:
    (run,) = case_dir.glob(".neptune/offline/run__*")
    metrics: dict[str, list] = {}
    params, images, version = {}, [], 0
    for line in (run / "data-1.log").read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        version = entry["version"]
        obj = entry["obj"]
        name = "/".join(obj["path"])
        if obj["type"] == "LogFloats":
            for point in obj["values"]:
                metrics.setdefault(name, []).append((int(point["step"]), point["value"]))
        elif obj["type"].startswith("Assign") and obj["path"][0] == "parameters":
            params[name] = obj["value"]
        elif obj["type"] == "LogImages":
            for point in obj["values"]:
                data = base64.b64decode(point["value"]["data"])
                images.append({"name": name, "step": point["step"], "bytes": len(data)})
    return {"reader": "json lines of data-1.log", "last_version_in_log": version,
            "last_put_version": int((run / "last_put_version").read_text()),
            "params": params, "metrics": points_of(metrics), "images": images}


def expect_comet(case_dir: Path) -> dict:
    (archive,) = case_dir.glob("*.zip")
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
        if not names:
            return {"reader": "zipfile + json lines of messages.json", "members": []}
        messages = [json.loads(line) for line in opened.read("messages.json").decode().splitlines() if line.strip()]
    metrics: dict[str, list] = {}
    params, images = {}, []
    special = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
    for message in messages:
        payload = message["payload"]
        if message["type"] == "metric_msg":
            metric = payload["metric"]
            value = metric["metricValue"]
            metrics.setdefault(metric["metricName"], []).append((metric["step"], special.get(value, value)))
        elif message["type"] == "parameter_msg":
            param = payload.get("param") or payload.get("params")
            if param["source"] == "manual":
                params[param["paramName"]] = param["paramValue"]
        elif message["type"] == "file_upload":
            images.append({"name": payload["additional_params"]["figName"], "step": payload["additional_params"]["step"]})
    return {"reader": "zipfile + json lines of messages.json", "members": sorted(names), "params": params,
            "metrics": points_of(metrics), "images": images}


def expect_neptune_export(case_dir: Path) -> dict:
    import pyarrow.parquet as pq

    metrics: dict[str, list] = {}
    params = {}
    files = sorted(case_dir.rglob("*_part_*.parquet"))
    for path in files:
        for row in pq.read_table(path).to_pylist():
            if row["attribute_type"] == "float_series":
                metrics.setdefault(row["attribute_path"], []).append((int(row["step"]), row["float_value"]))
            elif row["attribute_path"].startswith("parameters/"):
                value = next(row[c] for c in ("float_value", "int_value", "string_value", "bool_value") if row[c] is not None)
                params[row["attribute_path"]] = value
    return {"reader": "pyarrow.parquet.read_table", "parquet_files": [str(p.relative_to(case_dir)) for p in files],
            "params": params, "metrics": points_of(metrics)}


READERS = {"wandb": expect_wandb, "wandb-killed": expect_wandb, "clearml": expect_clearml,
           "clearml-killed": expect_clearml, "neptune": expect_neptune, "neptune-killed": expect_neptune,
           "comet": expect_comet, "comet-killed": expect_comet, "neptune-export": expect_neptune_export}


def write_expected(written_by: dict[str, dict]) -> None:
    old = json.loads(EXPECTED.read_text()).get("cases", {}) if EXPECTED.exists() else {}
    cases = {}
    for case, reader in READERS.items():
        if (FIXTURES / case).is_dir():
            cases[case] = {"written_by": written_by.get(case) or old.get(case, {}).get("written_by"),
                           **reader(FIXTURES / case)}
    meta = {"generated_by": "examples/tool_runs/make_tracker_fixtures.py",
            "conventions": "as expected.json's (series_stats of make_fixtures.py)"}
    EXPECTED.write_text(json.dumps({"_meta": meta, "cases": cases}, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {EXPECTED.relative_to(REPO)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", help=f"cases (default: all): {', '.join(CASES)}")
    parser.add_argument("--expected-only", action="store_true")
    options = parser.parse_args()
    written_by = {}
    if not options.expected_only:
        for case in options.cases or list(CASES):
            written_by[case] = run_case(case)
    write_expected(written_by)


if __name__ == "__main__":
    main()
