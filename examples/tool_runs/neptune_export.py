"""A Neptune export as the official exporter (neptune-ai/neptune-exporter) writes it, made from
a real offline run's operation log: the exporter itself needs Neptune's API, gone since
2026-03-05, so its output can no longer be produced by running it.

Usage: python neptune_export.py <case folder> <offline neptune case folder>

Writes `<case>/data/<project>/<run>_part_0.parquet` in the exporter's schema (its
`model.SCHEMA`: one row per value, `step` as decimal(18, 6), snappy-compressed as its
ParquetWriter does) and the run's images under `<case>/files/<project>/<run>/…`, the tree the
exporter downloads files into; `file_value.path` is relative to that tree.
"""
from __future__ import annotations

import base64
import datetime
import json
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema([
    ("project_id", pa.string()), ("run_id", pa.string()), ("attribute_path", pa.string()),
    ("attribute_type", pa.string()), ("step", pa.decimal128(18, 6)), ("timestamp", pa.timestamp("ms", tz="UTC")),
    ("int_value", pa.int64()), ("float_value", pa.float64()), ("string_value", pa.string()),
    ("bool_value", pa.bool_()), ("datetime_value", pa.timestamp("ms", tz="UTC")),
    ("string_set_value", pa.list_(pa.string())), ("file_value", pa.struct([("path", pa.string())])),
    ("histogram_value", pa.struct([("type", pa.string()), ("edges", pa.list_(pa.float64())),
                                   ("values", pa.list_(pa.float64()))])),
])
PROJECT, RUN = "lab/digits", "DIG-1"
TYPES = {"AssignFloat": ("float", "float_value"), "AssignInt": ("int", "int_value"),
         "AssignString": ("string", "string_value"), "AssignBool": ("bool", "bool_value")}


def row(path: str, kind: str, **values) -> dict:
    out = {name: None for name in SCHEMA.names}
    out.update(project_id=PROJECT, run_id=RUN, attribute_path=path, attribute_type=kind, **values)
    return out


def main() -> None:
    case, source = Path(sys.argv[1]), Path(sys.argv[2])
    (log,) = source.glob(".neptune/offline/run__*/data-1.log")
    rows, tags = [], []
    files = case / "files" / "lab_digits" / RUN
    for line in log.read_text().splitlines():
        entry = json.loads(line)
        obj, at = entry["obj"], datetime.datetime.fromtimestamp(entry["at"], datetime.timezone.utc)
        path = "/".join(obj["path"])
        if obj["type"] in TYPES:
            kind, column = TYPES[obj["type"]]
            rows.append(row(path, kind, **{column: obj["value"]}))
        elif obj["type"] == "AddStrings":
            tags.extend(obj["values"])
        elif obj["type"] == "LogFloats":
            for point in obj["values"]:
                stamp = datetime.datetime.fromtimestamp(point["ts"], datetime.timezone.utc)
                rows.append(row(path, "float_series", step=Decimal(point["step"]), timestamp=stamp,
                                float_value=point["value"]))
        elif obj["type"] == "LogImages":
            for point in obj["values"]:
                relative = f"lab_digits/{RUN}/{path}/{int(point['step'])}.png"
                target = case / "files" / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(base64.b64decode(point["value"]["data"]))
                rows.append(row(path, "file_series", step=Decimal(point["step"]), timestamp=at,
                                file_value={"path": relative}))
    rows.append(row("sys/tags", "string_set", string_set_value=sorted(set(tags))))
    rows.append(row("sys/state", "string", string_value="Inactive"))
    target = case / "data" / "lab_digits" / f"{RUN}_part_0.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), target, compression="snappy")
    del files


if __name__ == "__main__":
    main()
