"""CatBoost's training folder, ``catboost_info/`` (its ``train_dir``), wherever it is in the
run folder: ``learn_error.tsv`` and ``test_error.tsv`` (``iter`` then one column per metric,
tab-separated) are the curves, named ``learn_<metric>`` and ``test_<metric>``;
``time_left.tsv`` (seconds passed and remaining) is bookkeeping, read for the last value
only; ``catboost_training.json`` names the metrics and the iteration count. CatBoost's
TensorBoard copy of the same curves (``learn/events.out.tfevents``, no suffix) is not read
again, nor is anything in ``tmp/``.
"""

from __future__ import annotations

from pathlib import Path

from mljournal.errors import Diagnostic
from mljournal.reading.formats import Format, Part, Shown, folder_of, name_of
from mljournal.reading.formats.journal import read_json_object
from mljournal.reading.metrics import read_csv_metrics

FOLDER = "catboost_info"
CURVES = {"learn_error.tsv": "learn_", "test_error.tsv": "test_"}
TIME = "time_left.tsv"
SUMMARY = "catboost_training.json"


def _root(relative: str) -> str | None:
    """The catboost_info folder a file is in, or None."""
    pieces = relative.split("/")
    for at, piece in enumerate(pieces[:-1]):
        if piece == FOLDER:
            return "/".join(pieces[: at + 1])
    return None


def claim(files: list[str]) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for f in files:
        root = _root(f)
        if root is not None:
            groups.setdefault(root, []).append(f)
    return [group for root, group in sorted(groups.items())
            if any(f"{root}/{name}" in group for name in (*CURVES, SUMMARY))]


def read(folder: Path, files: list[str], shown: Shown) -> tuple[Part, list[Diagnostic]]:
    root = _root(files[0]) or FOLDER
    part = Part("CatBoost", [])
    diagnostics: list[Diagnostic] = []
    for name, prefix in CURVES.items():
        relative = f"{root}/{name}"
        if relative not in files:
            continue
        metrics, found = read_csv_metrics(folder / relative, shown(relative), step_columns=("iter",), delimiter="\t")
        diagnostics.extend(found)
        part.files.append(relative)
        part.metrics.update({prefix + metric: series for metric, series in metrics.items()})
    relative = f"{root}/{TIME}"
    if relative in files:
        metrics, found = read_csv_metrics(folder / relative, shown(relative), step_columns=("iter",), delimiter="\t")
        diagnostics.extend(found)
        part.files.append(relative)
        part.metrics.update({f"time_{metric.lower()}": series for metric, series in metrics.items()})
    relative = f"{root}/{SUMMARY}"
    if relative in files:
        summary = read_json_object(folder / relative, shown(relative), diagnostics)
        meta = summary.get("meta") if isinstance(summary, dict) else None
        if isinstance(meta, dict):
            part.files.append(relative)
            part.params_from = relative
            for key in ("iteration_count", "launch_mode", "name"):
                if isinstance(meta.get(key), (str, int, float)) and not isinstance(meta.get(key), bool):
                    part.params[key] = str(meta[key])
            for kind in ("learn_metrics", "test_metrics"):
                named = [m.get("name") for m in meta.get(kind) or [] if isinstance(m, dict) and isinstance(m.get("name"), str)]
                if named:
                    part.params[kind] = ", ".join(named)
    copies = sorted({folder_of(f) for f in files if name_of(f).startswith("events.out.tfevents")})
    if copies:
        part.notes.append(f"CatBoost's TensorBoard copy ({', '.join(copies)}) holds the same curves; not shown twice")
    return part, diagnostics


FORMAT = Format("CatBoost", claim, read)
