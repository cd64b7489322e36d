"""Metric plots: one image per model, a small panel per metric, the parent's curve overlaid
dashed. SVG by default (`svg_plots`, ~4 ms and ~8-20 KB a model); PNG with matplotlib when
`plot_format: png` (~100-190 ms and 25-60 KB a model, drawn in a pool of processes).

A plot's file name is the hash of everything drawn in it, so an unchanged run is never
re-plotted, and a browser may cache a plot forever. Long series are reduced to a min/max
envelope per pixel column, so spikes stay visible; NaN and ±Infinity are gaps. Drawing is
the expensive part (~35 ms a panel), so a build with many new plots draws them in a pool of
processes, one per core; the envelopes are computed first, so little data crosses over.
"""

from __future__ import annotations

import hashlib
import math
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path

from mljournal.atomic import replacing
from mljournal.cache import ContentStore
from mljournal.reading.metrics import Series
from mljournal.reading.names import goal_of, is_bookkeeping

STYLE_VERSION = b"plot-3"
PANEL_WIDTH, PANEL_HEIGHT = 480, 260  # CSS pixels per metric panel
SCALE = 1.5  # saved at 1.5x: sharp enough on 2x screens, a third of the bytes of 2x
MAX_POINTS = 1000  # per curve, after the envelope
MAX_PANELS = 24  # panels in a model's plot; a run logging a curve per layer keeps the rest in its table


def worth_a_panel(name: str, series: Series) -> bool:
    """Two points or more, and not run bookkeeping (runtimes, throughput, FLOs), which the
    metrics table shows."""
    return not is_bookkeeping(name) and series.has_points(2)


def panels(metrics: dict[str, Series], goals: dict[str, str]) -> dict[str, Series]:
    """The curves a model's plot shows: those worth a panel, at most MAX_PANELS of them, the
    metrics with a better way (a loss, an accuracy) first, each in the order written."""
    worth = [name for name, series in metrics.items() if worth_a_panel(name, series)]
    if len(worth) > MAX_PANELS:
        chosen = set(sorted(worth, key=lambda name: goal_of(name, goals) is None)[:MAX_PANELS])
        worth = [name for name in worth if name in chosen]
    return {name: metrics[name] for name in worth}
POOL_THRESHOLD = 8  # fewer new plots than this are drawn in-process


@dataclass(frozen=True)
class Plot:
    path: Path
    width: int  # CSS pixels
    height: int
    metrics: tuple[str, ...]
    parent_overlaid: bool  # some panel shows the parent's curve too
    narrow: Path | None = None  # the same panels in one column, for phones (SVG plots)
    narrow_width: int = 0
    narrow_height: int = 0


@dataclass(frozen=True)
class PlotJob:
    model_id: str
    metrics: dict[str, Series]
    parent: tuple[str, dict[str, Series]] | None


def plot_models(cache_dir: Path, jobs: list[PlotJob], plot_format: str = "svg") -> dict[str, Plot]:
    """A plot for every job with at least one finite point, drawing only what is not cached."""
    return start_plots(cache_dir, jobs, plot_format).result()


class PendingPlots:
    """Plots being drawn by a worker process while the build goes on; `result()` waits."""

    def __init__(self, plots: dict[str, Plot], missing: list, draw, futures=(), pool=None) -> None:
        self.plots, self.missing, self.draw, self.futures, self.pool = plots, missing, draw, list(futures), pool

    def result(self) -> dict[str, Plot]:
        from concurrent.futures.process import BrokenProcessPool

        try:
            for future in self.futures:
                future.result()
            if self.futures:
                self.missing = []  # the worker drew them all
        except (BrokenProcessPool, OSError, RuntimeError):
            self.missing = [job for job in self.missing if not _drawn(job[0])]  # drawn here instead
        finally:
            if self.pool is not None:
                self.pool.shutdown()
        self.draw(self.missing)
        self.missing = []
        return self.plots


