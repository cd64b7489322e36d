"""Hugging Face Transformers ``Trainer`` output folders, wherever they are in the run folder.

``trainer_state.json`` (in the output folder after ``trainer.save_state()``, and in every
checkpoint folder: ``checkpoint-N/``, ``last-checkpoint/``, any ``name-N/``) holds
``log_history``: sparse rows of training logs (loss, grad_norm, learning_rate, epoch),
evaluation rows (``eval_*``) and a final summary row (``train_*``, ``total_flos``). The
newest complete state is read (the most steps; the output folder's own among equals), and
the page says which file it was. Its ``best_global_step`` / ``best_model_checkpoint`` /
``best_metric`` mark the best checkpoint when ``metric_for_best_model`` was set (older 4.x
files lack the step; the checkpoint's path may be a Windows one). ``{split}_results.json``
files (``trainer.save_metrics``) are the final results, ``config.json`` and a PEFT
``adapter_config.json`` (LoRA rank, alpha, target modules) are parameters.

Event files in a Trainer's run folder are its TensorBoard copy of the same logs (under
``runs/`` by default, wherever ``logging_dir`` put them): they are read only to see how far
the run got, and when they go further than the state (a run that went on after its last
save), their curves are shown, under the Trainer's names, and the state is named stale.
Nothing else in a checkpoint (weights, optimizer, ``training_args.bin``, a pickle) is opened.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from mljournal.errors import Diagnostic
from mljournal.reading.formats import Format, Part, Shown, Table, flatten, folder_of, name_of
from mljournal.reading.formats.journal import read_json_object
from mljournal.reading.metrics import Collector, Series, to_float, whole_step

STATE = "trainer_state.json"
MAX_STATE_BYTES = 64 * 1024 * 1024
_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")  # a checkpoint folder, even without a state in it
_NUMBERED = re.compile(r"-(\d+)$")  # a folder with a state whose name ends in its step: chechpoint-1500
LATEST = "last-checkpoint"  # what some scripts copy the newest checkpoint to
_RESULTS = re.compile(r"^([A-Za-z0-9_-]+)_results\.json$")
EVENTS = "events.out.tfevents"
# Bookkeeping in log rows, not metrics: the x axis, and throughput counters.
NOT_METRICS = ("step", "epoch", "total_flos")
THROUGHPUT = ("_runtime", "_samples_per_second", "_steps_per_second", "_tokens_per_second")
PARAMS = ("train_batch_size", "num_train_epochs", "max_steps", "logging_steps", "eval_steps", "save_steps",
          "global_step", "best_metric", "best_global_step", "best_model_checkpoint", "num_input_tokens_seen")


def _is_checkpoint(folder: str) -> bool:
    name = name_of(folder)
    return bool(_CHECKPOINT.match(name) or _NUMBERED.search(name) or name == LATEST)


def _output_folder(state: str) -> str:
    """The Trainer's output folder of a state file: its own folder, or its checkpoint's parent."""
    folder = folder_of(state)
    return folder_of(folder) if folder and _is_checkpoint(folder) else folder


def claim(files: list[str]) -> list[list[str]]:
    states = [f for f in files if name_of(f) == STATE]
    if not states:
        results = [f for f in files if "/" not in f and _RESULTS.match(f)]
        return [results] if results else []
    outputs = {_output_folder(f) for f in states} | {""}
    checkpoint_folders = {folder_of(f) for f in states if folder_of(f) and _is_checkpoint(folder_of(f))}
    ours = list(states)
    for f in files:
        if f in ours:
            continue
        folder = folder_of(f)
        inside = any(f.startswith(c + "/") for c in checkpoint_folders) or any(
            _CHECKPOINT.match(piece) for piece in f.split("/")[:-1])
        if inside or name_of(f).startswith(EVENTS):
            ours.append(f)  # a checkpoint's files (never opened), the Trainer's TensorBoard copy
        elif folder in outputs and (_RESULTS.match(name_of(f)) or name_of(f) in ("config.json", "adapter_config.json")):
            ours.append(f)
    return [ours]


def read(folder: Path, files: list[str], shown: Shown) -> tuple[Part, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    states = [f for f in files if name_of(f) == STATE]
    checkpoints: dict[int, str] = {}  # step -> checkpoint folder
    folders = {"/".join(pieces[: at + 1]) for f in files for pieces in [f.split("/")] for at in range(len(pieces) - 1)}
    for path in sorted(folders):
        found = _CHECKPOINT.match(name_of(path)) or (f"{path}/{STATE}" in states and _NUMBERED.search(name_of(path)))
        if found:
            checkpoints.setdefault(int(found.group(1)), path)
    state, state_file = _newest_state(folder, states, shown, diagnostics)
    part = Part("Hugging Face Trainer" if states else "results files", [state_file] if state_file else [])
    output = _output_folder(state_file) if state_file else ""
    if state is not None:
        part.params_from = state_file
        _read_state(state, checkpoints, part, shown(state_file), diagnostics)
        if len(states) > 1:
            part.notes.append(f"log history from {state_file}, the newest of {len(states)} trainer states")
    for name, prefix in (("config.json", ""), ("adapter_config.json", "adapter.")):
        # the output folder's (save_model), else the one beside the state, else the newest checkpoint's
        places = [output, folder_of(state_file or ""), ""] + [checkpoints[step] for step in sorted(checkpoints, reverse=True)]
        path = next((p for p in (f"{place}/{name}".lstrip("/") for place in places) if p in files), None)
        config = read_json_object(folder / path, shown(path), diagnostics) if path else None
        if config is not None:
            part.files.append(path)
            values = {prefix + k: v for k, v in flatten(config).items() if not k.startswith(("id2label", "label2id"))}
            part.params = {**values, **part.params} if not prefix else {**part.params, **values}
            part.params_from = ", ".join(f for f in (part.params_from, path) if f)
    splits = {}
    for place in dict.fromkeys((output, "")):  # the output folder's results, else the run folder's
        splits = splits or {m.group(1): f for f in files if folder_of(f) == place and (m := _RESULTS.match(name_of(f)))}
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
    events = [f for f in files if name_of(f).startswith(EVENTS)]
    if events and states:
        _tensorboard_copy(folder, events, shown, part, state_file, diagnostics)
    return part, diagnostics


def _newest_state(folder: Path, states: list[str], shown: Shown,
                  diagnostics: list[Diagnostic]) -> tuple[dict | None, str | None]:
    """The complete state that saw the most steps: every output folder's own, and in each
    folder of checkpoints the highest-numbered one that reads (a partly written one is passed)."""
    own = [s for s in states if not (folder_of(s) and _is_checkpoint(folder_of(s)))]
    saved: dict[str, list[tuple[int, str]]] = {}
    for s in states:
        checkpoint = folder_of(s)
        if checkpoint and _is_checkpoint(checkpoint):
            number = _NUMBERED.search(name_of(checkpoint))
            saved.setdefault(folder_of(checkpoint), []).append((int(number.group(1)) if number else -1, s))
    best: tuple[tuple, dict, str] | None = None

    def consider(candidate: str, rank: int) -> bool:
        nonlocal best
        # An output folder's own state that does not read is named; a checkpoint's is passed over
        # for the one before it (a save cut short).
        data = read_json_object(folder / candidate, shown(candidate), diagnostics if rank else [], MAX_STATE_BYTES)
        if data is None or not isinstance(data.get("log_history"), list):
            return False
        key = (_number(data.get("global_step")), len(data["log_history"]), rank)
        if best is None or key > best[0]:
            best = (key, data, candidate)
        return True

    for s in own:
        consider(s, 1)
    for group in saved.values():
        for _, candidate in sorted(group, reverse=True):
            if consider(candidate, 0):
                break
    if best is None:
        for candidate in states:  # none reads: say why, for each checkpoint's too
            if folder_of(candidate) and _is_checkpoint(folder_of(candidate)):
                read_json_object(folder / candidate, shown(candidate), diagnostics, MAX_STATE_BYTES)
        if states:
            diagnostics.append(Diagnostic("no complete trainer_state.json (a JSON object with a 'log_history' "
                                          "list); no metrics read", shown(states[0])))
        return None, None
    return best[1], best[2]


def _tensorboard_copy(folder: Path, events: list[str], shown: Shown, part: Part, state_file: str | None,
                      diagnostics: list[Diagnostic]) -> None:
    """Compare the Trainer's TensorBoard copy with the state: the longer is shown."""
    from mljournal.reading.formats import tensorboard

    copy, found = tensorboard.read(folder, events, shown)
    renamed = {_trainer_name(name): series for name, series in copy.metrics.items()
               if _trainer_name(name) not in NOT_METRICS and not _trainer_name(name).endswith(THROUGHPUT)}
    ours, theirs = _last_step(part.metrics), _last_step(renamed)
    where = ", ".join(sorted({folder_of(e) or "." for e in events}))
    if theirs > ours:
        part.files.extend(events)
        diagnostics.extend(found)
        part.metrics = {**part.metrics, **renamed}
        part.notes.append(f"{state_file} stops at step {ours}; the Trainer's TensorBoard copy ({where}) goes on to step "
                          f"{theirs}, so its curves are shown: {state_file} is stale (saved before the run ended)")
    else:
        part.notes.append(f"the Trainer's TensorBoard copy ({where}) holds the same logs; not shown twice")


