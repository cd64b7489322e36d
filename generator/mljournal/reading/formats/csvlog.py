"""Other CSV metric logs, such as Keras' ``CSVLogger`` (a user-chosen path; an ``epoch``
column; ``NA`` where a metric was not measured that epoch): any ``.csv``, ``.tsv`` or ``.log``
file left unclaimed whose header has a ``step`` or ``epoch`` column, separated by commas,
tabs or semicolons, within its first lines (a line before the header is skipped, and the
page says so). A last line without a newline is taken as whole once the file is at rest
(``cache.AT_REST_SECONDS``): a finished log whose writer never ended it. Other files with
those endings (predictions, notes) are passed over silently.
"""

from __future__ import annotations

from pathlib import Path

from mljournal.errors import Diagnostic
from mljournal.reading.formats import Format, Part, Shown, name_of
from mljournal.cache import is_at_rest
from mljournal.reading.metrics import read_csv_metrics

ENDINGS = (".csv", ".tsv", ".log")
STEP_COLUMNS = ("step", "epoch", "global_step", "iteration", "iter")


def claim(files: list[str]) -> list[list[str]]:
    return [[f] for f in files if f.lower().endswith(ENDINGS)]


def read(folder: Path, files: list[str], shown: Shown) -> tuple[Part, list[Diagnostic]]:
    (relative,) = files
    path = folder / relative
    found = _find_header(_first_lines(path))
    if found is None:
        return Part("CSV log", []), []
    number, header, delimiter = found
    try:
        at_rest = is_at_rest(path.stat().st_mtime)
    except OSError:
        at_rest = False
    metrics, diagnostics = read_csv_metrics(
        path, shown(relative), step_columns=STEP_COLUMNS, delimiter=delimiter, ignore=("timestamp", "time"),
        first_line=number, at_rest=at_rest,
    )
    keras = name_of(relative) == "training.log" or header.split(delimiter)[0].strip() == "epoch"
    part = Part("Keras CSVLogger" if keras else "CSV log", [relative], metrics)
    if number > 1:
        part.notes.append(f"{relative}: line{'s' if number > 2 else ''} 1{f'–{number - 1}' if number > 2 else ''} "
                          f"before the header skipped")
    if delimiter != ",":
        part.notes.append(f"{relative}: cells separated by {_NAMES[delimiter]}")
    return part, diagnostics


HEADER_WITHIN = 3  # lines a log may have before its header (a title, a command line)
_NAMES = {",": "commas", "\t": "tabs", ";": "semicolons"}


def _first_lines(path: Path) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return [handle.readline(4096).strip() for _ in range(HEADER_WITHIN + 1)]
    except OSError:
        return []


def _find_header(lines: list[str]) -> tuple[int, str, str] | None:
    """(line number, text, delimiter) of the first of the first lines that looks like a metric
    log's header, or None: the file is not a metric log (predictions, notes), passed over."""
    for number, line in enumerate(lines, start=1):
        delimiter = _delimiter(line)
        if delimiter is not None:
            return number, line, delimiter
    return None


def _delimiter(header: str) -> str | None:
    """The header's delimiter if the file looks like a metric log, else None."""
    for delimiter in (",", "\t", ";"):
        cells = [c.strip().strip('"') for c in header.split(delimiter)]
        if len(cells) > 1 and any(c in STEP_COLUMNS for c in cells):
            return delimiter
    return None


FORMAT = Format("CSV log", claim, read)
