"""The journal's own metric formats, read in place and streamed.

``metrics.csv``   wide: ``step,<metric>,<metric>…`` (an empty cell is a missing value), or
                  long: exactly ``step,metric,value``.
``metrics.jsonl`` one JSON object per line with an integer ``step`` and numeric values;
                  nested objects are flattened (``{"val": {"loss": 0.3}}`` is ``val/loss``);
                  booleans, text and lists are left out, said once per file.

Training processes write these while we read them: a last line without its newline is
still being written and is left for the next build, silently. A malformed line elsewhere is
a Diagnostic naming ``file:line``; the rest of the run is kept. NaN, null, NA and empty
become NaN; ±Infinity, ``inf`` and numbers too large for a float (``1e999``) are infinite,
in both formats: a gap in a plot, but a last value all the same (it is what happened). A repeated header (resumed training) starts new columns. Steps
that repeat or go backwards are sorted, and the last value written for a step wins.
"""

from __future__ import annotations

import csv
import io
import json
import math
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mljournal.errors import Diagnostic

MAX_LINE_BYTES = 1024 * 1024


@dataclass
class Series:
    """One metric: steps and values in step order (values may be NaN), as compact arrays."""

    steps: array = field(default_factory=lambda: array("q"))
    values: array = field(default_factory=lambda: array("d"))

    def points(self) -> int:
        """The finite values: what a plot draws (NaN and ±infinity are gaps)."""
        import numpy

        return int(numpy.isfinite(numpy.frombuffer(self.values, dtype=numpy.float64)).sum()) if len(self.values) else 0

    def has_points(self, count: int) -> bool:
        """At least `count` finite values, found without counting them all (nor numpy)."""
        found = 0
        for value in self.values:
            if math.isfinite(value):
                found += 1
                if found >= count:
                    return True
        return False

    def nans(self) -> int:
        """The NaN values: gaps in the curve, counted on the page."""
        import numpy

        return int(numpy.isnan(numpy.frombuffer(self.values, dtype=numpy.float64)).sum()) if len(self.values) else 0


class Collector:
    """Points in the order written; sorted (last write of a step wins) only when needed."""

    def __init__(self) -> None:
        self.points: dict[str, tuple[array, array]] = {}

    def column(self, metric: str) -> tuple[array, array]:
        """The (steps, values) arrays of a metric, to append to directly in a hot loop."""
        found = self.points.get(metric)
        if found is None:
            found = self.points[metric] = (array("q"), array("d"))
        return found

    def add(self, metric: str, step: int, value: float) -> None:
        found = self.points.get(metric)
        if found is None:
            found = self.points[metric] = (array("q"), array("d"))
        found[0].append(step)
        found[1].append(value)

    def series(self) -> dict[str, Series]:
        out: dict[str, Series] = {}
        for metric, (steps, values) in self.points.items():
            if not steps:
                continue
            if not _increasing(steps):  # resumed or repeated steps
                by_step = dict(zip(steps, values))
                ordered = sorted(by_step)
                steps, values = array("q", ordered), array("d", (by_step[s] for s in ordered))
            out[metric] = Series(steps, values)
        return out


def _increasing(steps: array) -> bool:
    import numpy

    found = numpy.frombuffer(steps, dtype=numpy.int64)
    return bool((found[1:] > found[:-1]).all())


BOM = b"\xef\xbb\xbf"


def complete_lines(path: Path, at_rest: bool = False) -> Iterator[tuple[int, str | None]]:
    """(line number, text) of each whole line; a final line without newline is not yet whole
    (a writer is still on it), unless the file is `at_rest` (see `cache.is_at_rest`): a
    finished log whose writer never ended its last line. A line over MAX_LINE_BYTES is
    skipped without being held in memory: its text is None.

    A file that grows while we read gives a consistent prefix; a file that shrinks or
    disappears ends the iteration early.
    """
    with open(path, "rb") as handle:
        number = 0
        while True:
            line = handle.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            number += 1
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):  # the rest of the long line, in chunks
                    line = handle.readline(MAX_LINE_BYTES)
                if not line:
                    return
                yield number, None
                continue
            if not line.endswith(b"\n") and not at_rest:
                return
            if number == 1 and line.startswith(BOM):  # Excel's "CSV UTF-8" starts with a byte-order mark
                line = line[len(BOM):]
            yield number, line.decode("utf-8", errors="replace").rstrip("\r\n")


