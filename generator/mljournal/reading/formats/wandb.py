"""Weights & Biases runs, offline ones included: ``wandb/<offline-run|run>-<date>-<id>/`` with
``run-<id>.wandb`` and ``files/``, read with the standard library.

Offline, the ``.wandb`` file is the only record of the run's history, config and summary.
Its framing is LevelDB's log format: a 7-byte header (``:W&B``, a 2-byte magic, a version
byte), then 32 KiB blocks of chunks that never cross a block (a 7-byte chunk header: CRC-32,
length, type FULL/FIRST/MIDDLE/LAST), zero padding at a block's end. The checksum is plain
CRC-32 of the type byte and the payload. Each payload is a protobuf ``Record``
(wandb/proto/wandb_internal.proto), of which a few fields are read (numbers below).

What the SDK does that a reader must undo: a history item names its metric by
``nested_key`` (a path), the step is the ``_step`` item (step 0 may come as an empty step
message), ``value_json`` is JSON with bare ``NaN``/``Infinity``, an image is a group of
items (``<key>/_type`` = ``image-file``, ``<key>/path`` under ``files/``) whose file name is
one step off the logged step, and the summary is hundreds of partial updates. A killed run
leaves whole blocks only, often a FIRST chunk with no LAST, and no exit record: it is read
up to its last whole record and marked as not finished.
"""

from __future__ import annotations

import json
import math
import re
import struct
import zlib
from pathlib import Path

from mljournal.errors import Diagnostic
from mljournal.reading.formats import UNFINISHED, Format, Image, Part, Shown, flatten, folder_of, name_of, newest_first_note
from mljournal.reading.formats.protowire import DecodeError, fields, signed64
from mljournal.reading.metrics import Collector

MAGIC = b":W&B"
STARTED = re.compile(r"\d{8}_\d{6}")
HEADER_BYTES, BLOCK_BYTES, CHUNK_HEADER = 7, 32 * 1024, struct.Struct("<IHB")
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4
MAX_FILE_BYTES = 1024 * 1024 * 1024
MAX_IMAGE_BYTES = 20 * 1024 * 1024

# Record fields, and those of the messages inside them.
RECORD_HISTORY, RECORD_SUMMARY, RECORD_CONFIG, RECORD_RUN, RECORD_EXIT, RECORD_ENVIRONMENT = 2, 3, 5, 17, 18, 26
ITEM_KEY, ITEM_NESTED_KEY, ITEM_VALUE_JSON = 1, 2, 16  # HistoryItem, SummaryItem, ConfigItem
UPDATE, REMOVE = 1, 2  # SummaryRecord, ConfigRecord
HISTORY_ITEM, HISTORY_STEP = 1, 2
RUN_ID, RUN_ENTITY, RUN_PROJECT, RUN_CONFIG, RUN_GROUP, RUN_JOB_TYPE, RUN_NAME, RUN_NOTES, RUN_TAGS = 1, 2, 3, 4, 6, 7, 8, 9, 10
RUN_HOST, RUN_START_TIME, RUN_GIT = 13, 17, 21
EXIT_CODE = 1
ENV_OS, ENV_PYTHON, ENV_ARGS, ENV_PROGRAM, ENV_HOST = 1, 2, 5, 6, 12


def claim(files: list[str]) -> list[list[str]]:
    runs = sorted((f for f in files if name_of(f).startswith("run-") and f.endswith(".wandb")), key=_started)
    if not runs:
        return []
    # the SDK's other files (its debug logs, requirements.txt, output.log…): claimed to be named
    # as left alone, so no other format takes a W&B log for a metrics log
    folders = {folder_of(run) for run in runs}
    roots = {folder_of(folder) for folder in folders}
    own = [f for f in files if f not in runs and (any(f.startswith(folder + "/") for folder in folders if folder)
                                                   or (folder_of(f) in roots and name_of(f).startswith("debug")))]
    return [runs + own]


def _started(relative: str) -> tuple[str, str]:
    """A run folder's start time from its name (``offline-run-20261202_063325-<id>``, ``run-…``)."""
    found = STARTED.search(name_of(folder_of(relative)))
    return (found.group(0) if found else "", relative)


