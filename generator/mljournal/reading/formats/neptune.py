"""Neptune runs: the 1.x client's offline (and asynchronous) operation log, and the Parquet
files of the official exporter, which hold what users saved before the hosted service shut
down (2026-03-05).

Offline: ``.neptune/offline/run__<uuid>__<pid>__<random>/`` (a hidden folder; or that run
folder copied out of it) with
``data-1.log`` (JSON lines of operations, each ``{"obj": {"type", "path", …}, "version": n}``:
``AssignFloat``/``AssignString``/…, ``AddStrings`` for tags, ``LogFloats`` with step, value
and time, ``LogImages`` with base64 images inside the log), ``metadata.json`` and
``last_put_version`` (the last operation handed to the writer). A killed run's log can end
before that version, or mid-line: it is read up to its last whole line and marked as not
finished. The client skips NaN and the infinities (it warns and logs nothing).

Export: ``<run>_part_<n>.parquet`` with one row per value (``attribute_path``,
``attribute_type``, ``step``, ``float_value``, ``string_value``, …), read with pyarrow, an
optional extra (``pip install 'mljournal[parquet]'``).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from pathlib import Path

from mljournal.errors import Diagnostic
from mljournal.reading.formats import UNFINISHED, Format, Image, Part, Shown, folder_of, name_of, newest_first_note
from mljournal.reading.formats.archive import image_suffix
from mljournal.reading.metrics import Collector, complete_lines, to_float

LOG = re.compile(r"data-(\d+)\.log")
PART = re.compile(r"(.+)_part_(\d+)\.parquet")
PARAMETER_ROOTS = ("parameters", "params", "config", "hparams", "hyperparameters", "args")
NOT_SHOWN_ROOTS = ("monitoring", "source_code")
ASSIGN = {"AssignFloat", "AssignInt", "AssignString", "AssignBool", "AssignDatetime"}
MAX_IMAGE_BYTES = 20 * 1024 * 1024
EXTRA = "parquet"  # the optional dependency that reads exports: mljournal[parquet]


def claim(files: list[str]) -> list[list[str]]:
    runs: dict[str, list[str]] = {}
    for f in files:
        if LOG.fullmatch(name_of(f)) or name_of(f) in ("metadata.json", "last_put_version"):
            runs.setdefault(folder_of(f), []).append(f)
    # a run's folder as the client names it (run__<uuid>__…, inside .neptune/offline or copied out of it)
    runs = {folder: group for folder, group in runs.items()
            if any(LOG.fullmatch(name_of(f)) for f in group) and len(group) > 1
            and any(part == ".neptune" or part.startswith("run__") for part in folder.split("/"))}
    return [[f for folder in sorted(runs) for f in sorted(runs[folder])]] if runs else []


def claim_export(files: list[str]) -> list[list[str]]:
    parts = sorted(f for f in files if PART.fullmatch(name_of(f)))
    return [parts] if parts else []


class _Run:
    """What a run's operations say so far."""

    def __init__(self) -> None:
        self.collector = Collector()
        self.params: dict[str, str] = {}
        self.results: dict[str, float] = {}
        self.tags: list[str] = []
        self.meta: dict[str, str] = {}
        self.extra: dict[str, str] = {}
        self.images: list[tuple[str, int, bytes, str]] = []
        self.failed = False
        self.no_step = 0
        self.hidden: list[str] = []  # image files read into images, not screenshots of their own

    def assign(self, path: list[str], value: object) -> None:
        name = "/".join(path)
        if not path or path[0] in NOT_SHOWN_ROOTS:
            return
        if path[0] == "sys":
            key = path[-1]
            if key == "failed":
                self.failed = value is True
            elif key in ("name", "description", "hostname", "state", "id", "custom_run_id") and value not in ("", None):
                self.extra["host" if key == "hostname" else key] = str(value)
            elif key in ("creation_time",) and value:
                self.meta["started"] = str(value)
            return
        if path[0] in PARAMETER_ROOTS or isinstance(value, (str, bool)) or value is None:
            self.params[name] = _text(value)
        elif isinstance(value, (int, float)):
            self.results[name] = to_float(value)

    def log_floats(self, path: list[str], points: list) -> None:
        name = "/".join(path)
        for point in points:
            if not isinstance(point, dict):
                continue
            value, step = point.get("value"), point.get("step")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if step is None:
                self.no_step += 1
                step = len(self.collector.column(name)[0])
            if isinstance(step, float) and step.is_integer():
                step = int(step)
            if isinstance(step, int) and not isinstance(step, bool):
                self.collector.add(name, step, to_float(value))

    def part(self, tool: str) -> Part:
        part = Part(tool, [])
        part.metrics = self.collector.series()
        part.params = self.params
        if self.results:
            part.results["values"] = self.results
        part.meta.update(self.meta)
        part.extra.update(self.extra)
        if self.tags:
            part.extra["tags"] = ", ".join(self.tags)
        for name, step, data, caption in self.images:
            suffix = image_suffix(data)
            if suffix:
                part.images.append(Image(f"neptune/{name}/{step}.{suffix}", data,
                                         f"{name} at step {step}" + (f": {caption}" if caption else "")))
        if self.failed:
            part.meta["status"] = "failed"
        part.not_screenshots.extend(self.hidden)
        if self.no_step:
            part.notes.append(f"{self.no_step} values were logged without a step: they are numbered in order")
        return part