def parse_number(text: str) -> float | None:
    """A cell as a float: '' / NaN / null / NA are NaN; None if it is not a number at all."""
    cell = text.strip()
    if cell == "" or cell.lower() in ("nan", "null", "none", "na", "n/a"):
        return math.nan
    try:
        value = float(cell)
    except ValueError:
        return None
    return value


def read_metrics_csv(path: Path, shown: str) -> tuple[dict[str, Series], list[Diagnostic]]:
    """The journal's own ``metrics.csv``: wide with ``step`` first, or long ``step,metric,value``."""
    return read_csv_metrics(path, shown, step_columns=("step",), require_first=True)


def read_csv_metrics(
    path: Path,
    shown: str,
    step_columns: tuple[str, ...] = ("step", "epoch"),
    delimiter: str = ",",
    ignore: tuple[str, ...] = (),
    require_first: bool = False,
    first_line: int = 1,
    at_rest: bool = False,
) -> tuple[dict[str, Series], list[Diagnostic]]:
    """A wide CSV (or TSV) of metrics: a header, then one row per step; an empty or NA cell
    is a missing value. The step is the first of `step_columns` in the header (with
    `require_first`, it must be the first column); columns in `ignore` are not metrics.
    Lines before `first_line` are not read; an unended last line is read when `at_rest`."""
    whole = None if first_line > 1 else _read_clean_table(path, step_columns, delimiter, ignore, require_first, at_rest)
    if whole is not None:
        return whole, []
    diagnostics: list[Diagnostic] = []
    collector = Collector()
    header: list[str] | None = None
    at = 0  # index of the step column
    keep: list[tuple[int, str]] = []  # (index, metric) of the metric columns
    indexes: list[int] = []
    columns: list[tuple[array, array]] = []
    long_form = False
    for number, line in complete_lines(path, at_rest):
        if number < first_line:
            continue
        if line is None:
            diagnostics.append(Diagnostic(f"line over {MAX_LINE_BYTES >> 20} MiB; skipped", shown, number))
            continue
        if not line.strip():
            continue
        if header is not None and not long_form and '"' not in line:
            cells = line.split(delimiter)
            if len(cells) == len(header) and cells != header:
                try:  # the common row: a whole step and plain numbers, no empty cell
                    step = int(cells[at])
                    values = [float(cells[i]) for i in indexes]
                except ValueError:
                    pass
                else:
                    if STEP_MIN <= step <= STEP_MAX:
                        for (steps, column), value in zip(columns, values):
                            steps.append(step)
                            column.append(value)
                        continue
        else:
            try:
                cells = next(csv.reader(io.StringIO(line), delimiter=delimiter))
            except (csv.Error, StopIteration):
                diagnostics.append(Diagnostic("not a CSV row; skipped", shown, number))
                continue
        cells = [c.strip() for c in cells]
        restarted = header is not None and not require_first and header[at] in cells and not any(
            parse_number(c) is not None for c in cells)  # a resumed run's header, maybe with new columns
        if header is None or cells == header or restarted or (require_first and cells[0] == "step"):
            found = next((name for name in step_columns if name in cells), None)
            if found is None or (require_first and cells[0] != found):
                if require_first:
                    message = f"{path.name} must start with a header line 'step,<metric>,…'"
                else:
                    message = f"the header line has no {' or '.join(repr(c) for c in step_columns)} column"
                diagnostics.append(Diagnostic(message, shown, number))
                return {}, diagnostics
            header, at = cells, cells.index(found)
            dropped = {found, *ignore, *step_columns}
            keep = [(i, name) for i, name in enumerate(header) if name not in dropped]
            indexes = [i for i, _ in keep]
            columns = [collector.column(name) for _, name in keep]
            long_form = require_first and header == ["step", "metric", "value"]
            if len(set(header)) != len(header):
                diagnostics.append(Diagnostic("a column name repeats in the header", shown, number))
            continue
        if len(cells) != len(header):
            diagnostics.append(
                Diagnostic(f"{len(cells)} cells where the header has {len(header)}; row skipped", shown, number)
            )
            continue
        step = whole_step(cells[at])
        if step is None:
            diagnostics.append(Diagnostic(f"step {cells[at]!r} is not a whole number; row skipped", shown, number))
            continue
        if long_form:
            value = parse_number(cells[2])
            if value is None or not cells[1]:
                diagnostics.append(Diagnostic(f"value {cells[2]!r} is not a number; row skipped", shown, number))
                continue
            collector.add(cells[1], step, value)
            continue
        bad = []
        for index, name in keep:
            cell = cells[index]
            value = parse_number(cell)
            if value is None:
                bad.append(name)
            elif cell and cell.upper() != "NA":  # Keras writes NA for "not measured this epoch"
                collector.add(name, step, value)
        if bad:
            diagnostics.append(
                Diagnostic(f"{', '.join(bad)}: not a number; those cells skipped", shown, number)
            )
    return collector.series(), diagnostics


