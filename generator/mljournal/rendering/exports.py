"""The conclusion table as data, for the people who kept it in Excel: CSV and JSON.

One row per model, in the table's order: id, family, parent, first and last date, status,
tags, hypothesis and conclusion as plain text, and for each key metric its best value and
step. The CSV starts with a byte-order mark, so Excel and LibreOffice open it as UTF-8 and
non-Latin text stays intact; a text cell that a spreadsheet would run as a formula (it starts
with =, +, -, @) is written with a leading ' (the spreadsheets' own way to say "text").
"""

from __future__ import annotations

import csv
import io
import json
import math

from mljournal.index import JournalIndex, Model
from mljournal.rendering.pages.conclusions import KeyMetrics, by_family, key_metrics
from mljournal.rendering.pages.kit import plain


def rows(index: JournalIndex, table: KeyMetrics | None = None) -> list[dict[str, object]]:
    table = table or key_metrics(index)
    return [_row(model, table) for model in by_family(index)]


def _row(model: Model, table: KeyMetrics) -> dict[str, object]:
    hypothesis, conclusion = model.latest("hypothesis"), model.latest("conclusion")
    row: dict[str, object] = {
        "id": model.id,
        "family": model.family,
        "parent": model.parent or "",
        "first": model.first.date().isoformat() if model.first else "",
        "last": model.last.date().isoformat() if model.last else "",
        "status": model.status or "",
        "tags": list(model.tags),
        "hypothesis": plain(hypothesis[1].text) if hypothesis else "",
        "conclusion": plain(conclusion[1].text) if conclusion else "",
    }
    for metric in table.metrics:
        found = table.bests.get(model.id, {}).get(metric)
        value = found[1] if found else None
        row[metric] = value if value is None or math.isfinite(value) else None
        row[f"{metric} step"] = found[0] if found else None
    return row


def conclusions_json(index: JournalIndex, table: KeyMetrics | None = None) -> bytes:
    table = table or key_metrics(index)
    document = {"key_metrics": table.metrics, "goals": table.goals, "models": rows(index, table)}
    return (json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode("utf-8")


def conclusions_csv(index: JournalIndex, table: KeyMetrics | None = None) -> bytes:
    found = rows(index, table)
    columns = list(found[0]) if found else ["id", "family", "parent", "first", "last", "status", "tags",
                                             "hypothesis", "conclusion"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in found:
        writer.writerow([_cell(row[column]) for column in columns])
    return out.getvalue().encode("utf-8-sig")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    text = "; ".join(value) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text
