"""ClearML offline sessions (``Task.set_offline(True)``): ``offline-<id>/`` with ``task.json``
(hyperparameters by section as typed strings, tags, project, script), ``metrics.jsonl``
(each line a JSON array of events: ``training_stats_scalar`` with metric, variant, iter and
value; ``training_debug_image`` with the image's key under ``data/``), ``log.jsonl`` (the
console), and images under ``data/``. A closed task also leaves ``offline-<id>.zip`` with
the same files; a killed one leaves the folder without it. Either is read, the folder first.

The SDK writes NaN and infinite values as 0.0 (and says so in its log); a single value
(``report_single_value``) is a scalar at iteration -2**31 under the title "Summary".
"""

from __future__ import annotations

import json
from pathlib import Path

from mljournal.errors import Diagnostic
from mljournal.reading.formats import UNFINISHED, Format, Image, Part, Shown, folder_of, name_of, newest_first_note
from mljournal.reading.formats.archive import MAX_MEMBER_BYTES, json_lines, open_zip, read_member
from mljournal.reading.metrics import Collector, to_float

SESSION_FILES = ("task.json", "metrics.jsonl", "log.jsonl")
SINGLE_VALUE_ITERATION = -(2**31)
MAX_IMAGE_BYTES = 20 * 1024 * 1024


def claim(files: list[str]) -> list[list[str]]:
    sessions: dict[str, list[str]] = {}
    for f in files:
        folder, name = folder_of(f), name_of(f)
        if name in SESSION_FILES and name_of(folder).startswith("offline-"):
            sessions.setdefault(folder, []).append(f)
        elif name.startswith("offline-") and name.endswith(".zip"):
            sessions.setdefault(f[: -len(".zip")], []).append(f)
    sessions = {key: group for key, group in sessions.items()
                if f"{key}/task.json" in group or f"{key}.zip" in group}
    return [[f for key in sorted(sessions) for f in sorted(sessions[key])]] if sessions else []


def read(folder: Path, files: list[str], shown: Shown) -> tuple[Part, list[Diagnostic]]:
    keys = sorted({f[: -len(".zip")] if f.endswith(".zip") else folder_of(f) for f in files})
    chosen = keys[-1]
    part = Part("ClearML", [])
    diagnostics: list[Diagnostic] = []
    closed = f"{chosen}.zip" in files
    source = _Source(folder, chosen, shown, diagnostics,
                     from_zip=closed and f"{chosen}/task.json" not in files)
    task = source.json("task.json")
    if task is not None:
        _task(task, part)
    collector = Collector()
    images: list[tuple[str, int, str]] = []
    summary: dict[str, float] = {}
    for event in source.events("metrics.jsonl"):
        kind = event.get("type")
        metric, variant = str(event.get("metric", "")), str(event.get("variant", ""))
        name = metric if variant in ("", metric) else f"{metric}/{variant}"
        iteration = event.get("iter")
        if not isinstance(iteration, int) or isinstance(iteration, bool):
            continue
        if kind == "training_stats_scalar":
            value = to_float(event.get("value")) if not isinstance(event.get("value"), bool) else None
            if value is None:
                continue
            if iteration == SINGLE_VALUE_ITERATION:
                summary[variant or metric] = value
            else:
                collector.add(name, iteration, value)
        elif kind == "training_debug_image" and isinstance(event.get("key"), str):
            images.append((name, iteration, event["key"]))
    part.metrics = collector.series()
    if summary:
        part.results["summary"] = summary
    replaced = source.replaced_values()
    if replaced:
        part.notes.append(f"ClearML wrote {replaced} as 0.0 (its log says so): those points are 0.0 here too")
    for name, step, key in images:
        data = source.image(key)
        if data is not None:
            suffix = key.rpartition(".")[2].lower() if "." in name_of(key) else "jpeg"
            part.images.append(Image(f"clearml/{name}/{step}.{suffix}", data, f"{name} at step {step}"))
    part.not_screenshots.append(f"{chosen}/data/")
    part.files = source.read
    if closed:
        part.meta["status"] = "done"
    else:
        part.meta["status"] = UNFINISHED
        last = max((s.steps[-1] for s in part.metrics.values() if len(s.steps)), default=None)
        part.notes.append("the task did not close (ClearML zips a session when it closes; there is no zip): "
                          "killed or still running" + (f"; read up to its last whole line (iteration {last})"
                                                       if last is not None else ""))
    if len(keys) > 1:
        part.notes.append(newest_first_note("session", chosen, keys[:-1]))
    if source.archive is not None:
        source.archive.close()
    return part, diagnostics