def _trainer_name(tag: str) -> str:
    """A tag of the Trainer's TensorBoard callback back to its log name: eval/loss -> eval_loss,
    test/accuracy -> test_accuracy, train/loss -> loss."""
    head, _, rest = tag.partition("/")
    if rest and head in ("eval", "test"):
        return f"{head}_{rest}"
    if rest and head == "train":
        return rest
    return tag


def _last_step(metrics: dict[str, Series]) -> int:
    return max((series.steps[-1] for series in metrics.values() if len(series.steps)), default=-1)


def _last_piece(path: str) -> str:
    """The last name of a path written on any system: ./results\\checkpoint-1500 -> checkpoint-1500."""
    return re.split(r"[\\/]+", path.rstrip("\\/"))[-1]


def checkpoint_step(path: object) -> int | None:
    """The step a checkpoint's path names (``best_model_checkpoint``), from any system."""
    found = _NUMBERED.search(_last_piece(path)) if isinstance(path, str) else None
    return int(found.group(1)) if found else None


def _read_state(state: dict, checkpoints: dict[int, str], part: Part, shown: str, diagnostics: list[Diagnostic]) -> None:
    for key in PARAMS:
        value = state.get(key)
        if value is not None and not isinstance(value, (dict, list)):
            part.params[key] = _last_piece(value) if key == "best_model_checkpoint" and isinstance(value, str) else _text(value)
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
    if not isinstance(best_step, int) or isinstance(best_step, bool):
        best_step = checkpoint_step(state.get("best_model_checkpoint"))
    steps = sorted(set(evals) | set(checkpoints))
    if not steps:
        return
    columns = sorted({k for values in evals.values() for k in values})
    rows = []
    for step in steps:
        saved = checkpoints.get(step, "")
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