def read(folder: Path, files: list[str], shown: Shown) -> tuple[Part, list[Diagnostic]]:
    runs = [f for f in files if f.endswith(".wandb") and name_of(f).startswith("run-")]
    others = [f for f in files if f not in runs]
    files = runs
    chosen = files[-1]  # folders are named by start time: the newest run is shown
    part = Part("Weights & Biases", [chosen])
    diagnostics: list[Diagnostic] = []
    run_folder = folder_of(chosen)
    records = _Records(folder / chosen, shown(chosen), diagnostics)
    state = _State()
    for record in records:
        try:
            state.add(record)
        except (DecodeError, UnicodeDecodeError, IndexError, struct.error) as error:
            records.damaged += 1
            records.last_damage = str(error) or "truncated"
    if records.damaged:
        diagnostics.append(Diagnostic(f"{records.damaged} damaged record(s) skipped ({records.last_damage})",
                                      shown(chosen)))
    part.metrics = state.collector.series()
    part.params = flatten(state.config)
    part.params_from = chosen
    results = {name: value for name, value in _numbers(_nested(state.summary(part.metrics)))
               if not name.startswith("_") and name not in part.metrics}
    if results:
        part.results["summary"] = results
    part.meta.update(state.meta)
    part.extra.update(state.extra)
    if state.exit_code is None:
        part.meta["status"] = UNFINISHED
        last = max((s.steps[-1] for s in part.metrics.values() if len(s.steps)), default=None)
        part.notes.append("the run did not finish: its record file ends without an exit record"
                          + (f"; read up to its last whole record (step {last})" if last is not None else ""))
    else:
        part.meta["status"] = "done" if state.exit_code == 0 else "failed"
        if state.exit_code:
            part.extra["exit code"] = str(state.exit_code)
    if state.skipped_values:
        part.notes.append(f"values that are not numbers are left out: {', '.join(sorted(state.skipped_values)[:10])}")
    files_folder = f"{run_folder}/files/" if run_folder else "files/"
    for key, step, path, caption in state.images:
        relative = files_folder + path
        data = _image(folder / relative, shown(relative), diagnostics)
        if data is not None:
            suffix = path.rpartition(".")[2].lower() or "png"
            part.images.append(Image(f"wandb/{key}/{step}.{suffix}", data,
                                     f"{key} at step {step}" + (f": {caption}" if caption else "")))
    if state.images:
        part.not_screenshots.append(files_folder + "media/images/")
    left = [f for f in others if f.startswith(run_folder + "/") or folder_of(f) == folder_of(run_folder)]
    if left:
        part.notes.append("left alone (the SDK's own logs and files): "
                          + ", ".join(f[len(run_folder) + 1:] if f.startswith(run_folder + "/") else f for f in left))
    if len(files) > 1:
        part.notes.append(newest_first_note("run", run_folder, [folder_of(f) for f in files[:-1]]))
    return part, diagnostics


class _Records:
    """The payloads of a record file's whole records, in order; what ends it early is kept."""

    def __init__(self, path: Path, shown: str, diagnostics: list[Diagnostic]) -> None:
        self.path, self.shown, self.diagnostics = path, shown, diagnostics
        self.damaged, self.last_damage = 0, ""

    def __iter__(self):
        try:
            size = self.path.stat().st_size
            if size > MAX_FILE_BYTES:
                self.diagnostics.append(Diagnostic(f"over {MAX_FILE_BYTES >> 30} GiB; ignored", self.shown))
                return
            data = self.path.read_bytes()
        except OSError as error:
            self.diagnostics.append(Diagnostic(f"cannot read: {error.strerror or error}", self.shown))
            return
        if len(data) < HEADER_BYTES:
            return  # created, nothing written yet
        if data[:4] != MAGIC:
            self.diagnostics.append(Diagnostic("not a W&B record file (no ':W&B' header); ignored", self.shown))
            return
        position, pending = HEADER_BYTES, None
        while position < len(data):
            left = BLOCK_BYTES - position % BLOCK_BYTES
            if left < CHUNK_HEADER.size:  # a block's zero padding
                position += left
                continue
            if position + CHUNK_HEADER.size > len(data):
                return
            crc, length, kind = CHUNK_HEADER.unpack_from(data, position)
            if crc == 0 and length == 0 and kind == 0:  # padding to the block's end
                position += left
                continue
            start, end = position + CHUNK_HEADER.size, position + CHUNK_HEADER.size + length
            if end > len(data):
                return  # the rest is still being written, or was never written
            if length > left - CHUNK_HEADER.size or kind not in (FULL, FIRST, MIDDLE, LAST):
                # the framing itself is damaged: no later boundary can be trusted in this block
                self._damage(f"damaged chunk header at byte {position}")
                pending = None
                position += left
                continue
            payload = data[start:end]
            position = end
            if zlib.crc32(bytes((kind,)) + payload) != crc:
                self._damage(f"checksum mismatch at byte {start - CHUNK_HEADER.size}")
                pending = None
                continue
            if kind == FULL:
                pending = None
                yield payload
            elif kind == FIRST:
                pending = [payload]
            elif pending is not None:
                pending.append(payload)
                if kind == LAST:
                    whole, pending = b"".join(pending), None
                    yield whole

    def _damage(self, message: str) -> None:
        self.damaged += 1
        self.last_damage = message