def start_plots(cache_dir: Path, jobs: list[PlotJob], plot_format: str = "svg") -> PendingPlots:
    """Start drawing the plots that are not cached: SVGs in a worker process (on a spare core,
    so the build goes on beside it) when there are many; PNGs with matplotlib on every core."""
    from mljournal.rendering import svg_plots

    svg = plot_format == "svg"
    panel_height = svg_plots.PANEL_HEIGHT if svg else PANEL_HEIGHT
    plots: dict[str, Plot] = {}
    store = ContentStore(cache_dir, "plots")
    missing: list[tuple[Path, str, list, str | None]] = []
    envelopes: dict[int, tuple] = {}  # by id(series): a run's curve is drawn on its children's plots too

    def enveloped(series: Series) -> tuple:
        if id(series) not in envelopes:
            envelopes[id(series)] = envelope(series.steps, series.values)
        return envelopes[id(series)]

    for job in jobs:
        names = tuple(m for m, s in sorted(job.metrics.items()) if _has_points(s))
        if not names:
            continue
        # The key hashes the raw arrays (cheap); envelopes are computed only for what is drawn.
        digest = hashlib.sha256(STYLE_VERSION + (svg_plots.STYLE_VERSION if svg else b""))
        digest.update(repr((job.model_id, job.parent[0] if job.parent else None, names)).encode())
        for metric in names:
            for series in (job.metrics[metric], job.parent[1].get(metric) if job.parent else None):
                if series is not None:
                    digest.update(metric.encode() + b"\0" + series.steps.tobytes() + b"\0" + series.values.tobytes())
                digest.update(b"\1")
        path = store.path(digest, ".svg" if svg else ".png")
        columns = 1 if len(names) == 1 else 2
        rows = math.ceil(len(names) / columns)
        overlaid = bool(job.parent and set(names) & set(job.parent[1]))
        plot = Plot(path, PANEL_WIDTH * columns, panel_height * rows, names, overlaid)
        if svg:  # its phone twin, named by the same content
            plot = replace(plot, narrow=narrow_twin(path), narrow_width=svg_plots.NARROW_WIDTH,
                           narrow_height=svg_plots.NARROW_HEIGHT * len(names))
        plots[job.model_id] = plot
        if not _drawn(path):
            panels = []
            for metric in names:
                own = enveloped(job.metrics[metric])
                theirs = enveloped(job.parent[1][metric]) if job.parent and metric in job.parent[1] else None
                panels.append((metric, own, theirs))
            missing.append((path, job.model_id, panels, job.parent[0] if job.parent else None))
    from mljournal.workers import can_spawn

    if svg:
        if len(missing) >= SVG_POOL_THRESHOLD and can_spawn():
            try:
                pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
                chunks = [missing[start : start + 50] for start in range(0, len(missing), 50)]
                return PendingPlots(plots, missing, _draw_svgs, [pool.submit(_draw_svgs, c) for c in chunks], pool)
            except (OSError, RuntimeError):
                pass
        return PendingPlots(plots, missing, _draw_svgs)
    return PendingPlots(plots, missing, lambda rest: _draw_pngs(rest))


def narrow_twin(path: Path) -> Path:
    """The one-column figure for phones of the SVG plot at `path`."""
    return path.with_name(path.stem + "-narrow.svg")


def _drawn(path: Path) -> bool:
    """Every file of a plot is there: an SVG plot has a narrow twin for phones."""
    return path.exists() and (path.suffix != ".svg" or narrow_twin(path).exists())


SVG_POOL_THRESHOLD = 64  # fewer new SVG plots than this are drawn in the build's own process


def _draw_svgs(jobs: list) -> None:
    from mljournal.rendering import svg_plots

    for path, model_id, panels, parent_id in jobs:
        for target, narrow in ((path, False), (narrow_twin(path), True)):
            text, _, _ = svg_plots.render_svg(panels, model_id, parent_id, narrow=narrow)
            with replacing(target) as partial:
                partial.write_text(text, encoding="utf-8")


