"""DVCLive: ``<dir>/metrics.json`` (latest values), ``<dir>/plots/metrics/**/<name>.tsv``
(``timestamp``, ``step`` and the value per line), ``<dir>/params.yaml``; its images under
``plots/images/`` are screenshots like any other image. A metric's name is its path under
``plots/metrics`` (``train/loss``), as DVC shows it.
"""

from __future__ import annotations

from pathlib import Path

from mljournal.errors import Diagnostic
from mljournal.reading.formats import Format, Part, Shown, flatten, load_yaml
from mljournal.reading.formats.journal import read_json_object
from mljournal.reading.metrics import read_csv_metrics

PLOTS = "plots/metrics/"


def claim(files: list[str]) -> list[list[str]]:
    roots = sorted({f[: f.index(PLOTS)] for f in files if PLOTS in f and f.endswith(".tsv")}
                   | {f[: -len("metrics.json")] for f in files if f.endswith("metrics.json")
                      and f[: -len("metrics.json")] + "params.yaml" in files})
    groups = []
    for root in roots:
        group = [f for f in files if f.startswith(root + PLOTS) and f.endswith(".tsv")]
        group += [root + name for name in ("metrics.json", "params.yaml") if root + name in files]
        groups.append(group)
    return groups


def read(folder: Path, files: list[str], shown: Shown) -> tuple[Part, list[Diagnostic]]:
    part = Part("DVCLive", list(files))
    diagnostics: list[Diagnostic] = []
    for relative in files:
        if PLOTS in relative:
            name = relative[relative.index(PLOTS) + len(PLOTS): -len(".tsv")]
            column = name.rpartition("/")[2]
            series, found = read_csv_metrics(folder / relative, shown(relative), step_columns=("step",),
                                             delimiter="\t", ignore=("timestamp",))
            diagnostics.extend(found)
            if column in series:
                part.metrics[name] = series[column]
            else:
                for other, values in series.items():
                    part.metrics[f"{name}/{other}" if other != column else name] = values
        elif relative.endswith("metrics.json"):
            data = read_json_object(folder / relative, shown(relative), diagnostics)
            if data is not None:
                numbers = {k: float(v) for k, v in flatten(data).items() if _is_number(v)}
                numbers.pop("step", None)
                if numbers:
                    part.results["latest"] = numbers
        elif relative.endswith("params.yaml"):
            data = load_yaml(folder / relative, shown(relative), diagnostics)
            if isinstance(data, dict):
                part.params, part.params_from = flatten(data), relative
    return part, diagnostics


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text not in ("true", "false")


FORMAT = Format("DVCLive", claim, read)
