"""Recording a run from a script or a notebook, in the journal's own format.

    import mljournal
    run = mljournal.start("tcn-7", params={"lr": 3e-4})
    run.log(step, loss=loss, val_acc=acc)
    run.screenshot(fig, "curves")
    run.excerpt(TCNBlock)           # the lines of code this model is about
    run.finish()                    # or `with mljournal.start(...) as run:`

Writes journal/runs/<model-id>/: ``metrics.jsonl`` (one line per `log`, appended with a
single write so a killed process leaves at most a partial last line, which readers skip),
``run.json`` (replaced atomically), ``git.diff``, ``screenshots/`` and ``excerpts/``.
Nothing here needs more than the standard library; Pillow only for image arrays.
"""

from __future__ import annotations

import atexit
import inspect
import json
import math
import os
import re
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

from mljournal.atomic import replacing
from mljournal.errors import ConfigError, JournalError
from mljournal.ids import check_model_id
from mljournal.project import find_runs_dir
from mljournal.recording import environment


class RecordingError(JournalError):
    pass


_uncaught: list[BaseException] = []  # set by our excepthook: a script that dies is a failed run


def _watch_uncaught() -> None:
    previous = sys.excepthook
    if getattr(previous, "_mljournal", False):
        return

    def hook(kind, error, traceback):
        _uncaught.append(error)
        previous(kind, error, traceback)

    hook._mljournal = True  # type: ignore[attr-defined]
    sys.excepthook = hook


def start(model_id: str, params: dict | None = None, journal: str | os.PathLike | None = None, *,
          parent: str | None = None, record_git: bool = True, resume: bool | str = False) -> Run:
    """Start recording `model_id`'s run where `journal build` reads it, and return the Run.

    model_id    the model this run trains, as entries name it ("tcn-7"); its run folder is
                runs/<model_id>/ of the journal (`runs:` in mkdocs.yml, default journal/runs/)
    params      its parameters (nested mappings are fine), shown on the model page and
                compared with the parent's; more later with `run.set_params(...)`
    journal     the journal folder; default $MLJOURNAL_DIR, else the docs_dir of the nearest
                mkdocs.yml with the journal plugin, else journal/ here or in a parent folder
    parent      the model this one changes, for a model no entry is about yet (an entry's
                `parent:` wins); default: the previous model of its family (tcn-7 -> tcn-6)
    record_git  keep the commit, and the uncommitted diff, of the repository the script runs in
    resume      what to do when the run folder already holds a run (a notebook cell run
                again, a training resumed): False refuses it rather than mix two runs'
                curves; True (or "resume") adds to it, keeping every earlier attempt's
                metadata and merging params (a changed value is recorded as a change);
                "restart" starts the model again, the earlier attempt moved aside into
                attempts/N/ of the run folder (listed on the model page, never deleted)

    Use it as a context manager (`with mljournal.start(...) as run:`) or call `run.finish()`;
    a run that raises is marked failed with its error, one killed stays marked running.
    """
    return Run(model_id, params=params, journal=journal, parent=parent, record_git=record_git, resume=resume)


_active: dict[Path, Run] = {}  # unfinished runs of this process, by folder