class _State:
    """What the records say so far: history points, config, summary, metadata, images."""

    def __init__(self) -> None:
        self.collector = Collector()
        self.config: dict = {}
        self.summaries: list = []  # SummaryRecord payloads, applied newest first by `summary()`
        self.meta: dict[str, str] = {}
        self.extra: dict[str, str] = {}
        self.exit_code: int | None = None
        self.images: list[tuple[str, int, str, str]] = []  # key, step, path under files/, caption
        self.skipped_values: set[str] = set()
        self.last_step = -1

    def add(self, payload: bytes) -> None:
        for number, wire, value in fields(payload):
            if wire != 2:
                continue
            if number == RECORD_HISTORY:
                self._history(value)
            elif number == RECORD_SUMMARY:
                self.summaries.append(value)  # hundreds of partial updates: only the last of each key counts
            elif number == RECORD_CONFIG:
                _update(self.config, value, config=True)
            elif number == RECORD_RUN:
                self._run(value)
            elif number == RECORD_EXIT:
                self.exit_code = 0
                for inner, inner_wire, code in fields(value):
                    if inner == EXIT_CODE and inner_wire == 0:
                        self.exit_code = signed64(code)
            elif number == RECORD_ENVIRONMENT:
                self._environment(value)

    def summary(self, skip: set[str] | dict) -> dict[str, object]:
        """The run's final summary by path ('a/b'), leaving out the paths in `skip` (the history's
        metrics, whose last values the summary only repeats) and the SDK's own (``_…``): the
        updates are read newest first, and a key's value is decoded once."""
        decided: dict[str, object] = {}
        seen: set[str] = set()
        for payload in reversed(self.summaries):
            items = [(number, value) for number, wire, value in fields(payload) if wire == 2 and number in (UPDATE, REMOVE)]
            for number, value in reversed(items):
                name, raw = _key_and_raw(value)
                if not name or name in seen or name.startswith("_") or name in skip:
                    continue
                seen.add(name)
                if number == UPDATE and raw is not None:
                    try:
                        decided[name] = json.loads(raw)
                    except (ValueError, RecursionError):
                        decided[name] = raw
        return decided

    def _history(self, data) -> None:
        row: dict[str, object] = {}
        step = None
        for number, wire, value in fields(data):
            if number == HISTORY_ITEM and wire == 2:
                name, parsed = _item(value)
                if name is not None:
                    row[name] = parsed
            elif number == HISTORY_STEP and wire == 2:
                step = next((signed64(v) for n, w, v in fields(value) if n == 1 and w == 0), 0)
        own_step = row.get("_step")
        if isinstance(own_step, (int, float)) and not isinstance(own_step, bool) and math.isfinite(own_step):
            step = int(own_step)
        if step is None:
            step = self.last_step + 1
        self.last_step = step
        groups = {name[: -len("/_type")] for name, value in row.items()
                  if name.endswith("/_type") and isinstance(value, str)}
        for name, value in row.items():
            if isinstance(value, dict):  # an older SDK: the whole media object as one JSON value
                if value.get("_type") == "image-file" and isinstance(value.get("path"), str):
                    self.images.append((name, step, value["path"], str(value.get("caption") or "")))
                continue
            if name.startswith("_") or any(name.startswith(group + "/") for group in groups):
                continue
            number = _number(value)
            if number is None:
                self.skipped_values.add(name)
                continue
            self.collector.add(name, step, number)
        for group in sorted(groups):
            if row.get(group + "/_type") == "image-file" and isinstance(row.get(group + "/path"), str):
                self.images.append((group, step, str(row[group + "/path"]), str(row.get(group + "/caption") or "")))

    def _run(self, data) -> None:
        tags = []
        for number, wire, value in fields(data):
            if wire != 2:
                continue
            if number == RUN_CONFIG:
                _update(self.config, value, config=True)
            elif number == RUN_TAGS:
                tags.append(bytes(value).decode("utf-8", "replace"))
            elif number == RUN_START_TIME:
                seconds = next((v for n, w, v in fields(value) if n == 1 and w == 0), None)
                if seconds:
                    from datetime import datetime, timezone

                    self.meta["started"] = datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")
            elif number == RUN_GIT:
                commit = next((bytes(v).decode() for n, w, v in fields(value) if n == 2 and w == 2), "")
                if commit:
                    self.meta["commit"] = commit
            else:
                label = {RUN_ID: "run id", RUN_ENTITY: "entity", RUN_PROJECT: "project", RUN_GROUP: "group",
                         RUN_JOB_TYPE: "job type", RUN_NAME: "name", RUN_NOTES: "notes", RUN_HOST: "host"}.get(number)
                text = bytes(value).decode("utf-8", "replace")
                if label and text:
                    self.extra[label] = text
        if tags:
            self.extra["tags"] = ", ".join(tags)

    def _environment(self, data) -> None:
        found: dict[int, str] = {}
        args: list[str] = []
        for number, wire, value in fields(data):
            if wire == 2 and number == ENV_ARGS:
                args.append(bytes(value).decode("utf-8", "replace"))
            elif wire == 2 and number in (ENV_OS, ENV_PYTHON, ENV_PROGRAM, ENV_HOST):
                found[number] = bytes(value).decode("utf-8", "replace")
        if found.get(ENV_PROGRAM):
            self.meta["command"] = " ".join([found[ENV_PROGRAM], *args])
        for number, label in ((ENV_PYTHON, "python"), (ENV_OS, "os"), (ENV_HOST, "host")):
            if found.get(number):
                self.extra.setdefault(label, found[number])


