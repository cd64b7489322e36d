"""Metric plots with matplotlib: one small PNG per metric, the parent's curve overlaid.

A plot's file name is the hash of everything drawn in it, so an unchanged run is never
re-plotted, and a browser may cache a plot forever. Long series are reduced to a min/max
envelope per pixel column, so spikes stay visible. NaN and ±Infinity are gaps.
"""

from __future__ import annotations

import hashlib
import math
import struct
import threading
from dataclasses import dataclass
from pathlib import Path

from generator.reading.metrics import Series

STYLE_VERSION = b"plot-1"
WIDTH_PX, HEIGHT_PX, DPI = 480, 260, 100  # CSS pixels; saved at 2x for sharp screens
MAX_POINTS = 1000  # per curve, after the envelope
_lock = threading.Lock()  # matplotlib's pyplot state is not thread-safe


@dataclass(frozen=True)
class Plot:
    metric: str
    path: Path
    width: int
    height: int


def plot_metric(
    cache_dir: Path, model_id: str, metric: str, series: Series, parent: tuple[str, Series] | None
) -> Plot:
    digest = hashlib.sha256(STYLE_VERSION)
    for name, values in [(model_id, series)] + ([parent] if parent else []):
        digest.update(name.encode() + b"\0" + metric.encode() + b"\0")
        digest.update(struct.pack(f"<{len(values.steps)}q", *values.steps))
        digest.update(struct.pack(f"<{len(values.values)}d", *values.values))
    path = cache_dir / "plots" / f"{digest.hexdigest()[:24]}.png"
    if not path.exists():
        _draw(path, model_id, metric, series, parent)
    return Plot(metric, path, WIDTH_PX, HEIGHT_PX)


def envelope(steps: list[int], values: list[float], buckets: int = MAX_POINTS // 2) -> tuple[list[float], list[float]]:
    """At most 2*buckets points keeping each bucket's min and max, in step order; gaps kept."""
    clean = [v if math.isfinite(v) else math.nan for v in values]
    if len(steps) <= 2 * buckets:
        return [float(s) for s in steps], clean
    xs: list[float] = []
    ys: list[float] = []
    size = len(steps) / buckets
    for b in range(buckets):
        lo, hi = int(b * size), int((b + 1) * size)
        chunk = [(steps[i], clean[i]) for i in range(lo, hi)]
        finite = [c for c in chunk if not math.isnan(c[1])]
        if not finite:
            xs.append(float(chunk[0][0]))
            ys.append(math.nan)
            continue
        low = min(finite, key=lambda c: c[1])
        high = max(finite, key=lambda c: c[1])
        for step, value in sorted({low, high}):
            xs.append(float(step))
            ys.append(value)
    return xs, ys


def _draw(path: Path, model_id: str, metric: str, series: Series, parent: tuple[str, Series] | None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    with _lock:
        figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
        axes = figure.add_subplot()
        if parent:
            xs, ys = envelope(parent[1].steps, parent[1].values)
            axes.plot(xs, ys, color="#9e9e9e", linewidth=1.2, linestyle="--", label=parent[0])
        xs, ys = envelope(series.steps, series.values)
        axes.plot(xs, ys, color="#3f51b5", linewidth=1.6, label=model_id, marker="o" if len(xs) == 1 else None)
        axes.set_title(metric, fontsize=10, loc="left")
        axes.set_xlabel("step", fontsize=8)
        axes.tick_params(labelsize=8)
        axes.grid(True, color="#e0e0e0", linewidth=0.6)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.legend(fontsize=8, frameon=False)
        figure.tight_layout(pad=0.4)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        figure.savefig(partial, format="png", dpi=DPI * 2, metadata={"Software": None})
        partial.replace(path)