class Run:
    def __init__(self, model_id: str, params: dict | None = None, journal: str | os.PathLike | None = None,
                 parent: str | None = None, record_git: bool = True, resume: bool | str = False) -> None:
        """See `start`."""
        if resume not in (False, True, "resume", "restart"):
            raise RecordingError(f"resume={resume!r}: pass False, True (or 'resume') or 'restart'")
        self.model_id = check_model_id(model_id)
        try:
            runs = find_runs_dir(Path(journal) if journal is not None else None)
        except ConfigError as error:
            raise RecordingError(error.message, error.path, error.line) from None
        root = runs.parent
        self.folder = runs / self.model_id
        earlier = _active.get(self.folder.resolve())
        if earlier is not None:  # a notebook cell run again: the earlier cell ran to its end
            earlier.finish("done")
        metrics = self.folder / "metrics.jsonl"
        held = metrics.is_file() and metrics.stat().st_size > 0
        if held and resume is False:
            raise RecordingError(
                f"{self.folder} already holds a run (metrics.jsonl); pass resume=True to add to it, "
                "or resume='restart' to start the model again (the earlier attempt is kept in attempts/)"
            )
        reached = _last_step(metrics)  # -1 for a new run
        before = _read_meta(self.folder / "run.json") if held or resume else {}
        attempts = before.get("attempts") or ([{**_attempt(before), "last_step": reached}] if before else [])
        if held and resume == "restart":
            reached = -1
            moved = _move_aside(self.folder)
            for attempt in attempts:  # a resumed run's attempts share its files
                attempt.setdefault("kept_in", moved)
            before = {}
        self.folder.mkdir(parents=True, exist_ok=True)
        self._metrics = os.open(metrics, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        self._last_step = reached
        self._earlier_step = reached if held and resume in (True, "resume") else -1  # what resuming must not overwrite
        self._suffix = ""
        size = os.fstat(self._metrics).st_size
        if size and os.pread(self._metrics, 1, size - 1) != b"\n":
            _write_all(self._metrics, b"\n")  # a killed process's partial line stays alone on its line
        self.finished = False
        given = _plain(params or {})
        self.meta: dict = {
            "command": environment.command_line(),
            "started": _now(),
            "status": "running",
            "params": given,
            "versions": environment.versions(),
        }
        if before:  # resumed: the run as a whole started with its first attempt; params merge
            self.meta["started"] = before.get("started", self.meta["started"])
            merged = dict(before.get("params") or {})
            changes = list(before.get("param_changes") or [])
            for name, value in given.items():
                if name in merged and merged[name] != value:
                    changes.append({"name": name, "before": merged[name], "after": value, "attempt": len(attempts) + 1})
                merged[name] = value
            self.meta["params"] = merged
            if changes:
                self.meta["param_changes"] = changes
            for key in ("parent", "excerpts"):
                if key in before:
                    self.meta[key] = before[key]
        if parent is not None:
            self.meta["parent"] = check_model_id(parent)
        if attempts:
            self.meta["attempts"] = [*attempts, _attempt(self.meta)]
        diff_file = self.folder / "git.diff"
        diff_file.unlink(missing_ok=True)  # an earlier run's changes are not this run's
        if record_git:
            commit, diff = environment.git_state(Path.cwd(), leave_out=root)
            if commit:
                self.meta["commit"] = commit
                if "attempts" in self.meta:
                    self.meta["attempts"][-1]["commit"] = commit
            if diff:
                diff_file.write_text(diff, encoding="utf-8")
        self._write_meta()
        _active[self.folder.resolve()] = self
        _watch_uncaught()
        atexit.register(self._at_exit)

    # -- metrics ---------------------------------------------------------------------------

    def log(self, metrics: dict | None = None, step: int | None = None, **values: object) -> None:
        """Append one step's values: ``run.log(step=10, loss=0.3)`` or ``run.log({"eval/loss": 0.3}, step=10)``.
        Without a step, the last step + 1. NaN is written as null and ±infinity as
        "Infinity"/"-Infinity", so every line stays valid JSON."""
        if self.finished:
            raise RecordingError(f"run {self.model_id} is finished; start a new one to log more")
        merged = {**(metrics or {}), **values}
        if step is None:
            step = self._last_step + 1
        if isinstance(step, bool) or not isinstance(_number(step), float) or not float(_number(step)).is_integer():
            raise RecordingError(f"step must be a whole number, not {step!r}")
        step = int(_number(step))
        record: dict[str, object] = {"step": step}
        if "step" in merged:
            raise RecordingError("'step' is the step, not a metric: pass it as step=")
        if not self._suffix and 0 <= step <= self._earlier_step and "attempts" in self.meta:
            # A resumed run whose steps go back (training restarted from a checkpoint, or from
            # scratch): this attempt's points are a curve of their own, never written over the
            # earlier attempts' points of the same steps.
            number = len(self.meta["attempts"])
            self._suffix = f" (attempt {number})"
            self.meta["attempts"][-1]["curves"] = (f"its steps went back to {step} (earlier attempts reached "
                                                   f"{self._earlier_step}): logged as '<metric>{self._suffix}'")
            self._write_meta()
        for name, value in merged.items():
            number = _number(value)
            if number is None:
                raise RecordingError(f"metric {name!r}: {value!r} is not a number")
            name = f"{name}{self._suffix}"
            record[str(name)] = None if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity") if math.isinf(number) else number
        _write_all(self._metrics, (json.dumps(record, allow_nan=False) + "\n").encode())
        self._last_step = max(self._last_step, step)

    # -- screenshots and code --------------------------------------------------------------

    def screenshot(self, image: object, name: str | None = None, step: int | None = None) -> Path:
        """Save a matplotlib figure, a PIL image, an image array or an image file under
        screenshots/. Returns the file written."""
        base = _safe_name(name or (Path(image).stem if isinstance(image, (str, os.PathLike)) else "figure"))
        if step is not None:
            base += f"-step{int(step)}"
        folder = self.folder / "screenshots"
        folder.mkdir(exist_ok=True)
        if name is None:  # unnamed figures are numbered, never overwritten
            taken = {p.stem for p in folder.iterdir()}
            number, unique = 1, base
            while unique in taken:
                number += 1
                unique = f"{base}-{number}"
            base = unique
        if isinstance(image, (str, os.PathLike)):
            source = Path(image)
            target = folder / f"{base}{source.suffix.lower()}"
            with replacing(target) as partial:
                shutil.copyfile(source, partial)
            return target
        target = folder / f"{base}.png"
        with replacing(target) as partial:
            if hasattr(image, "savefig"):  # a matplotlib Figure
                image.savefig(partial, format="png", dpi=100, bbox_inches="tight")
            elif hasattr(image, "save") and hasattr(image, "mode"):  # a PIL image
                image.save(partial, "PNG")
            else:
                _array_image(image).save(partial, "PNG")
        return target

    def excerpt(self, source: object = None, *, path: str | os.PathLike | None = None,
                lines: tuple[int, int] | None = None, name: str | None = None) -> Path:
        """Keep the lines of code this run is about: a function's, class's or module's source
        (``run.excerpt(TCNBlock)``), or lines of a file (``path="model.py", lines=(10, 42)``).
        The model page shows it, with a diff against the parent model's excerpt of the same name."""
        target, origin = save_excerpt(self.folder, source, path=path, lines=lines, name=name)
        self.meta.setdefault("excerpts", {})[target.name] = origin
        self._write_meta()
        return target

    # -- metadata --------------------------------------------------------------------------

    def set_params(self, **params: object) -> None:
        self.meta["params"].update(_plain(params))
        self._write_meta()

    def finish(self, status: str = "done") -> None:
        if self.finished:
            return
        self.finished = True
        self.meta["status"] = status
        self.meta["finished"] = _now()
        if "attempts" in self.meta:
            self.meta["attempts"][-1].update(status=status, finished=self.meta["finished"], last_step=self._last_step,
                                             **({"error": self.meta["error"]} if "error" in self.meta else {}))
        self._write_meta()
        os.close(self._metrics)
        atexit.unregister(self._at_exit)
        if _active.get(self.folder.resolve()) is self:
            del _active[self.folder.resolve()]

    def __enter__(self) -> Run:
        return self

    def __repr__(self) -> str:
        state = self.meta.get("status", "running") if self.finished else "recording"
        return f"<mljournal.Run {self.model_id!r} in {os.fspath(self.folder)!r}, {state}, last step {self._last_step}>"

    def __exit__(self, kind, error, traceback) -> None:
        if kind is not None and kind is not KeyboardInterrupt and not self.finished:
            self.meta["error"] = _error_of(error)
        self.finish("done" if kind is None else "interrupted" if kind is KeyboardInterrupt else "failed")

    def _at_exit(self) -> None:
        if _uncaught and not self.finished:
            self.meta["error"] = _error_of(_uncaught[-1])
        self.finish("failed" if _uncaught else "done")

    def _write_meta(self) -> None:
        with replacing(self.folder / "run.json") as partial:
            partial.write_text(json.dumps(self.meta, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def save_excerpt(folder: Path, source: object = None, *, path: str | os.PathLike | None = None,
                 lines: tuple[int, int] | None = None, name: str | None = None) -> tuple[Path, str]:
    """Write an excerpt into a run folder's excerpts/ (see `Run.excerpt`): (the file, where
    its lines come from, "model.py:10-42"), for run.json's "excerpts". For scripts that write
    their run folders themselves."""
    if source is not None:
        try:
            code, first = inspect.getsourcelines(source)
            file = inspect.getsourcefile(source) or "?"
        except (TypeError, OSError) as error:
            raise RecordingError(f"cannot find the source of {source!r}: {error}") from None
        text = "".join(code)
        origin = f"{_relative(file)}:{max(first, 1)}-{max(first, 1) + len(code) - 1}"
        default = getattr(source, "__qualname__", None) or getattr(source, "__name__", "excerpt")
        suffix = Path(file).suffix or ".py"
    elif path is not None:
        all_lines = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
        first, last = lines or (1, len(all_lines))
        if not 1 <= first <= last <= len(all_lines):
            raise RecordingError(f"lines {first}-{last} are not in {path} ({len(all_lines)} lines)")
        text = "".join(all_lines[first - 1 : last])
        origin = f"{_relative(path)}:{first}-{last}"
        default, suffix = Path(path).stem, Path(path).suffix or ".txt"
    else:
        raise RecordingError("excerpt needs an object (a function, class or module) or path=")
    file_name = _safe_name(name or default) + ("" if name and Path(name).suffix else suffix)
    target = folder / "excerpts" / file_name
    target.parent.mkdir(parents=True, exist_ok=True)
    with replacing(target) as partial:
        partial.write_text(text, encoding="utf-8")
    return target, origin


def _read_meta(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _attempt(meta: dict) -> dict:
    """One attempt of a run, as its run.json says it: when, how, how it ended."""
    return {key: meta[key] for key in ("started", "finished", "status", "command", "commit", "error", "last_step",
                                       "curves") if key in meta}


ASIDE = "attempts"  # run folder: attempts/1/, attempts/2/ … hold earlier attempts started again


def _move_aside(folder: Path) -> str:
    """Move a run's files into the next free attempts/<n>/ of its folder (never deleting
    anything); that folder's name, relative to the run folder."""
    number = 1
    target = folder / ASIDE / str(number)
    while target.exists():
        number += 1
        target = folder / ASIDE / str(number)
    target.mkdir(parents=True)
    for child in sorted(folder.iterdir()):
        if child.name != ASIDE:
            os.replace(child, target / child.name)
    return f"{ASIDE}/{target.name}"


TRACEBACK_FRAMES = 8  # the last frames of a failed run's traceback kept in run.json


def _error_of(error: BaseException) -> dict:
    """What a failed run died of: the exception's type, message and the last frames."""
    import traceback

    frames = traceback.extract_tb(error.__traceback__)[-TRACEBACK_FRAMES:]
    return {"type": type(error).__qualname__, "message": str(error)[:2000],
            "traceback": [f"{_relative(f.filename)}:{f.lineno} in {f.name}: {(f.line or '').strip()}" for f in frames]}


def _write_all(descriptor: int, data: bytes) -> None:
    """One line in as few writes as the kernel allows (one, for any line a logger writes)."""
    while data:
        written = os.write(descriptor, data)
        data = data[written:]


def _last_step(path: Path) -> int:
    """The highest step in the last lines of an existing metrics.jsonl, so a resumed run's
    steps go on from there; -1 for a new one."""
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, handle.seek(0, 2) - 65536))
            tail = handle.read().splitlines()
    except OSError:
        return -1
    steps = []
    for line in tail:
        try:
            step = json.loads(line).get("step")
        except (ValueError, AttributeError):
            continue
        if isinstance(step, int) and not isinstance(step, bool):
            steps.append(step)
    return max(steps, default=-1)


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def _number(value: object) -> float | None:
    """A float from Python, NumPy, PyTorch or JAX scalars; None for anything else."""
    if isinstance(value, bool):
        return None
    if hasattr(value, "item") and callable(value.item):
        try:
            value = value.item()
        except (TypeError, ValueError, RuntimeError):
            return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _plain(value: object) -> object:
    """Parameters as JSON can hold them: numbers, strings, lists and mappings; others as text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    number = _number(value)
    if number is not None:
        return number if math.isfinite(number) else str(number)
    return str(value)


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")
    return cleaned or "excerpt"


def _relative(path: str | os.PathLike) -> str:
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(path).name


def _array_image(array: object):
    from PIL import Image

    import numpy

    data = numpy.asarray(array)
    if data.dtype != numpy.uint8:
        scaled = data.astype("float64")
        if scaled.size and scaled.max() <= 1.0:
            scaled = scaled * 255
        data = numpy.clip(scaled, 0, 255).astype(numpy.uint8)
    if data.ndim == 3 and data.shape[0] in (1, 3, 4) and data.shape[2] not in (1, 3, 4):  # CHW, as torch has it
        data = data.transpose(1, 2, 0)
    if data.ndim == 3 and data.shape[2] == 1:
        data = data[:, :, 0]
    return Image.fromarray(data)