def read(folder: Path, files: list[str], shown: Shown) -> tuple[Part, list[Diagnostic]]:
    runs = sorted({folder_of(f) for f in files})
    chosen = runs[-1]
    diagnostics: list[Diagnostic] = []
    state = _Run()
    logs = sorted((f for f in files if folder_of(f) == chosen and LOG.fullmatch(name_of(f))),
                  key=lambda f: int(LOG.fullmatch(name_of(f)).group(1)))
    last_version = 0
    read_files = []
    for relative in logs:
        read_files.append(relative)
        try:
            for number, line in complete_lines(folder / relative):
                if line is None or not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                except (ValueError, RecursionError):
                    diagnostics.append(Diagnostic("not a JSON operation; skipped", shown(relative), number))
                    continue
                if not isinstance(entry, dict) or not isinstance(entry.get("obj"), dict):
                    continue
                if isinstance(entry.get("version"), int):
                    last_version = max(last_version, entry["version"])
                _operation(state, entry["obj"])
        except OSError as error:
            diagnostics.append(Diagnostic(f"cannot read: {error.strerror or error}", shown(relative)))
    metadata_file = f"{chosen}/metadata.json"
    if metadata_file in files:
        from mljournal.reading.formats.journal import read_json_object

        metadata = read_json_object(folder / metadata_file, shown(metadata_file), diagnostics)
        if metadata is not None:
            read_files.append(metadata_file)
            for key, label in (("containerId", "run id"), ("mode", "mode"), ("neptuneClientVersion", "client")):
                if metadata.get(key):
                    state.extra[label] = str(metadata[key])
            if metadata.get("createdAt"):
                state.meta.setdefault("started", str(metadata["createdAt"]))
    part = state.part("Neptune")
    part.files = read_files
    put_file = f"{chosen}/last_put_version"
    put = _int_file(folder / put_file) if put_file in files else None
    if put is not None:
        part.files.append(put_file)
        if put > last_version:
            part.meta.setdefault("status", UNFINISHED)
            part.notes.append(f"the run did not finish writing: its log ends at operation {last_version} of {put} "
                              "(last_put_version); read up to its last whole line")
    if len(runs) > 1:
        part.notes.append(newest_first_note("run", chosen, runs[:-1]))
    return part, diagnostics


def _operation(state: _Run, obj: dict) -> None:
    kind, path = obj.get("type"), obj.get("path")
    if not isinstance(path, list) or not all(isinstance(p, str) for p in path):
        return
    if kind in ASSIGN:
        state.assign(path, obj.get("value"))
    elif kind == "AddStrings" and path == ["sys", "tags"] and isinstance(obj.get("values"), list):
        state.tags.extend(str(tag) for tag in obj["values"] if str(tag) not in state.tags)
    elif kind == "RemoveStrings" and path == ["sys", "tags"] and isinstance(obj.get("values"), list):
        state.tags = [tag for tag in state.tags if tag not in obj["values"]]
    elif kind == "LogFloats" and isinstance(obj.get("values"), list):
        state.log_floats(path, obj["values"])
    elif kind == "LogImages" and isinstance(obj.get("values"), list):
        name = "/".join(path)
        for point in obj["values"]:
            image = point.get("value") if isinstance(point, dict) else None
            step = point.get("step") if isinstance(point, dict) else None
            if not isinstance(image, dict) or not isinstance(image.get("data"), str):
                continue
            if len(image["data"]) > MAX_IMAGE_BYTES * 4 // 3:
                continue
            try:
                data = base64.b64decode(image["data"], validate=True)
            except (binascii.Error, ValueError):
                continue
            step = int(step) if isinstance(step, (int, float)) and math.isfinite(step) else len(state.images)
            state.images.append((name, step, data, str(image.get("name") or "")))
    elif kind in ("ClearFloatLog", "DeleteAttribute"):
        name = "/".join(path)
        state.collector.points.pop(name, None)
        state.params.pop(name, None)
        state.results.pop(name, None)


