"""SVG plots: valid, escaped, compact documents whose paths draw what the data says."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy
import pytest

from mljournal.rendering.plots import envelope
from mljournal.rendering.svg_plots import _BOTTOM, _TOP, PANEL_HEIGHT, PANEL_WIDTH, axis_ticks, render_svg

AREA = PANEL_HEIGHT - _TOP - _BOTTOM  # the plot area's height in a panel: 182 px

NS = "{http://www.w3.org/2000/svg}"
NAN = math.nan


def curve(steps, values):
    return tuple(float(s) for s in steps), tuple(float(v) for v in values)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def paths(root: ET.Element, cls: str) -> list[str]:
    return [p.get("d") for p in root.iter(f"{NS}path") if p.get("class") == cls]


def curve_paths(root: ET.Element, cls: str) -> list[str]:
    """The curves' paths (inside a plot area), not the legend's samples."""
    found = []
    for group in root.iter(f"{NS}g"):
        if (group.get("transform") or "").endswith("scale(.5)") and group.get("transform") != "scale(.5)":
            found += [p.get("d") for p in group.findall(f"{NS}path") if p.get("class") == cls]
    return found


def points(d: str) -> list[list[tuple[int, int]]]:
    """The subpaths of path data made of M, l, h and v (absolute M, relative lines)."""
    subpaths, command, x, y = [], None, 0, 0
    tokens = re.findall(r"[A-Za-z]|-?\d+", d)
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token.isalpha():
            command = token
            position += 1
            continue
        if command == "M":
            x, y = int(tokens[position]), int(tokens[position + 1])
            subpaths.append([(x, y)])
            position += 2
        elif command == "l":
            x, y = x + int(tokens[position]), y + int(tokens[position + 1])
            subpaths[-1].append((x, y))
            position += 2
        elif command == "h":
            x += int(token)
            subpaths[-1].append((x, y))
            position += 1
        elif command == "v":
            y += int(token)
            subpaths[-1].append((x, y))
            position += 1
        else:
            raise AssertionError(f"unexpected command {command!r} in {d[:80]!r}")
    return subpaths


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{NS}text")]


def random_walk(seed: int, count: int = 5000, scale: float = 1.0, offset: float = 0.0):
    rng = numpy.random.default_rng(seed)
    return envelope(numpy.arange(count) * 10, offset + scale * numpy.cumsum(rng.normal(size=count)))


def noisy_figure():
    scales = [("loss", 1.0, 100.0), ("val_accuracy", 1e-3, 0.5), ("learning_rate", 1e-6, 3e-4), ("grad_norm", 1e4, 1e6)]
    return [(name, random_walk(n, scale=s, offset=o), random_walk(n + 10, scale=s, offset=o))
            for n, (name, s, o) in enumerate(scales)]


def smooth_figure():
    steps = numpy.arange(5000) * 10
    return [(name, envelope(steps, 2.0 * numpy.exp(-steps / (8000 + 3000 * n)) + 0.1),
             envelope(steps, 2.2 * numpy.exp(-steps / (7000 + 3000 * n)) + 0.15))
            for n, name in enumerate(["loss", "val_loss", "accuracy", "lr"])]


def test_the_document_is_valid_svg_of_the_size_it_reports():
    line = curve(range(10), [1, 0.8, 0.6, 0.5, 0.45, 0.4, 0.38, 0.36, 0.35, 0.34])
    for count, size in [(1, (480, 250)), (2, (960, 250)), (4, (960, 500)), (5, (960, 750))]:
        panels = [(f"m{n}", line, None) for n in range(count)]
        svg, width, height = render_svg(panels, "mlp-2", None)
        root = parse(svg)
        assert (width, height) == size
        assert width == PANEL_WIDTH * (1 if count == 1 else 2) and height % PANEL_HEIGHT == 0
        assert root.tag == f"{NS}svg" and root.get("role") == "img"
        assert (root.get("width"), root.get("height"), root.get("viewBox")) == (str(width), str(height), f"0 0 {width} {height}")
        assert root.find(f"{NS}title").text == ", ".join(f"m{n}" for n in range(count)) + " of mlp-2"
        assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" ')
        assert "font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif" in root.find(f"{NS}style").text
    with pytest.raises(ValueError):
        render_svg([], "mlp-2", None)


def test_the_phone_figure_is_one_column_of_narrow_panels_with_axis_labels():
    from mljournal.rendering.svg_plots import NARROW_HEIGHT, NARROW_WIDTH

    line = curve(range(10), [1, 0.8, 0.6, 0.5, 0.45, 0.4, 0.38, 0.36, 0.35, 0.34])
    svg, width, height = render_svg([(f"m{n}", line, None) for n in range(3)], "mlp-2", None, narrow=True)
    assert (width, height) == (NARROW_WIDTH, 3 * NARROW_HEIGHT) == (360, 750)
    root = parse(svg)
    labels = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "end label"]
    assert labels == ["step", "step", "step"]  # the y axis's label is each panel's title: its metric
    assert "text{font-size:11px" in root.find(f"{NS}style").text  # 11 px at a phone's 360 px


def test_the_parents_dashes_are_drawn_over_the_models_line():
    own, theirs = curve(range(10), [1] * 10), curve(range(10), [1] * 10)  # the same curve: fully overlapping
    root = parse(render_svg([("loss", own, theirs)], "m-2", "m-1")[0])
    [area] = [g for g in root.iter(f"{NS}g") if (g.get("transform") or "").endswith(") scale(.5)")]
    assert [p.get("class") for p in area.findall(f"{NS}path")] == ["own", "parent"]


def test_a_gap_starts_a_new_subpath_and_the_path_follows_the_data():
    values = [1.0, 2.0, 3.0, NAN, 3.0, 2.0, 1.0]
    root = parse(render_svg([("loss", curve(range(7), values), None)], "m-1", None)[0])
    [d] = curve_paths(root, "own")
    assert d.count("M") == 2 and "nan" not in d.lower()
    first, second = points(d)
    # y grows downwards; the two halves mirror each other (to the half pixel a point on a slope
    # may move as it slides to its column); x moves on across the gap.
    assert len(first) == len(second) == 3
    assert all(abs(a[1] - b[1]) <= 1 for a, b in zip(first, reversed(second)))
    assert first[0][1] > first[1][1] > first[2][1] and second[0][1] < second[1][1] < second[2][1]
    assert first[0][0] < first[1][0] < first[2][0] < second[0][0] < second[1][0] < second[2][0]


def test_path_data_is_compact_integers_in_the_plot_area():
    root = parse(render_svg(noisy_figure(), "m-1", "m-0")[0])
    for cls in ("own", "parent"):
        for d in curve_paths(root, cls):
            assert re.fullmatch(r"(M\d+ \d+([lhv]-?\d+( ?-?\d+)*)+)+", d), d[:120]
            assert " -" not in d and "." not in d
            for subpath in points(d):
                for x, y in subpath:  # half pixels: the plot area is (480 - left - 16) x AREA px
                    assert 0 <= x <= 2 * 444 and 0 <= y <= 2 * AREA


def test_a_spike_survives_the_column_reduction():
    values = [1.0] * 1000
    values[567] = 5.0
    root = parse(render_svg([("loss", curve(range(1000), values), None)], "m-1", None)[0])
    [d] = curve_paths(root, "own")
    [line] = points(d)
    ys = [y for _, y in line]
    # 5% padding: the flat line sits at the bottom, the spike at the top, AREA px apart less padding.
    assert abs(max(ys) - min(ys) - 2 * AREA / 1.1) <= 1
    assert len(line) <= 6  # flat, up, down, flat: consecutive collinear segments joined


def test_a_steep_straight_line_stays_straight_and_a_sparse_peak_keeps_its_apex():
    # A warm-up: 1000 steps of a straight ramp, then flat to step 20,000 (every 4th step).
    steps = numpy.arange(0, 20_000, 4)
    ramp = numpy.minimum(steps / 1000, 1.0)
    root = parse(render_svg([("lr", envelope(steps, ramp), None)], "m-1", None)[0])
    [d] = curve_paths(root, "own")
    [line] = points(d)
    top = min(y for _, y in line)
    rising = [(x, y) for x, y in line if y > top][1:]  # the first point keeps its own (rounded) x
    (x_first, y_first), (x_last, y_last) = rising[0], rising[-1]
    assert len(rising) >= 10
    for x, y in rising:  # within half a pixel of the straight line
        assert abs(y - (y_first + (y_last - y_first) * (x - x_first) / (x_last - x_first))) <= 1
    assert "v" not in d  # no staircase
    sparse = curve([0, 10, 20, 30, 40], [0, 1, 9, 1, 0])
    [line] = points(curve_paths(parse(render_svg([("v", sparse, None)], "m-1", None)[0]), "own")[0])
    assert len(line) == 5 and min(y for _, y in line) == round(2 * AREA * 0.05 / 1.1)  # the 5% margin above 9


def test_a_single_point_and_isolated_points_are_dots():
    root = parse(render_svg([("acc", curve([100], [0.5]), None)], "m-1", None)[0])
    assert curve_paths(root, "own") == []
    [group] = [g for g in root.iter(f"{NS}g") if g.get("class") == "own-dot"]
    [dot] = group.findall(f"{NS}circle")
    assert dot.get("r") == "5"  # half pixels: 2.5 px
    sparse = curve(range(7), [NAN, 0.5, NAN, 0.6, 0.62, NAN, 0.7])
    root = parse(render_svg([("acc", sparse, None)], "m-1", None)[0])
    assert len([c for g in root.iter(f"{NS}g") if g.get("class") == "own-dot" for c in g]) == 2
    [d] = curve_paths(root, "own")
    assert d.count("M") == 1


def test_names_are_escaped():
    name = '<script>alert(1)</script> & "x" 損失\x07'
    svg, _, _ = render_svg([("acc", curve([1, 2], [1, 2]), None), (name, curve([1, 2], [1, 2]), None)], 'm&<"1', None)
    assert "<script>" not in svg and "</script>" not in svg and '"x"' not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; 損失\ufffd" in svg
    root = parse(svg)
    assert name.replace("\x07", "\ufffd") in texts(root)
    assert root.find(f"{NS}title").text.endswith(' of m&<"1')


def test_the_parent_curve_is_dashed_and_only_then_in_the_legend():
    own, theirs = curve(range(5), [5, 4, 3, 2, 1]), curve(range(5), [6, 5, 4, 3, 2])
    svg, _, _ = render_svg([("loss", own, theirs), ("acc", own, None)], "mlp-2", "mlp-1")
    root = parse(svg)
    assert len(curve_paths(root, "parent")) == 1 and len(curve_paths(root, "own")) == 2
    assert re.search(r"\.parent\{[^}]*stroke-dasharray", root.find(f"{NS}style").text)
    assert "mlp-1" in texts(root) and "mlp-2" in texts(root)
    assert len(paths(root, "parent")) == 2  # the curve and the legend's sample
    for parent_id in ("mlp-1", None):
        root = parse(render_svg([("loss", own, None), ("acc", own, None)], "mlp-2", parent_id)[0])
        assert paths(root, "parent") == [] and "mlp-1" not in texts(root) and "parent" not in texts(root)
        assert texts(root).count("mlp-2") == 1  # the legend, once


def test_a_long_legend_moves_into_the_emptiest_corner():
    falling = curve(range(100), [100 - n for n in range(100)])  # top left to bottom right
    long_id = "a-long-model-identifier-of-40-characters-1"
    root = parse(render_svg([("loss", falling, falling)], long_id, long_id[:-1] + "0")[0])
    [box] = [r for r in root.iter(f"{NS}rect") if r.get("fill-opacity")]
    x, y = float(box.get("x")), float(box.get("y"))
    assert x > PANEL_WIDTH / 3 and y < PANEL_HEIGHT / 2  # top right: the curve is elsewhere


@pytest.mark.parametrize(("low", "high", "integer", "expected"), [
    (0, 1, False, ["0", "0.2", "0.4", "0.6", "0.8", "1"]),
    (-0.05, 1.05, False, ["0", "0.2", "0.4", "0.6", "0.8", "1"]),
    (1e-5, 3e-4, False, ["5e-05", "1e-04", "1.5e-04", "2e-04", "2.5e-04", "3e-04"]),
    (0, 50000, True, ["0", "10k", "20k", "30k", "40k", "50k"]),
    (48_500, 61_500, True, ["50k", "52k", "54k", "56k", "58k", "60k"]),
    (0, 1_200_000, True, ["0", "250k", "500k", "750k", "1M"]),  # no 1-2-5 step gives 4-6: 2.5
    (-120, 130, False, ["\u2212100", "\u221250", "0", "50", "100"]),
    (0.9, 1.1, False, ["0.9", "0.95", "1", "1.05", "1.1"]),
    (-1, 1, True, ["\u22121", "0", "1"]),  # steps: no tick between integers
    (9e5, 2.3e6, False, ["1M", "1.25M", "1.5M", "1.75M", "2M", "2.25M"]),
])
def test_nice_ticks(low, high, integer, expected):
    ticks = axis_ticks(low, high, integer)
    assert [label for _, label in ticks] == expected
    assert all(low <= value <= high for value, _ in ticks)


def test_tick_values_are_exact_decimals():
    assert [value for value, _ in axis_ticks(0, 1)] == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert [value for value, _ in axis_ticks(0.25, 0.55)][:3] == [0.25, 0.3, 0.35]


@pytest.mark.parametrize("values", [
    [3.0] * 50, [0.0] * 50, [-2e-7] * 50, [1e-6, 2e-6, NAN, 1.5e-6], [1e6, 5e6, 2e6],
    [-1.5e308, 1.5e308, 0.0], [5e-324, 1e-323], [NAN, NAN, 7.0, NAN],
])
def test_awkward_values_render_finite_coordinates(values):
    svg, _, _ = render_svg([("v", curve(range(50_000, 50_000 + len(values)), values), None)], "m-1", None)
    root = parse(svg)
    assert not re.search(r"nan|inf", svg, re.IGNORECASE)
    labels = [t for t in texts(root) if t not in ("v", "m-1")]
    assert len(labels) >= 3 + 2  # y and x ticks
    if values == [3.0] * 50:
        assert "3" in labels and "2.8" in labels  # a constant gets a range around it


def test_steps_far_from_zero_get_short_labels():
    root = parse(render_svg([("loss", curve(range(50_000, 60_001, 100), [1.0 / (n + 1) for n in range(101)]), None)],
                            "m-1", None)[0])
    assert {"50k", "52k", "60k"} <= set(texts(root))


def test_output_is_deterministic():
    figure = noisy_figure()
    assert render_svg(figure, "m-1", "m-0") == render_svg(noisy_figure(), "m-1", "m-0")


def test_figures_are_small():
    """Measured: noisy 4 panels with parents 15.4 KB (a model's path, drawn in 1.5 px columns,
    1.7-1.9 KB; a parent's, in 3 px columns, 1.0-1.1 KB); smooth 6.9 KB (paths 0.4-0.5 KB)."""
    svg, _, _ = render_svg(noisy_figure(), "mlp-7", "mlp-3")
    assert len(svg.encode()) <= 16_000
    root = parse(svg)
    assert max(len(d) for d in curve_paths(root, "own")) <= 2_000
    assert max(len(d) for d in curve_paths(root, "parent")) <= 1_100
    smooth, _, _ = render_svg(smooth_figure(), "mlp-7", "mlp-3")
    assert len(smooth.encode()) <= 7_500
    assert max(len(d) for d in curve_paths(parse(smooth), "own")) <= 600
