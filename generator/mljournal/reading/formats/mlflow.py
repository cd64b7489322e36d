"""MLflow, read with the standard library (no dependency on mlflow).

The file store (``mlruns/<experiment>/<run>/``): ``meta.yaml`` (name, status, times; its
``artifact_uri`` is an absolute path that breaks when the folder moves, so it is not used),
``metrics/<key>`` with one ``timestamp value step`` line per point (a key with ``/`` is a
sub-folder), ``params/<key>`` and ``tags/<key>`` holding one value each. MLflow 3's default
store is ``mlflow.db`` (SQLite: ``runs``, ``metrics``, ``params``, ``tags``), opened read-only,
with artifacts under ``mlruns/<experiment>/<run>/artifacts``. Artifact images are
screenshots like any image in the run folder.

Several runs in one store: the one named like the model (``run_name`` / ``mlflow.runName``)
is shown, else the newest; the others are listed.
"""

from __future__ import annotations

import math
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from mljournal.errors import Diagnostic
from mljournal.reading.formats import Format, Part, Shown, folder_of, load_yaml
from mljournal.reading.formats.journal import read_text
from mljournal.reading.metrics import Collector, complete_lines, whole_step

STATUS = {"1": "running", "2": "scheduled", "3": "done", "4": "failed", "5": "killed",
          "RUNNING": "running", "SCHEDULED": "scheduled", "FINISHED": "done", "FAILED": "failed", "KILLED": "killed"}
MAX_VALUE_BYTES = 64 * 1024
FLOAT_MAX = 1.7976931348623157e308  # MLflow's SQL store writes ±infinity as ±max float
# `log_image(…, step=)` writes each image twice: the PNG and a `+compressed.webp` thumbnail of it.
COMPRESSED_COPIES = "*+compressed.webp"


# --- the file store ---------------------------------------------------------------------


def _run_folders(files: list[str]) -> list[str]:
    out = []
    for f in files:
        if f.endswith("meta.yaml"):
            run = folder_of(f)
            prefix = f"{run}/" if run else ""
            if any(g.startswith((prefix + "metrics/", prefix + "params/", prefix + "tags/")) for g in files):
                out.append(run)
    return sorted(out)


def claim_files(files: list[str]) -> list[list[str]]:
    runs = _run_folders(files)
    if not runs:
        return []
    prefixes = tuple(f"{run}/" if run else "" for run in runs)
    group = []
    for f in files:
        for prefix in prefixes:
            rest = f[len(prefix):] if f.startswith(prefix) else None
            if rest is not None and (rest == "meta.yaml" or rest.startswith(("metrics/", "params/", "tags/"))):
                group.append(f)
                break
    return [group]


