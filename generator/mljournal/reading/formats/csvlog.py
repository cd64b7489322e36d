"""Other CSV metric logs, such as Keras' ``CSVLogger`` (a user-chosen path; an ``epoch``
column; ``NA`` where a metric was not measured that epoch): any ``.csv``, ``.tsv`` or ``.log``
file left unclaimed whose header has a ``step`` or ``epoch`` column. Other files with those
endings (predictions, notes) are passed over silently.
"""

from __future__ import annotations

from pathlib import Path

from mljournal.errors import Diagnostic
from mljournal.reading.formats import Format, Part, Shown, name_of
from mljournal.reading.metrics import read_csv_metrics

ENDINGS = (".csv", ".tsv", ".log")
STEP_COLUMNS = ("step", "epoch", "global_step", "iteration", "iter")


def claim(files: list[str]) -> list[list[str]]:
    return [[f] for f in files if f.lower().endswith(ENDINGS)]


def read(folder: Path, files: list[str], shown: Shown) -> tuple[Part, list[Diagnostic]]:
    (relative,) = files
    header = _header(folder / relative)
    delimiter = _delimiter(header)
    if delimiter is None:
        return Part("CSV log", []), []
    metrics, diagnostics = read_csv_metrics(
        folder / relative, shown(relative), step_columns=STEP_COLUMNS, delimiter=delimiter, ignore=("timestamp", "time")
    )
    keras = name_of(relative) == "training.log" or header.split(",")[0].strip() == "epoch"
    return Part("Keras CSVLogger" if keras else "CSV log", [relative], metrics), diagnostics


def _header(path: Path) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.readline(4096).strip()
    except OSError:
        return ""


def _delimiter(header: str) -> str | None:
    """The header's delimiter if the file looks like a metric log, else None."""
    for delimiter in (",", "\t", ";"):
        cells = [c.strip().strip('"') for c in header.split(delimiter)]
        if len(cells) > 1 and any(c in STEP_COLUMNS for c in cells):
            return delimiter
    return None


FORMAT = Format("CSV log", claim, read)