def _task(task: dict, part: Part) -> None:
    hyperparams = task.get("hyperparams")
    if isinstance(hyperparams, dict):
        for section, values in hyperparams.items():
            if not isinstance(values, dict):
                continue
            for name, entry in values.items():
                value = entry.get("value") if isinstance(entry, dict) else entry
                if value is not None:
                    part.params[f"{section}/{name}"] = str(value)
    script = task.get("script") if isinstance(task.get("script"), dict) else {}
    if script.get("entry_point"):
        part.meta["command"] = str(script["entry_point"])
    if script.get("version_num"):
        part.meta["commit"] = str(script["version_num"])
    if isinstance(script.get("diff"), str) and script["diff"].strip():
        part.diff = script["diff"]
    for key, label in (("project_name", "project"), ("name", "task"), ("id", "task id"), ("type", "task type")):
        if task.get(key):
            part.extra[label] = str(task[key])
    if script.get("branch"):
        part.extra["branch"] = str(script["branch"])
    if isinstance(task.get("tags"), list) and task["tags"]:
        part.extra["tags"] = ", ".join(str(tag) for tag in task["tags"])


class _Source:
    """A session's files, from its folder or from its zip."""

    def __init__(self, folder: Path, key: str, shown: Shown, diagnostics: list[Diagnostic], from_zip: bool) -> None:
        self.folder, self.key, self.shown, self.diagnostics = folder, key, shown, diagnostics
        self.read: list[str] = []
        self.archive = None
        self.log_text: str | None = None
        if from_zip:
            self.archive = open_zip(folder / f"{key}.zip", shown(f"{key}.zip"), diagnostics)
            if self.archive is not None:
                self.read.append(f"{key}.zip")

    def bytes(self, name: str, limit: int = MAX_MEMBER_BYTES) -> bytes | None:
        if self.archive is not None:
            return read_member(self.archive, name, self.shown(f"{self.key}.zip"), self.diagnostics, limit)
        path = self.folder / self.key / name
        relative = f"{self.key}/{name}"
        try:
            if path.is_symlink() or not path.is_file():
                return None
            if path.stat().st_size > limit:
                self.diagnostics.append(Diagnostic(f"over {limit >> 20} MiB; ignored", self.shown(relative)))
                return None
            data = path.read_bytes()
        except OSError as error:
            self.diagnostics.append(Diagnostic(f"cannot read: {error.strerror or error}", self.shown(relative)))
            return None
        if name in SESSION_FILES:
            self.read.append(relative)
        return data

    def where(self, name: str) -> str:
        return f"{self.shown(self.key + '.zip')}:{name}" if self.archive is not None else self.shown(f"{self.key}/{name}")

    def json(self, name: str) -> dict | None:
        data = self.bytes(name)
        if data is None:
            return None
        try:
            found = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError) as error:
            self.diagnostics.append(Diagnostic(f"not valid JSON ({getattr(error, 'msg', error)}); ignored",
                                               self.where(name), getattr(error, "lineno", None)))
            return None
        return found if isinstance(found, dict) else None

    def events(self, name: str):
        """Each event of a JSON-lines file of event arrays; a line cut short at the end (the
        task was killed mid-write) is left out, silently."""
        data = self.bytes(name)
        if data is None:
            return
        for events in json_lines(data, self.where(name), self.diagnostics, "a JSON array of events"):
            for event in events if isinstance(events, list) else [events]:
                if isinstance(event, dict):
                    yield event

    def replaced_values(self) -> str:
        """What the SDK's log says it wrote as 0.0: 'NaN', 'infinity', or both."""
        kinds = set()
        for event in self.events("log.jsonl"):
            message = str(event.get("msg", ""))
            if "NaN value encountered" in message:
                kinds.add("NaN")
            if "inf value encountered" in message:
                kinds.add("infinity")
        return " and ".join(sorted(kinds))

    def image(self, key: str) -> bytes | None:
        if ".." in key.split("/") or key.startswith("/"):
            return None
        return self.bytes(f"data/{key}", MAX_IMAGE_BYTES)


FORMAT = Format("ClearML", claim, read)