def read_files(folder: Path, files: list[str], shown: Shown) -> tuple[Part, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    runs: dict[str, dict] = {}
    for run in _run_folders(files):
        meta_file = f"{run}/meta.yaml" if run else "meta.yaml"
        meta = load_yaml(folder / meta_file, shown(meta_file), diagnostics)
        meta = meta if isinstance(meta, dict) else {}
        if meta.get("lifecycle_stage") != "deleted":  # deleted runs stay on disk until `mlflow gc`
            runs[run] = meta
    if not runs:
        return Part("MLflow", []), diagnostics
    prefix_of = {run: f"{run}/" if run else "" for run in runs}

    def values(run: str, kind: str) -> dict[str, str]:
        out = {}
        start = prefix_of[run] + kind + "/"
        for f in files:
            if f.startswith(start):
                text = read_text(folder / f, shown(f), diagnostics, MAX_VALUE_BYTES)
                if text is not None:
                    out[f[len(start):]] = text.rstrip("\n")
        return out

    names = {run: meta.get("run_name") if isinstance(meta.get("run_name"), str) else "" for run, meta in runs.items()}
    for run in runs:
        if not names[run]:
            tag = prefix_of[run] + "tags/mlflow.runName"
            if tag in files:
                names[run] = (read_text(folder / tag, shown(tag), diagnostics) or "").strip()
    chosen = _choose(folder.name, {run: (names[run], _number(runs[run].get("start_time"))) for run in runs})
    meta = runs[chosen]
    part = Part("MLflow", [])
    part.files = sorted(f for f in files if f.startswith(prefix_of[chosen]) and not any(
        other != chosen and f.startswith(prefix_of[other]) and len(prefix_of[other]) > len(prefix_of[chosen]) for other in runs))
    status = meta.get("status")
    _take_run(part, names[chosen], str(status) if isinstance(status, (int, str)) else "", meta.get("start_time"), meta.get("end_time"))
    _take_tags(part, values(chosen, "tags"))
    part.params = values(chosen, "params")
    collector = Collector()
    start = prefix_of[chosen] + "metrics/"
    for f in files:
        if f.startswith(start):
            _read_metric_file(folder / f, shown(f), f[len(start):], collector, diagnostics)
    part.metrics = collector.series()
    others = [f"{names[r] or r.rpartition('/')[2]}" for r in runs if r != chosen]
    part.not_screenshots = [prefix_of[r] for r in runs if r != chosen and prefix_of[r]]
    part.not_screenshots.append(COMPRESSED_COPIES)
    if others:
        part.notes.append(f"MLflow run {names[chosen] or chosen} is shown; also in this store: {', '.join(others)}")
    return part, diagnostics


def _read_metric_file(path: Path, shown: str, name: str, collector: Collector, diagnostics: list[Diagnostic]) -> None:
    try:
        for number, line in complete_lines(path):
            if line is None:
                diagnostics.append(Diagnostic("line over 1 MiB; skipped", shown, number))
                continue
            cells = line.split()
            if not cells:
                continue
            try:
                value = float(cells[1])
            except (ValueError, IndexError):
                value = None
            step = whole_step(cells[2]) if len(cells) > 2 else 0
            if value is None or step is None:
                diagnostics.append(Diagnostic("expected 'timestamp value step'; line skipped", shown, number))
                continue
            collector.add(name, step, value)
    except OSError as error:
        diagnostics.append(Diagnostic(f"cannot read: {error.strerror or error}", shown))


# --- the SQLite store ---------------------------------------------------------------------


def claim_db(files: list[str]) -> list[list[str]]:
    return [[f] for f in files if f.rpartition("/")[2] == "mlflow.db"]


def read_db(folder: Path, files: list[str], shown: Shown) -> tuple[Part, list[Diagnostic]]:
    (relative,) = files
    diagnostics: list[Diagnostic] = []
    part = Part("MLflow", [relative])
    try:
        connection = sqlite3.connect(f"{(folder / relative).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        diagnostics.append(Diagnostic(f"cannot open the MLflow database: {error}", shown(relative)))
        return part, diagnostics
    try:
        runs = connection.execute(
            "SELECT run_uuid, name, status, start_time, end_time, experiment_id FROM runs WHERE lifecycle_stage = 'active'"
        ).fetchall()
        if not runs:
            return part, diagnostics
        chosen = _choose(folder.name, {row[0]: (row[1] or "", _number(row[3])) for row in runs})
        run = next(row for row in runs if row[0] == chosen)
        _take_run(part, run[1] or "", str(run[2] or ""), run[3], run[4])
        _take_tags(part, dict(connection.execute("SELECT key, value FROM tags WHERE run_uuid = ?", (chosen,))))
        part.params = {k: v for k, v in connection.execute("SELECT key, value FROM params WHERE run_uuid = ?", (chosen,))}
        collector = Collector()  # in timestamp order: the latest write of a step wins
        query = "SELECT key, step, timestamp, value, is_nan FROM metrics WHERE run_uuid = ? ORDER BY key, step, timestamp"
        skipped = 0
        for key, step, stamp, value, is_nan in connection.execute(query, (chosen,)):
            step = whole_step(step) if not isinstance(step, str) else None
            if step is None or not isinstance(value, (int, float)):
                skipped += 1
                continue
            collector.add(str(key), step, math.nan if is_nan else _unclamp(float(value)))
        if skipped:
            diagnostics.append(Diagnostic(f"{skipped} metric rows without a whole step or a number; skipped", shown(relative)))
        part.metrics = collector.series()
        others = [row[1] or row[0] for row in runs if row[0] != chosen]
        artifacts = folder_of(relative)
        part.not_screenshots = [f"{artifacts + '/' if artifacts else ''}mlruns/{row[5]}/{row[0]}/" for row in runs if row[0] != chosen]
        part.not_screenshots.append(COMPRESSED_COPIES)
        if others:
            part.notes.append(f"MLflow run {run[1] or chosen} is shown; also in this store: {', '.join(others)}")
    except sqlite3.Error as error:
        diagnostics.append(Diagnostic(f"cannot read the MLflow database: {error}", shown(relative)))
    finally:
        connection.close()
    return part, diagnostics


# --- both ---------------------------------------------------------------------------------


def _choose(model_id: str, runs: dict[str, tuple[str, float]]) -> str:
    """The run named like the model, else the newest started."""
    named = [run for run, (name, _) in runs.items() if name == model_id]
    if named:
        return named[0]
    return max(runs, key=lambda run: (runs[run][1], run))


def _take_run(part: Part, name: str, status: str, started: object, finished: object) -> None:
    if name:
        part.extra["run name"] = name
    if status:
        part.meta["status"] = STATUS.get(status, status.lower())
    for key, value in (("started", started), ("finished", finished)):
        stamp = _number(value)
        if stamp > 0:
            try:
                part.meta[key] = datetime.fromtimestamp(stamp / 1000, timezone.utc).isoformat(timespec="seconds")
            except (OverflowError, OSError, ValueError):
                part.meta[key] = str(value)


def _take_tags(part: Part, tags: dict[str, str]) -> None:
    commit = tags.get("mlflow.source.git.commit")
    if commit:
        part.meta["commit"] = commit
    source = tags.get("mlflow.source.name")
    if source:
        part.meta.setdefault("command", source)
    for key, value in tags.items():
        if not key.startswith("mlflow."):
            part.extra[f"tag {key}"] = value


def _unclamp(value: float) -> float:
    if value >= FLOAT_MAX:
        return math.inf
    if value <= -FLOAT_MAX:
        return -math.inf
    return value


def _number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return -1.0
    return number if math.isfinite(number) else -1.0


FILE_STORE = Format("MLflow file store", claim_files, read_files)
SQLITE_STORE = Format("MLflow database", claim_db, read_db)