BULK_BYTES = 64 * 1024 * 1024  # a metrics file up to this size is parsed in one go when it is clean


def _small_file(path: Path) -> bytes | None:
    """The file's bytes for a reader in one go: None when it is over BULK_BYTES or cannot be
    read (the line-by-line reader then handles it, and explains). Of a file growing meanwhile,
    at most BULK_BYTES + 1 bytes."""
    try:
        if path.stat().st_size > BULK_BYTES:
            return None
        with open(path, "rb") as handle:
            return handle.read(BULK_BYTES + 1)
    except OSError:
        return None


def _read_clean_table(
    path: Path, step_columns: tuple[str, ...], delimiter: str, ignore: tuple[str, ...], require_first: bool,
    at_rest: bool = False,
) -> dict[str, Series] | None:
    """The common case in one go: a header and rows of whole steps and plain numbers, every
    row as long as the header, no quotes, no empty or NA cell. None for anything else, which
    the line-by-line reader then handles (and explains)."""
    data = _small_file(path)
    if data is None:
        return None
    if data.startswith(BOM):
        data = data[len(BOM):]
    if at_rest and data and not data.endswith(b"\n") and len(data) <= BULK_BYTES:
        data += b"\n"  # a log at rest whose writer never ended its last line
    end = data.rfind(b"\n")
    if end < 0 or b'"' in data:
        return None
    try:
        text = data[: end + 1].decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = text.replace("\r\n", "\n").split("\n")[:-1]  # the partial last line waits
    if len(lines) < 2 or any(not line or len(line) > MAX_LINE_BYTES for line in lines):
        return None
    header = [cell.strip() for cell in lines[0].split(delimiter)]
    found = next((name for name in step_columns if name in header), None)
    if found is None or (require_first and header[0] != found) or len(set(header)) != len(header):
        return None
    if require_first and header == ["step", "metric", "value"]:
        return None
    width = len(header) - 1
    body = lines[1:]
    if any(line.count(delimiter) != width for line in body):
        return None
    try:
        cells = list(map(float, delimiter.join(body).split(delimiter)))
    except ValueError:
        return None
    at = header.index(found)
    step_values = cells[at :: width + 1]
    if not all(value.is_integer() and STEP_MIN <= value <= STEP_MAX for value in step_values):
        return None
    steps = array("q", map(int, step_values))
    collector = Collector()
    dropped = {found, *ignore, *step_columns}
    for index, name in enumerate(header):
        if name not in dropped:
            collector.points[name] = (array("q", steps), array("d", cells[index :: width + 1]))
    return collector.series()


