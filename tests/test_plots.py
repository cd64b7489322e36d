"""Plots: long series are reduced without losing spikes or gaps; a plot is cached by content."""

from __future__ import annotations

import math
from array import array

import pytest

from mljournal.reading.metrics import Series
from mljournal.rendering.plots import MAX_POINTS, PlotJob, envelope, plot_models


def test_the_envelope_keeps_spikes_and_gaps_of_a_long_series():
    steps = list(range(100_000))
    values = [1.0] * 100_000
    values[54_321] = 50.0  # one spike
    values[70_000:70_500] = [math.nan] * 500  # a gap
    values[80_000] = math.inf  # not drawable: a gap too
    xs, ys = envelope(steps, values)
    assert len(xs) <= MAX_POINTS
    assert max(v for v in ys if not math.isnan(v)) == 50.0
    assert any(math.isnan(v) for v in ys)
    assert list(xs) == sorted(xs)


@pytest.mark.parametrize("plot_format, height", [("svg", 250), ("png", 260)])
def test_a_plot_is_drawn_once_and_redrawn_when_its_data_changes(tmp_path, plot_format, height):
    series = Series(array("q", [1, 2, 3]), array("d", [0.9, 0.5, math.nan]))
    job = PlotJob("a-1", {"loss": series}, None)
    first = plot_models(tmp_path, [job], plot_format)["a-1"]
    assert first.path.is_file() and (first.width, first.height, first.metrics) == (480, height, ("loss",))
    assert first.path.suffix == f".{plot_format}"
    # an SVG plot has a one-column twin for phones, drawn with it; a PNG plot has none
    assert (first.narrow is not None and first.narrow.is_file()) == (plot_format == "svg")
    assert not first.parent_overlaid
    stamp = first.path.stat().st_mtime_ns
    assert plot_models(tmp_path, [job], plot_format)["a-1"].path.stat().st_mtime_ns == stamp
    series.values.append(0.4)
    series.steps.append(4)
    second = plot_models(tmp_path, [job], plot_format)["a-1"]
    assert second.path != first.path and second.path.is_file()
    empty = PlotJob("b-1", {"loss": Series(array("q", [1]), array("d", [math.nan]))}, None)
    assert plot_models(tmp_path, [empty]) == {}
