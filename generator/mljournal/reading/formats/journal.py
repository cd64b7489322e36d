"""The journal's own run files, as `journal.record` (or any script) writes them.

At the run folder's root: ``metrics.csv`` / ``metrics.jsonl`` (see `reading.metrics`),
``run.json`` (command, commit, status, started, finished, params and anything else),
``git.diff`` (uncommitted changes when the run started) and ``excerpts/<name>.<ext>``
(code excerpts: the lines of the model that this run is about).
"""

from __future__ import annotations

import json
from pathlib import Path

from mljournal.errors import Diagnostic
from mljournal.reading.formats import META_KEYS, Format, Part, Shown, flatten
from mljournal.reading.metrics import read_metrics_csv, read_metrics_jsonl

META_FILE = "run.json"
DIFF_FILE = "git.diff"
EXCERPTS = "excerpts/"
MAX_META_BYTES = 1024 * 1024
MAX_TEXT_BYTES = 256 * 1024


def claim(files: list[str]) -> list[list[str]]:
    ours = [
        f for f in files
        if f in ("metrics.csv", "metrics.jsonl", META_FILE, DIFF_FILE)
        or (f.startswith(EXCERPTS) and f.count("/") == 1)
    ]
    return [ours] if ours else []


def read(folder: Path, files: list[str], shown: Shown) -> tuple[Part, list[Diagnostic]]:
    part = Part("mljournal", [])
    diagnostics: list[Diagnostic] = []
    for name, reader in (("metrics.csv", read_metrics_csv), ("metrics.jsonl", read_metrics_jsonl)):
        if name not in files:
            continue
        series, found = reader(folder / name, shown(name))
        diagnostics.extend(found)
        part.files.append(name)
        for metric, values in series.items():
            if metric in part.metrics:
                diagnostics.append(Diagnostic(f"metric '{metric}' is also in metrics.csv; using this file's", shown(name)))
            part.metrics[metric] = values
    if META_FILE in files:
        data = read_json_object(folder / META_FILE, shown(META_FILE), diagnostics, MAX_META_BYTES)
        if data is not None:
            part.files.append(META_FILE)
            _take_meta(data, part, shown(META_FILE), diagnostics)
    if DIFF_FILE in files:
        text = read_text(folder / DIFF_FILE, shown(DIFF_FILE), diagnostics)
        if text is not None:
            part.files.append(DIFF_FILE)
            part.diff = text
    for name in files:
        if name.startswith(EXCERPTS) and name.count("/") == 1:
            text = read_text(folder / name, shown(name), diagnostics)
            if text is not None:
                part.files.append(name)
                part.excerpts[name[len(EXCERPTS):]] = text
    return part, diagnostics


def _take_meta(data: dict, part: Part, shown: str, diagnostics: list[Diagnostic]) -> None:
    for key in META_KEYS:
        value = data.pop(key, None)
        if value is not None:
            part.meta[key] = value if isinstance(value, str) else json.dumps(value)
    params = data.pop("params", None)
    if isinstance(params, dict):
        part.params, part.params_from = flatten(params), META_FILE
    elif params is not None:
        diagnostics.append(Diagnostic("'params' must be a JSON object; ignored", shown))
    excerpts = data.pop("excerpts", None)
    if isinstance(excerpts, dict):
        part.excerpt_origins = {str(k): str(v) for k, v in excerpts.items()}
    part.extra = flatten(data)


def read_json_object(path: Path, shown: str, diagnostics: list[Diagnostic], limit: int = MAX_META_BYTES) -> dict | None:
    """A JSON object from a small file, or None with a Diagnostic saying why not."""
    try:
        if path.stat().st_size > limit:
            diagnostics.append(Diagnostic(f"over {limit >> 20} MiB; ignored", shown))
            return None
        data = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as error:
        diagnostics.append(Diagnostic(f"cannot read: {error.strerror or error}", shown))
        return None
    except UnicodeDecodeError:
        diagnostics.append(Diagnostic("not UTF-8 text; ignored", shown))
        return None
    except RecursionError:
        diagnostics.append(Diagnostic("nested too deeply; ignored", shown))
        return None
    except ValueError as error:
        line = getattr(error, "lineno", None)
        diagnostics.append(Diagnostic(f"not valid JSON ({getattr(error, 'msg', error)}); ignored", shown, line))
        return None
    if not isinstance(data, dict):
        diagnostics.append(Diagnostic(f"{path.name} must hold a JSON object; ignored", shown))
        return None
    return data


def read_text(path: Path, shown: str, diagnostics: list[Diagnostic], limit: int = MAX_TEXT_BYTES) -> str | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        diagnostics.append(Diagnostic(f"cannot read: {error.strerror or error}", shown))
        return None
    if len(data) > limit:
        diagnostics.append(Diagnostic(f"over {limit >> 10} KiB; only the start is shown", shown))
        data = data[:limit]
    return data.decode("utf-8", errors="replace")


FORMAT = Format("mljournal", claim, read)