def read_export(folder: Path, files: list[str], shown: Shown) -> tuple[Part, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    part = Part("Neptune export", [])
    try:
        import pyarrow.parquet as parquet
    except ImportError:
        diagnostics.append(Diagnostic(
            f"a Neptune export in Parquet files; reading them needs pyarrow: pip install 'mljournal[{EXTRA}]'",
            shown(files[0])))
        part.notes.append(f"not read: Parquet files need pyarrow (pip install 'mljournal[{EXTRA}]')")
        return part, diagnostics
    by_run: dict[str, list[str]] = {}
    for relative in files:
        by_run.setdefault(PART.fullmatch(name_of(relative)).group(1), []).append(relative)
    chosen = sorted(by_run)[-1]
    state = _Run()
    columns = ["run_id", "attribute_path", "attribute_type", "step", "timestamp", "int_value", "float_value",
               "string_value", "bool_value", "datetime_value", "string_set_value", "file_value"]
    for relative in sorted(by_run[chosen], key=lambda f: int(PART.fullmatch(name_of(f)).group(2))):
        try:
            table = parquet.read_table(folder / relative, columns=None)
        except Exception as error:  # noqa: BLE001 - pyarrow raises many kinds for a damaged file
            diagnostics.append(Diagnostic(f"not a readable Parquet file ({type(error).__name__}: {error}); ignored",
                                          shown(relative)))
            continue
        missing = [c for c in ("attribute_path", "attribute_type") if c not in table.column_names]
        if missing:
            diagnostics.append(Diagnostic(f"not a Neptune export (no column {missing[0]}); ignored", shown(relative)))
            continue
        part.files.append(relative)
        present = [c for c in columns if c in table.column_names]
        for row in table.select(present).to_pylist():
            _export_row(state, row, folder, folder_of(relative))
    found = state.part("Neptune export")
    found.files = part.files
    if state.extra.get("state") and "status" not in found.meta:
        found.extra["state"] = state.extra["state"]
    if len(by_run) > 1:
        found.notes.append(newest_first_note("run", chosen, sorted(by_run)[:-1]))
    return found, diagnostics


def _export_row(state: _Run, row: dict, folder: Path, here: str) -> None:
    path = str(row.get("attribute_path") or "").split("/")
    kind = row.get("attribute_type")
    if kind == "float_series":
        step = row.get("step")
        value = row.get("float_value")
        if value is not None and step is not None:
            state.log_floats(path, [{"value": float(value), "step": _step(step)}])
    elif kind in ("float", "int", "string", "bool", "datetime"):
        value = {"float": row.get("float_value"), "int": row.get("int_value"), "string": row.get("string_value"),
                 "bool": row.get("bool_value"), "datetime": row.get("datetime_value")}[kind]
        if kind == "datetime" and value is not None:
            value = value.isoformat()
        state.assign(path, value)
    elif kind == "string_set":
        values = row.get("string_set_value") or []
        if path == ["sys", "tags"]:
            state.tags.extend(str(v) for v in values)
        elif path[0] not in NOT_SHOWN_ROOTS:
            state.params["/".join(path)] = ", ".join(str(v) for v in values)
    elif kind in ("file_series", "file"):
        file_value = row.get("file_value") or {}
        relative = file_value.get("path") if isinstance(file_value, dict) else None
        if isinstance(relative, str) and ".." not in relative.split("/") and not relative.startswith("/"):
            found = _export_file(folder, here, relative)
            data = found[1] if found else None
            if data is not None and image_suffix(data):
                state.hidden.append(found[0])
                step = row.get("step")
                state.images.append(("/".join(path), _step(step) if step is not None else len(state.images), data, ""))


def _export_file(folder: Path, here: str, relative: str) -> tuple[str, bytes] | None:
    """An exported file, found by its path in the exporter's files tree, copied in beside the
    Parquet files or at the run folder's top (``files/<project>/<run>/…``): the path's longest
    tail that exists is the file."""
    parts = relative.split("/")
    bases = [folder / here, folder, folder / "files"] if here else [folder, folder / "files"]
    for start in range(len(parts)):
        for base in bases:
            candidate = base.joinpath(*parts[start:])
            try:
                if candidate.is_file() and not candidate.is_symlink() and candidate.stat().st_size <= MAX_IMAGE_BYTES:
                    return candidate.relative_to(folder).as_posix(), candidate.read_bytes()
            except OSError:
                return None
    return None


def _step(step: object) -> int:
    """The exporter's decimal(18, 6) step as the journal's integer step."""
    number = float(step)  # Decimal or float
    return int(number) if math.isfinite(number) else 0


def _text(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _int_file(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdecimal() else None


FORMAT = Format("Neptune", claim, read)
EXPORT = Format("Neptune export", claim_export, read_export, needs="pyarrow")
