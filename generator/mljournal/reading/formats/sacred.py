"""Sacred's ``FileStorageObserver``: one folder per run (``1/``, ``2/``…) holding ``run.json``
(command, host, start/stop time, status, result, git commit), ``config.json`` and
``metrics.json`` (``{name: {steps: [...], values: [...], timestamps: [...]}}``). The run
folder may be the observer's folder (the newest run is shown) or one run's folder.
"""

from __future__ import annotations

import math
from pathlib import Path

from mljournal.errors import Diagnostic
from mljournal.reading.formats import Format, Part, Shown, flatten, folder_of, name_of, newest_first_note
from mljournal.reading.formats.journal import read_json_object
from mljournal.reading.metrics import Collector, Series, number_of, whole_step

MAX_METRICS_BYTES = 256 * 1024 * 1024
STATUS = {"COMPLETED": "done", "RUNNING": "running", "FAILED": "failed", "INTERRUPTED": "interrupted",
          "TIMEOUT": "timeout", "QUEUED": "queued"}


def claim(files: list[str]) -> list[list[str]]:
    # cout.txt, which the observer always writes, tells a Sacred run from other run.json files
    runs = sorted({folder_of(f) for f in files if name_of(f) == "run.json"
                   and _join(folder_of(f), "config.json") in files and _join(folder_of(f), "cout.txt") in files},
                  key=_order)
    if not runs:
        return []
    return [[_join(run, name) for run in runs for name in ("run.json", "config.json", "metrics.json")
             if _join(run, name) in files]]


def read(folder: Path, files: list[str], shown: Shown) -> tuple[Part, list[Diagnostic]]:
    runs = sorted({folder_of(f) for f in files}, key=_order)
    chosen = runs[-1]
    part = Part("Sacred", [])
    diagnostics: list[Diagnostic] = []
    run_file = _join(chosen, "run.json")
    data = read_json_object(folder / run_file, shown(run_file), diagnostics)
    if data is not None:
        part.files.append(run_file)
        meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
        experiment = data.get("experiment") if isinstance(data.get("experiment"), dict) else {}
        command = meta.get("command") or data.get("command")
        if command:
            main = experiment.get("mainfile")
            part.meta["command"] = f"{main} {command}" if main else str(command)
        for key, ours in (("start_time", "started"), ("stop_time", "finished")):
            if isinstance(data.get(key), str):
                part.meta[ours] = data[key]
        if isinstance(data.get("status"), str):
            part.meta["status"] = STATUS.get(data["status"], data["status"].lower())
        repositories = experiment.get("repositories")
        if isinstance(repositories, list) and repositories and isinstance(repositories[0], dict):
            commit = repositories[0].get("commit")
            if commit:
                part.meta["commit"] = f"{commit}-dirty" if repositories[0].get("dirty") else str(commit)
        if experiment.get("name"):
            part.extra["experiment"] = str(experiment["name"])
        host = data.get("host") if isinstance(data.get("host"), dict) else {}
        for key in ("hostname", "python_version"):
            if host.get(key):
                part.extra[key] = str(host[key])
        result = data.get("result")
        if isinstance(result, (int, float)) and not isinstance(result, bool):
            part.results["result"] = {"result": float(result)}
        elif isinstance(result, dict):
            numbers = {k: float(v) for k, v in flatten(result).items() if number_of(v) is not None}
            if numbers:
                part.results["result"] = numbers
    config_file = _join(chosen, "config.json")
    if config_file in files:
        config = read_json_object(folder / config_file, shown(config_file), diagnostics)
        if config is not None:
            part.files.append(config_file)
            part.params, part.params_from = flatten(config), config_file
    metrics_file = _join(chosen, "metrics.json")
    if metrics_file in files:
        metrics = read_json_object(folder / metrics_file, shown(metrics_file), diagnostics, MAX_METRICS_BYTES)
        if metrics is not None:
            part.files.append(metrics_file)
            for name, columns in metrics.items():
                series = _series(columns)
                if series is None:
                    diagnostics.append(Diagnostic(f"metric '{name}' needs equally long 'steps' and 'values'; skipped",
                                                  shown(metrics_file)))
                else:
                    part.metrics[name] = series
    if len(runs) > 1:
        part.notes.append(newest_first_note("run", chosen, runs[:-1]))
    return part, diagnostics


def _series(columns: object) -> Series | None:
    if not isinstance(columns, dict):
        return None
    steps, values = columns.get("steps"), columns.get("values")
    if not isinstance(steps, list) or not isinstance(values, list) or len(steps) != len(values):
        return None
    collector = Collector()  # sorts by step; the last value written for a step wins
    for step, value in zip(steps, values):
        number = number_of(value)
        step = whole_step(step) if not isinstance(step, str) else None
        if step is not None:
            collector.add("", step, math.nan if number is None else number)
    return collector.series().get("", Series())


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _order(folder: str) -> tuple[int, str]:
    last = folder.rpartition("/")[2]
    return (int(last), folder) if last.isdecimal() and last.isascii() else (-1, folder)


FORMAT = Format("Sacred", claim, read)
