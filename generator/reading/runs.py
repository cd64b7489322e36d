"""Run folders: journal/runs/<model-id>/, written by training processes.

A run folder is read in place. Metric files are parsed by the readers registered in
`metrics.READERS`; images anywhere in the folder are screenshots; ``run.json`` holds the
run's metadata. Nothing else is opened: checkpoints and optimizer states are never read.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import Diagnostic, UnsafeIdError
from generator.ids import check_model_id
from generator.reading.cache import MetricCache
from generator.reading.metrics import READERS, Series
from generator.reading.walk import shown_path, walk_files

SCREENSHOT_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")
MAX_META_BYTES = 1024 * 1024
META_FILE = "run.json"


@dataclass
class RunMeta:
    command: str | None = None
    commit: str | None = None
    params: dict = field(default_factory=dict)
    started: str | None = None
    finished: str | None = None
    status: str | None = None
    other: dict = field(default_factory=dict)


@dataclass
class Run:
    model_id: str
    path: Path
    metrics: dict[str, Series]
    sources: list[str]  # metric files read, relative to the run folder
    screenshots: list[str]  # relative to the run folder, posix
    meta: RunMeta | None


def read_runs(
    runs_dir: Path, shown_relative_to: Path, cache_dir: Path | None = None
) -> tuple[dict[str, Run], list[Diagnostic]]:
    """Every run folder under `runs_dir`, by model ID, and what was skipped. With a
    `cache_dir`, metric files that have not changed since the last read are not parsed again."""
    cache = MetricCache(cache_dir)
    runs: dict[str, Run] = {}
    diagnostics: list[Diagnostic] = []
    if not runs_dir.is_dir():
        return runs, diagnostics
    for folder in sorted(runs_dir.iterdir()):
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        shown = shown_path(folder, shown_relative_to)
        if folder.is_symlink():
            diagnostics.append(Diagnostic("skipped: run folders cannot be symbolic links", shown))
            continue
        try:
            model_id = check_model_id(folder.name)
        except UnsafeIdError as error:
            diagnostics.append(Diagnostic(f"skipped: the folder name is not a model ID: {error.message}", shown))
            continue
        run, found = read_run(model_id, folder, shown_relative_to, cache)
        runs[model_id] = run
        diagnostics.extend(found)
    return runs, diagnostics


def read_run(
    model_id: str, folder: Path, shown_relative_to: Path, cache: MetricCache | None = None
) -> tuple[Run, list[Diagnostic]]:
    cache = cache or MetricCache(None)
    diagnostics: list[Diagnostic] = []
    metrics: dict[str, Series] = {}
    sources: list[str] = []
    for name, read in READERS.items():
        path = folder / name
        if not path.is_file():
            continue
        shown = shown_path(path, shown_relative_to)
        try:
            series, found = cache.read(path, shown, name, read)
        except OSError as error:  # deleted or replaced while we read it
            diagnostics.append(Diagnostic(f"cannot read: {error.strerror or error}", shown))
            continue
        diagnostics.extend(found)
        sources.append(name)
        for metric, values in series.items():
            if metric in metrics:
                diagnostics.append(Diagnostic(f"metric '{metric}' also comes from {sources[0]}; using this file's", shown))
            metrics[metric] = values
    screenshots: list[str] = []
    for path, skipped in walk_files(folder, suffixes=SCREENSHOT_SUFFIXES):
        if skipped:
            diagnostics.append(Diagnostic(skipped, shown_path(path, shown_relative_to)))
            continue
        screenshots.append(path.relative_to(folder).as_posix())
    meta = _read_meta(folder / META_FILE, shown_relative_to, diagnostics)
    return Run(model_id, folder, metrics, sources, screenshots, meta), diagnostics


def _read_meta(path: Path, base: Path, diagnostics: list[Diagnostic]) -> RunMeta | None:
    if not path.is_file():
        return None
    shown = shown_path(path, base)
    try:
        if path.stat().st_size > MAX_META_BYTES:
            diagnostics.append(Diagnostic("run.json is over 1 MiB; ignored", shown))
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        diagnostics.append(Diagnostic(f"cannot read: {error.strerror or error}", shown))
        return None
    except ValueError as error:
        line = getattr(error, "lineno", None)
        diagnostics.append(Diagnostic(f"not valid JSON ({getattr(error, 'msg', error)}); ignored", shown, line))
        return None
    if not isinstance(data, dict):
        diagnostics.append(Diagnostic("run.json must be a JSON object; ignored", shown))
        return None
    meta = RunMeta()
    for key in ("command", "commit", "started", "finished", "status"):
        value = data.pop(key, None)
        if value is not None:
            setattr(meta, key, value if isinstance(value, str) else json.dumps(value))
    params = data.pop("params", None)
    if isinstance(params, dict):
        meta.params = params
    elif params is not None:
        diagnostics.append(Diagnostic("'params' must be a JSON object; ignored", shown))
    meta.other = data
    return meta


def best(series: Series, goal: str) -> tuple[int, float] | None:
    """(step, value) of the best finite value: the lowest for goal 'min', else the highest."""
    chosen: tuple[int, float] | None = None
    for step, value in zip(series.steps, series.values):
        if not math.isfinite(value):
            continue
        if chosen is None or (value < chosen[1] if goal == "min" else value > chosen[1]):
            chosen = (step, value)
    return chosen


def last(series: Series) -> tuple[int, float] | None:
    for step, value in zip(reversed(series.steps), reversed(series.values)):
        if not math.isnan(value):
            return step, value
    return None


_LOWER_IS_BETTER = ("loss", "error", "err", "perplexity", "ppl", "mse", "mae", "rmse", "wer", "cer", "nll", "time", "latency")


def goal_of(metric: str, overrides: dict[str, str]) -> str:
    """'min' or 'max': from the settings, else guessed from the name (losses go down)."""
    if metric in overrides:
        return overrides[metric]
    name = metric.lower()
    return "min" if any(word in name for word in _LOWER_IS_BETTER) else "max"