def _draw_pngs(missing: list) -> None:
    from mljournal.workers import can_spawn

    if len(missing) >= POOL_THRESHOLD and can_spawn():
        from concurrent.futures.process import BrokenProcessPool

        workers = min(os.cpu_count() or 1, len(missing))
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
                list(pool.map(_draw, *zip(*missing), chunksize=max(1, len(missing) // (workers * 4))))
            return
        except (BrokenProcessPool, OSError, RuntimeError):
            missing = [job for job in missing if not job[0].exists()]  # no worker processes here: draw the rest
    for job in missing:
        _draw(*job)


def _has_points(series: Series) -> bool:
    return any(not math.isnan(v) for v in series.values)


def envelope(steps, values, buckets: int = MAX_POINTS // 2) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """At most 2*buckets points keeping each bucket's min and max, in step order; gaps kept
    (a bucket with no finite value is one NaN point). Vectorized: 5,000 points take ~0.2 ms."""
    import numpy

    xs = numpy.asarray(steps, dtype=numpy.float64)
    ys = numpy.asarray(values, dtype=numpy.float64).copy()
    ys[~numpy.isfinite(ys)] = numpy.nan
    count = len(xs)
    if count <= 2 * buckets:
        return tuple(xs.tolist()), tuple(ys.tolist())
    edges = (numpy.arange(buckets + 1) * (count / buckets)).astype(numpy.int64)
    width = int((edges[1:] - edges[:-1]).max())
    index = edges[:-1, None] + numpy.arange(width)[None, :]
    inside = index < edges[1:, None]
    index = numpy.minimum(index, count - 1)
    chunk = numpy.where(inside, ys[index], numpy.nan)
    finite = ~numpy.isnan(chunk)
    low = numpy.where(finite, chunk, numpy.inf).argmin(axis=1)  # the first lowest, as min() picks
    high = numpy.where(finite, chunk, -numpy.inf).argmax(axis=1)
    rows = numpy.arange(buckets)
    first = index[rows, numpy.minimum(low, high)]
    second = index[rows, numpy.maximum(low, high)]
    empty = ~finite.any(axis=1)
    order = numpy.stack([first, second], axis=1)
    keep = numpy.ones_like(order, dtype=bool)
    keep[:, 1] = (second != first) & ~empty
    picked = order[keep]
    out_x, out_y = xs[picked], ys[picked]
    out_x[numpy.repeat(empty, keep.sum(axis=1))] = xs[edges[:-1][empty]]
    return tuple(out_x.tolist()), tuple(out_y.tolist())


def _draw(path: Path, model_id: str, panels: list, parent_id: str | None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    columns = 1 if len(panels) == 1 else 2
    rows = math.ceil(len(panels) / columns)
    figure = Figure(figsize=(PANEL_WIDTH * columns / 100, PANEL_HEIGHT * rows / 100), dpi=100 * SCALE)
    for number, (metric, own, theirs) in enumerate(panels, start=1):
        axes = figure.add_subplot(rows, columns, number)
        if theirs:
            axes.plot(theirs[0], theirs[1], color="#9e9e9e", linewidth=1.2, linestyle="--", label=parent_id)
        axes.plot(own[0], own[1], color="#3f51b5", linewidth=1.6, label=model_id, marker="o" if len(own[0]) == 1 else None)
        axes.set_title(metric, fontsize=10, loc="left")
        axes.tick_params(labelsize=8)
        axes.grid(True, color="#e0e0e0", linewidth=0.6)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        if number == 1:
            axes.legend(fontsize=8, frameon=False)
    figure.subplots_adjust(left=0.07 / columns * 2 if columns == 2 else 0.1, right=0.98, bottom=0.6 / (2.6 * rows),
                           top=1 - 0.35 / (2.6 * rows), wspace=0.18, hspace=0.45)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).convert("RGB")
    # Few colours on white: a 64-colour palette keeps the lines crisp at a third of the bytes.
    with replacing(path) as partial:
        image.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(partial, "PNG")