def _path_and_raw(data) -> tuple[list[str], str | None]:
    """A HistoryItem's, SummaryItem's or ConfigItem's path (its nested key, else its key) and
    its value's JSON text."""
    key, nested, raw = None, [], None
    for number, wire, value in fields(data):
        if wire != 2:
            continue
        if number == ITEM_KEY:
            key = bytes(value).decode("utf-8", "replace")
        elif number == ITEM_NESTED_KEY:
            nested.append(bytes(value).decode("utf-8", "replace"))
        elif number == ITEM_VALUE_JSON:
            raw = bytes(value).decode("utf-8", "replace")
    return nested or ([key] if key else []), raw


def _decoded(raw: str | None) -> object:
    if raw is None:
        return None
    try:
        return json.loads(raw)  # Python's json takes the bare NaN and Infinity the SDK writes
    except (ValueError, RecursionError):
        return raw


def _item(data) -> tuple[str | None, object]:
    """(name, value) of an item: the name is its path joined with '/'."""
    path, raw = _path_and_raw(data)
    return "/".join(path) or None, _decoded(raw)


def _key_and_raw(data) -> tuple[str | None, str | None]:
    """A SummaryItem's path ('a/b') and its value's JSON text, not decoded yet."""
    path, raw = _path_and_raw(data)
    return "/".join(path) or None, raw


def _put(target: dict, path: list[str], value: object, replace_dicts: bool = True) -> None:
    """`value` at `path` in nested dicts, making the dicts on the way."""
    here = target
    for part in path[:-1]:
        inner = here.get(part)
        if not isinstance(inner, dict):
            inner = here[part] = {}
        here = inner
    if replace_dicts or not isinstance(here.get(path[-1]), dict):
        here[path[-1]] = value


def _nested(flat: dict[str, object]) -> dict:
    """{'a/b': 1} as {'a': {'b': 1}}, so a media object's parts stay together."""
    out: dict = {}
    for name, value in flat.items():
        _put(out, name.split("/"), value, replace_dicts=False)
    return out


def _update(target: dict, data, config: bool = False) -> None:
    """Apply a SummaryRecord/ConfigRecord (updates, then removals) to `target`, nested by path."""
    for number, wire, value in fields(data):
        if wire != 2 or number not in (UPDATE, REMOVE):
            continue
        path, raw = _path_and_raw(value)
        if not path or path[0] == "_wandb":
            continue
        if number == REMOVE:
            _remove(target, path)
            continue
        parsed = _decoded(raw)
        if config and isinstance(parsed, dict) and set(parsed) <= {"value", "desc"} and "value" in parsed:
            parsed = parsed["value"]  # config.yaml's shape, in older records
        _put(target, path, parsed)


def _remove(target: dict, path: list[str]) -> None:
    here = target
    for part in path[:-1]:
        here = here.get(part)
        if not isinstance(here, dict):
            return
    here.pop(path[-1], None)


def _numbers(values: dict, prefix: str = "", depth: int = 0):
    """(path, number) of each number in a nested summary, paths joined with '/'."""
    for key, value in values.items():
        name = f"{prefix}/{key}" if prefix else str(key)
        if isinstance(value, dict) and depth < 20:
            if value.get("_type") is None:  # a media object's summary is not a result
                yield from _numbers(value, name, depth + 1)
        elif (number := _number(value)) is not None:
            yield name, number


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _image(path: Path, shown: str, diagnostics: list[Diagnostic]) -> bytes | None:
    try:
        if path.is_symlink() or not path.is_file():
            return None  # logged but not written (yet), or not ours to follow
        if path.stat().st_size > MAX_IMAGE_BYTES:
            diagnostics.append(Diagnostic(f"over {MAX_IMAGE_BYTES >> 20} MiB; not shown", shown))
            return None
        return path.read_bytes()
    except OSError:
        return None


FORMAT = Format("Weights & Biases", claim, read)
