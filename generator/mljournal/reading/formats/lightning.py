"""PyTorch Lightning's ``CSVLogger``: ``<save_dir>/<name>/version_N/metrics.csv`` + ``hparams.yaml``.

Rows are sparse (a row per ``log`` call site and step), columns alphabetical, with ``step``
and ``epoch`` columns; ``on_step``/``on_epoch`` logging splits a metric into ``*_step`` and
``*_epoch``, and both are kept as written. Each ``fit`` makes a new version: the newest
version is the run shown, and older ones are listed.
"""

from __future__ import annotations

import re
from pathlib import Path

from mljournal.errors import Diagnostic
from mljournal.reading.formats import Format, Part, Shown, flatten, folder_of, load_yaml, newest_first_note
from mljournal.reading.metrics import read_csv_metrics

_VERSION = re.compile(r"^(?:(.*)/)?version_(\d+)$")


def claim(files: list[str]) -> list[list[str]]:
    loggers: dict[str, list[str]] = {}
    for f in files:
        match = _VERSION.match(folder_of(f))
        if match and f.rpartition("/")[2] in ("metrics.csv", "hparams.yaml"):
            loggers.setdefault(match.group(1) or "", []).append(f)
    return [sorted(group) for _, group in sorted(loggers.items()) if any(f.endswith("/metrics.csv") for f in group)]


def read(folder: Path, files: list[str], shown: Shown) -> tuple[Part, list[Diagnostic]]:
    versions = sorted({int(_VERSION.match(folder_of(f)).group(2)) for f in files if f.endswith("/metrics.csv")})
    base = _VERSION.match(folder_of(files[0])).group(1)
    chosen = f"{base}/version_{versions[-1]}" if base else f"version_{versions[-1]}"
    part = Part("PyTorch Lightning CSVLogger", [])
    diagnostics: list[Diagnostic] = []
    metrics_file = f"{chosen}/metrics.csv"
    part.metrics, found = read_csv_metrics(folder / metrics_file, shown(metrics_file), step_columns=("step",), ignore=("epoch",))
    diagnostics.extend(found)
    part.files.append(metrics_file)
    hparams = f"{chosen}/hparams.yaml"
    if hparams in files:
        data = load_yaml(folder / hparams, shown(hparams), diagnostics)
        if isinstance(data, dict):
            part.params, part.params_from = flatten(data), hparams
        part.files.append(hparams)
    if len(versions) > 1:
        part.notes.append(newest_first_note("version", chosen, [f"version_{v}" for v in versions[:-1]]))
    return part, diagnostics


FORMAT = Format("PyTorch Lightning", claim, read)