def read_metrics_jsonl(path: Path, shown: str) -> tuple[dict[str, Series], list[Diagnostic]]:
    whole = _read_clean_jsonl(path)
    if whole is not None:
        return whole, []
    diagnostics: list[Diagnostic] = []
    collector = Collector()
    left_out: dict[str, tuple[str, int]] = {}  # name -> (what it was, first line)
    for number, line in complete_lines(path):
        if line is None:
            diagnostics.append(Diagnostic(f"line over {MAX_LINE_BYTES >> 20} MiB; skipped", shown, number))
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            diagnostics.append(Diagnostic("not a JSON object; line skipped", shown, number))
            continue
        if not isinstance(record, dict):
            diagnostics.append(Diagnostic("not a JSON object; line skipped", shown, number))
            continue
        step = whole_step(record.get("step"))
        if step is None:
            diagnostics.append(Diagnostic("no whole-number 'step'; line skipped", shown, number))
            continue
        for name, value in _flattened(record):
            if name == "step":
                continue
            if value is None:
                collector.add(name, step, math.nan)
            elif isinstance(value, bool):
                left_out.setdefault(name, ("true/false", number))
            elif isinstance(value, (int, float)):
                collector.add(name, step, to_float(value))
            elif isinstance(value, str):  # "NaN", "Infinity": JSON has no literal for them
                parsed = parse_number(value)
                if parsed is not None:
                    collector.add(name, step, parsed)
                else:
                    left_out.setdefault(name, ("text", number))
            else:
                left_out.setdefault(name, ("a list" if isinstance(value, list) else "nested too deep", number))
    if left_out:  # said once per file: a writer logs the same keys on every line
        first = min(line for _, line in left_out.values())
        named = ", ".join(f"'{name}' ({kind})" for name, (kind, _) in list(left_out.items())[:MAX_NAMED])
        more = f" and {len(left_out) - MAX_NAMED} more" if len(left_out) > MAX_NAMED else ""
        diagnostics.append(Diagnostic(f"values that are not numbers are left out: {named}{more}", shown, first))
    return collector.series(), diagnostics


def _read_clean_jsonl(path: Path) -> dict[str, Series] | None:
    """The common case in one go: every line an object of the same flat keys, a whole
    `step` and plain numbers (no null, no text, no true/false). None for anything else, which
    the line-by-line reader then handles (and explains)."""
    data = _small_file(path)
    if data is None:
        return None
    try:
        text = data[: data.rfind(b"\n") + 1].decode("utf-8")  # the partial last line waits
        lines = [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
        if not lines or any(len(line) > MAX_LINE_BYTES for line in lines):
            return None
        records = json.loads("[" + ",".join(lines) + "]")
    except (ValueError, RecursionError):  # not UTF-8, not JSON, nested too deep
        return None
    first = records[0]
    if not isinstance(first, dict) or "step" not in first:
        return None
    keys = list(first)
    if any(type(record) is not dict or list(record) != keys for record in records):
        return None
    steps = [record["step"] for record in records]
    if not {type(step) for step in steps} <= {int} or not all(STEP_MIN <= step <= STEP_MAX for step in steps):
        return None
    collector = Collector()
    try:
        for name in keys:
            if name == "step":
                continue
            values = [record[name] for record in records]
            if not {type(value) for value in values} <= {int, float}:
                return None
            collector.points[name] = (array("q", steps), array("d", values))
    except OverflowError:  # an integer past a float's range: the line reader says so
        return None
    return collector.series()


MAX_NAMED = 5  # names listed in one message
MAX_DEPTH = 4  # nested mappings flattened: {"val": {"loss": 0.3}} is the metric 'val/loss'


def _flattened(record: dict, prefix: str = "", depth: int = 0) -> Iterator[tuple[str, object]]:
    for name, value in record.items():
        if isinstance(value, dict) and depth < MAX_DEPTH:
            yield from _flattened(value, f"{prefix}{name}/", depth + 1)
        else:
            yield prefix + name, value


STEP_MIN, STEP_MAX = -(2**63), 2**63 - 1  # a step is stored as a signed 64-bit integer


def whole_step(value: object) -> int | None:
    """A step from a number or a string, if it is a whole number a 64-bit integer can hold."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    elif isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            number = parse_number(value)
            if number is None or not math.isfinite(number) or not number.is_integer():
                return None
            value = int(number)
    if isinstance(value, int) and STEP_MIN <= value <= STEP_MAX:
        return value
    return None



def number_of(value: object) -> float | None:
    """A JSON value as a float: a number, or text that is one (``"0.5"``, ``"NaN"``,
    ``"Infinity"``, ``"-inf"``: Python's float reads them all); None for booleans and the rest."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return to_float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def to_float(value: int | float) -> float:
    """A JSON number as a float; an integer too large for one is infinite, as it is in effect."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf
