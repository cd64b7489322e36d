"""Hugging Face Transformers ``Trainer`` output folders.

``trainer_state.json`` (at the root after ``trainer.save_state()``, and in every
``checkpoint-N/``) holds ``log_history``: sparse rows of training logs (loss, grad_norm,
learning_rate, epoch), evaluation rows (``eval_*``) and a final summary row (``train_*``,
``total_flos``). Its ``best_global_step`` / ``best_model_checkpoint`` / ``best_metric`` mark
the best checkpoint when ``metric_for_best_model`` was set (older 4.x files lack some).
``{split}_results.json`` files (``trainer.save_metrics``) are the final results. The
Trainer's TensorBoard copy of the same logs under ``runs/`` is not read again, and nothing
else in a checkpoint (weights, optimizer, ``training_args.bin``, a pickle) is ever opened.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from mljournal.errors import Diagnostic
from mljournal.reading.formats import Format, Part, Shown, Table, flatten, folder_of, name_of
from mljournal.reading.formats.journal import read_json_object
from mljournal.reading.metrics import Collector, to_float, whole_step

STATE = "trainer_state.json"
MAX_STATE_BYTES = 64 * 1024 * 1024
_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")
_RESULTS = re.compile(r"^([A-Za-z0-9_-]+)_results\.json$")
# Bookkeeping in log rows, not metrics: the x axis, and throughput counters.
NOT_METRICS = ("step", "epoch", "total_flos")
THROUGHPUT = ("_runtime", "_samples_per_second", "_steps_per_second", "_tokens_per_second")
PARAMS = ("train_batch_size", "num_train_epochs", "max_steps", "logging_steps", "eval_steps", "save_steps",
          "global_step", "best_metric", "best_global_step", "best_model_checkpoint", "num_input_tokens_seen")


def claim(files: list[str]) -> list[list[str]]:
    states = [f for f in files if name_of(f) == STATE and (f == STATE or _CHECKPOINT.match(folder_of(f)))]
    results = [f for f in files if "/" not in f and _RESULTS.match(f)]
    if not states and not results:
        return []
    ours = states + results
    if states and "config.json" in files:  # the model's configuration: its hyperparameters
        ours.append("config.json")
    if states:  # the Trainer's own TensorBoard copy of log_history, and the checkpoint folders
        ours += [f for f in files if f.startswith("runs/") and name_of(f).startswith("events.out.tfevents.")]
        ours += [f for f in files if _CHECKPOINT.match(f.partition("/")[0]) and f not in ours]
    return [ours]


def read(folder: Path, files: list[str], shown: Shown) -> tuple[Part, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    checkpoints = sorted(
        {int(m.group(1)) for f in files if (m := _CHECKPOINT.match(f.partition("/")[0]))}
    )
    candidates = [STATE] if STATE in files else []
    if checkpoints:
        latest = f"checkpoint-{checkpoints[-1]}/{STATE}"
        if latest in files:
            candidates.append(latest)
    state, state_file = None, None
    for candidate in candidates:  # the root file, unless a later checkpoint saw more steps
        data = read_json_object(folder / candidate, shown(candidate), diagnostics, MAX_STATE_BYTES)
        if data is not None and (state is None or _number(data.get("global_step")) > _number(state.get("global_step"))):
            state, state_file = data, candidate
    part = Part("Hugging Face Trainer" if candidates else "results files", [state_file] if state_file else [])
    if state is not None:
        part.params_from = state_file
        _read_state(state, checkpoints, part, shown(state_file), diagnostics)
    if "config.json" in files:
        config = read_json_object(folder / "config.json", shown("config.json"), diagnostics)
        if config is not None:
            part.files.append("config.json")
            model = {k: v for k, v in flatten(config).items() if not k.startswith(("id2label", "label2id"))}
            part.params = {**model, **part.params}
            part.params_from = ", ".join(f for f in (state_file, "config.json") if f)
    splits = {m.group(1): f for f in files if "/" not in f and (m := _RESULTS.match(f))}
    if len(splits) > 1:
        splits.pop("all", None)  # all_results.json repeats the others
    for split, name in sorted(splits.items()):
        data = read_json_object(folder / name, shown(name), diagnostics)
        if data is None:
            continue
        part.files.append(name)
        numbers = {k: to_float(v) for k, v in data.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        if numbers:
            part.results[split] = _results(split, numbers)
    return part, diagnostics


def _read_state(state: dict, checkpoints: list[int], part: Part, shown: str, diagnostics: list[Diagnostic]) -> None:
    for key in PARAMS:
        value = state.get(key)
        if value is not None and not isinstance(value, (dict, list)):
            part.params[key] = name_of(value) if key == "best_model_checkpoint" and isinstance(value, str) else _text(value)
    history = state.get("log_history")
    if not isinstance(history, list):
        diagnostics.append(Diagnostic("no 'log_history' list; no metrics read", shown))
        return
    collector = Collector()
    evals: dict[int, dict[str, float]] = {}
    epochs: dict[int, float] = {}
    for position, row in enumerate(history):
        step = whole_step(row.get("step")) if isinstance(row, dict) and not isinstance(row.get("step"), str) else None
        if step is None:
            diagnostics.append(Diagnostic(f"log_history[{position}] has no whole-number 'step'; skipped", shown))
            continue
        numbers = {
            k: to_float(v) for k, v in row.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in NOT_METRICS
        }
        if "train_runtime" in row or "total_flos" in row:  # the summary row after training
            part.results.setdefault("train", {}).update(_results("train", numbers))
            continue
        if isinstance(row.get("epoch"), (int, float)) and not isinstance(row.get("epoch"), bool):
            epochs[step] = to_float(row["epoch"])
        for name, value in numbers.items():
            if not name.endswith(THROUGHPUT):
                collector.add(name, step, value)
        shown_evals = {k: v for k, v in numbers.items() if k.startswith("eval_") and not k.endswith(THROUGHPUT)}
        if shown_evals:
            evals.setdefault(step, {}).update(shown_evals)
    part.metrics = collector.series()
    best_step = state.get("best_global_step")
    if not isinstance(best_step, int):
        found = _CHECKPOINT.match(name_of(str(state.get("best_model_checkpoint") or "")))
        best_step = int(found.group(1)) if found else None
    steps = sorted(set(evals) | set(checkpoints))
    if not steps:
        return
    columns = sorted({k for values in evals.values() for k in values})
    rows = []
    for step in steps:
        saved = f"checkpoint-{step}" if step in checkpoints else ""
        rows.append([step, epochs.get(step), saved, *[evals.get(step, {}).get(c) for c in columns]])
    best = steps.index(best_step) if best_step in steps else None
    title = "Checkpoints"
    best_metric = state.get("best_metric")
    if best is not None and isinstance(best_metric, (int, float)):
        named = [c for c in columns if _close(evals.get(best_step, {}).get(c), best_metric)]
        title += f" (best: step {best_step}, {named[0] if len(named) == 1 else 'best_metric'} = {_text(best_metric)})"
    part.tables.append(Table(title, ["step", "epoch", "checkpoint", *columns], rows, best))


def _results(split: str, numbers: dict[str, float]) -> dict[str, float]:
    """A results row, its names without the split's prefix (the row says the split) and
    without throughput counters."""
    prefix = f"{split}_"
    return {
        (k[len(prefix):] if k.startswith(prefix) else k): v
        for k, v in numbers.items()
        if not k.endswith(THROUGHPUT[1:]) and k != "total_flos"
    }


def _close(a: float | None, b: float) -> bool:
    return a is not None and math.isclose(a, float(b), rel_tol=1e-9, abs_tol=1e-12)


def _number(value: object) -> float:
    return to_float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else -1.0


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


FORMAT = Format("Hugging Face Trainer", claim, read)
