"""Metric plots as small SVG documents: one per model, a panel per metric, the parent's curve
overlaid dashed. A vector twin of the matplotlib figure in plots.py, ~50x faster to make.

The input is what ``plots.envelope`` returns (at most ~1000 points a curve, in step order, NaN
for a gap). Curves are drawn in a coordinate system of half CSS pixels (a ``scale(.5)``
group), so every coordinate is a small integer: the first point of a subpath is absolute,
the rest relative ``l``/``h``/``v`` moves. The points of one column (1.5 px for the model,
3 px for the parent's dashed curve) collapse to its lowest and highest, so a spike is kept;
a column spread over half a pixel or less, or whose second point lies within half a pixel
of the line on to the next column, keeps one point. A column's two peaks (noise) are
drawn upright on the column; a point on a slope slides along the data's line to the column,
so straight lines stay straight. Collinear segments are joined. A NaN starts a new ``M``
subpath; a point with gaps on both sides (or a run that fits in one column) is a dot.
Repeated attributes are CSS classes in one <style>; the font is the reader's system UI font.
Same input, same bytes. A noisy 4-panel figure with parent curves is ~15.5 KB and takes
~3.5 ms; a smooth one ~7 KB, ~3 ms.
"""

from __future__ import annotations

import math
import unicodedata

PANEL_WIDTH, PANEL_HEIGHT = 480, 250  # CSS pixels per metric panel
# The one-column figure a phone shows: panels as wide as a phone's page (~360 CSS px), so its
# 11 px labels stay 11 px there (the wide figure scaled to a phone's width would make them 8).
NARROW_WIDTH, NARROW_HEIGHT = 360, 250
STYLE_VERSION = b"svg-3"  # part of every plot's cache key: bump when the drawing changes
OWN_COLOUR, PARENT_COLOUR = "#3f51b5", "#9e9e9e"

Curve = tuple[tuple[float, ...], tuple[float, ...]]  # (steps, values); NaN is a gap
Panel = tuple[str, Curve, Curve | None]  # (metric, the model's curve, the parent's curve)

_TOP, _BOTTOM, _RIGHT = 30, 38, 16  # the plot area's insets in a panel; the left one fits the labels
_MIN_LEFT, _MAX_LEFT = 36, 120
_TITLE_BASELINE = 19
_TICK_SIZE, _TITLE_SIZE = 11, 13  # font sizes, px
_Y_PAD, _X_PAD = 0.05, 0.03  # margins around the data, as a fraction of its range
# Column widths in half pixels: the parent's dashed curve needs less detail. The model's curve
# is 1.6 px wide, so 1.5 px columns look as solid as 1 px ones (compared at 1x and 2x pixel
# ratio) and take a quarter fewer bytes.
_COLUMNS = {"own": 3, "parent": 6}
_FLAT = 1  # a column whose points span no more than this (half pixels) is one point
_NEAR = 1.0  # half pixels: a point this close to the line past it is left out
_DOT = 5  # dot radius in half pixels
_LEGEND_SAMPLE, _LEGEND_GAP, _LEGEND_SPACE = 22, 5, 14

# .own/.parent/.own-dot/.parent-dot are used only inside scale(.5) groups: widths are doubled.
_STYLE = (
    'svg{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}'
    "text{font-size:11px;fill:#555}"
    ".title{font-size:13px;fill:#222}"
    ".end{text-anchor:end}.mid{text-anchor:middle}.label{fill:#777}"
    ".grid,.axis,.own,.parent{fill:none}"
    ".grid{stroke:#e0e0e0}.axis{stroke:#888}"
    f".own{{stroke:{OWN_COLOUR};stroke-width:3.2;stroke-linejoin:round;stroke-linecap:round}}"
    f".parent{{stroke:{PARENT_COLOUR};stroke-width:2.4;stroke-linejoin:round;stroke-dasharray:10 6}}"
    f".own-dot{{fill:{OWN_COLOUR}}}.parent-dot{{fill:{PARENT_COLOUR}}}"
)

# 1-2-5 steps; 2.5 only when no 1-2-5 step gives 4-6 ticks. (digits, exponent shift): 25e-1 = 2.5
_STEPS = ((1, 0), (2, 0), (25, -1), (5, 0))
_SUFFIXES = ((12, "T"), (9, "G"), (6, "M"), (3, "k"))
_NOT_XML = {c: "\ufffd" for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF)}


def render_svg(panels: list[Panel], model_id: str, parent_id: str | None, narrow: bool = False) -> tuple[str, int, int]:
    """A standalone SVG document (UTF-8 text) of one model's metric panels, and its width and
    height in CSS px: one column for one panel, else two, each panel PANEL_WIDTH x PANEL_HEIGHT;
    `narrow`: one column of NARROW_WIDTH x NARROW_HEIGHT panels, for phones."""
    if not panels:
        raise ValueError("a plot needs at least one panel")
    columns = 1 if narrow or len(panels) == 1 else 2
    panel_width, panel_height = (NARROW_WIDTH, NARROW_HEIGHT) if narrow else (PANEL_WIDTH, PANEL_HEIGHT)
    rows = math.ceil(len(panels) / columns)
    width, height = panel_width * columns, panel_height * rows
    legend = [(model_id, "own")]
    if any(theirs is not None for _, _, theirs in panels):
        legend.append((parent_id if parent_id is not None else "parent", "parent"))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">',
        f"<title>{_escape(', '.join(metric for metric, _, _ in panels))} of {_escape(model_id)}</title>",
        f"<style>{_STYLE}</style>",
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
    ]
    for number, panel in enumerate(panels):
        left, top = (number % columns) * panel_width, (number // columns) * panel_height
        out.append(_panel(panel, left, top, legend if number == 0 else None, panel_width, panel_height))
    out.append("</svg>\n")
    return "\n".join(out), width, height


def axis_ticks(low: float, high: float, integer: bool = False) -> list[tuple[float, str]]:
    """The ticks inside [low, high] and their labels: 4-6 of them at a 1-2-5 step where one
    exists (else a 2.5 step, else the count nearest 5); `integer` allows no step below 1."""
    ticks, digits, exponent = _choose_ticks(low, high, integer)
    return list(zip(ticks, _labels(ticks, digits, exponent)))


def _choose_ticks(low: float, high: float, integer: bool) -> tuple[list[float], int, int]:
    if not (high > low) or not (math.isfinite(low) and math.isfinite(high)):
        return [], 1, 0
    top = math.floor(math.log10(high / 2 - low / 2) + math.log10(2))
    candidates = []  # (tick count, first multiple, digits, exponent), by increasing step
    for exponent in range(top - 2, top + 2):
        for digits, shift in _STEPS:
            step = float(f"{digits}e{exponent + shift}")
            if not math.isfinite(step) or step == 0 or (integer and step < 1):
                continue
            first = math.ceil(low / step - 1e-9)
            count = math.floor(high / step + 1e-9) - first + 1
            candidates.append((count, first, digits, exponent + shift))
    plain = [c for c in candidates if c[2] != 25 and c[0] >= 1]
    if not plain:
        return [], 1, 0
    chosen = next((c for c in plain if c[0] <= 6), plain[-1])
    if chosen[0] < 4:
        halves = [c for c in candidates if c[2] == 25 and 4 <= c[0] <= 6]
        chosen = halves[-1] if halves else min(plain, key=lambda c: (abs(c[0] - 5), -c[0]))
    count, first, digits, exponent = chosen
    # From the decimal text, so 3 x 0.1 is 0.3, not 0.30000000000000004.
    return [float(f"{(first + i) * digits}e{exponent}") for i in range(count)], digits, exponent


def _labels(ticks: list[float], digits: int, exponent: int) -> list[str]:
    """Compact labels: 0.25, 1.5e-05, 12k, 1.2M, −3 (a true minus sign); no trailing zeros."""
    if not ticks:
        return []
    biggest = max(abs(t) for t in ticks)
    labels = []
    for tick in ticks:
        if tick == 0:
            labels.append("0")
        elif biggest >= 1e15 or biggest < 1e-3:
            places = max(0, math.floor(math.log10(abs(tick))) - exponent)
            mantissa, _, power = f"{tick:.{places}e}".partition("e")
            labels.append(_trim(mantissa) + "e" + power)
        elif biggest >= 1000 and exponent >= 0:
            power, suffix = next(((p, s) for p, s in _SUFFIXES if abs(tick) >= 10.0**p), (0, ""))
            labels.append(_trim(f"{tick / 10.0**power:.{max(0, power - exponent)}f}") + suffix)
        else:
            labels.append(_trim(f"{tick:.{max(0, -exponent)}f}"))
    return [("\u2212" + label[1:]) if label.startswith("-") else label for label in labels]


def _trim(number: str) -> str:
    return number.rstrip("0").rstrip(".") if "." in number else number


def _limits(values, pad: float) -> tuple[float, float]:
    """The drawn range of `values` (finite, numpy): padded; a constant gets a range around it."""
    if not len(values):
        return 0.0, 1.0
    low, high = float(values.min()), float(values.max())
    if high - low <= max(1e-9 * max(abs(low), abs(high)), 1e-300):  # constant (or only float noise)
        centre = low / 2 + high / 2
        half = abs(centre) * 0.1 or 1.0
        return centre - half, centre + half
    margin = (high / 2 - low / 2) * 2 * pad
    biggest = 1.7976931348623157e308
    return max(low - margin, -biggest), min(high + margin, biggest)


def _scale(values, low: float, high: float, size: float):
    """values mapped from [low, high] to [0, size], overflow-safe for any finite range."""
    return (values * 0.5 - low * 0.5) * (size / (high * 0.5 - low * 0.5))


def _panel(panel: Panel, left: int, top: int, legend: list[tuple[str, str]] | None,
           panel_width: int = PANEL_WIDTH, panel_height: int = PANEL_HEIGHT) -> str:
    import numpy

    metric, own, theirs = panel
    curves = [(own, "own")] + ([(theirs, "parent")] if theirs is not None else [])
    arrays = [(numpy.asarray(c[0], dtype=numpy.float64), numpy.asarray(c[1], dtype=numpy.float64), cls)
              for c, cls in curves]
    steps = numpy.concatenate([a[0] for a in arrays])
    steps = steps[numpy.isfinite(steps)]
    values = numpy.concatenate([a[1] for a in arrays])
    values = values[numpy.isfinite(values)]
    xlow, xhigh = _limits(steps, _X_PAD)
    ylow, yhigh = _limits(values, _Y_PAD)
    integer = bool(len(steps)) and bool((steps == numpy.round(steps)).all())
    yticks = axis_ticks(ylow, yhigh)
    xticks = axis_ticks(xlow, xhigh, integer)

    widest = max((_text_width(label, _TICK_SIZE) for _, label in yticks), default=0)
    x0 = min(_MAX_LEFT, max(_MIN_LEFT, math.ceil(widest) + 12))
    x1, y0, y1 = panel_width - _RIGHT, _TOP, panel_height - _BOTTOM
    width, height = x1 - x0, y1 - y0

    title = _fit(metric, _TITLE_SIZE, panel_width - x0 - 6)
    out = [f'<g transform="translate({left} {top})">' if left or top else "<g>",
           f'<text class="title" x="{x0}" y="{_TITLE_BASELINE}">{_escape(title)}</text>']

    # Grid, axes and tick marks: crisp 1px lines on half pixels.
    grid, axis = [], [f"M{x0 - 0.5} {y0}V{y1 + 0.5}H{x1}"]
    ylabels, xlabels = [], []
    for value, label in yticks:
        y = _num(math.floor(y1 - float(_scale(value, ylow, yhigh, height))) + 0.5)
        grid.append(f"M{x0} {y}H{x1}")
        axis.append(f"M{x0 - 1} {y}h-4")
        ylabels.append(f'<text y="{y}">{label}</text>')
    for value, label in xticks:
        x = math.floor(x0 + float(_scale(value, xlow, xhigh, width))) + 0.5
        axis.append(f"M{_num(x)} {y1 + 1}v4")
        half = _text_width(label, _TICK_SIZE) / 2
        centre = min(max(x, half + 2), panel_width - half - 2)  # kept inside the panel
        xlabels.append(f'<text x="{_num(centre)}">{label}</text>')
    if grid:
        out.append(f'<path class="grid" d="{"".join(grid)}"/>')
    out.append(f'<path class="axis" d="{"".join(axis)}"/>')
    if ylabels:
        out.append(f'<g class="end" transform="translate({x0 - 7} 4)">{"".join(ylabels)}</g>')
    if xlabels:
        out.append(f'<g class="mid" transform="translate(0 {y1 + 17})">{"".join(xlabels)}</g>')
    # The axes' labels: the x axis is the step; the y axis is the metric, the panel's title.
    out.append(f'<text class="end label" x="{x1}" y="{y1 + 31}">step</text>')

    # Curves in half pixels from the plot's top left corner, the parent's last: its dashes are
    # drawn over the model's line, so it stays visible where the two curves run together.
    out.append(f'<g transform="translate({x0} {y0}) scale(.5)">')
    drawn = []  # every drawn point, in half pixels: where the legend should not go
    for steps, values, cls in arrays:
        path, dots, points = _curve(numpy, steps, values, (xlow, xhigh, width), (ylow, yhigh, height),
                                    _COLUMNS[cls])
        drawn.append(points)
        if path:
            out.append(f'<path class="{cls}" d="{path}"/>')
        if dots:
            circles = "".join(f'<circle cx="{x}" cy="{y}" r="{_DOT}"/>' for x, y in dots)
            out.append(f'<g class="{cls}-dot">{circles}</g>')
    out.append("</g>")
    if legend:
        points = numpy.concatenate(drawn, axis=1) / 2 + numpy.array([[x0], [y0]])
        out.extend(_legend(legend, x0 + _text_width(title, _TITLE_SIZE), (x0, y0, x1, y1), points))
    out.append("</g>")
    return "\n".join(out)


def _curve(numpy, xs, ys, xaxis, yaxis, column: int):
    """The path data of one curve in half pixels, its dots (points with no neighbour to join) as
    (x, y) pairs, and all its points after the column reduction, as a 2 x n array."""
    index = numpy.flatnonzero(numpy.isfinite(xs) & numpy.isfinite(ys))
    if not len(index):
        return "", [], numpy.zeros((2, 0))
    (xlow, xhigh, width), (ylow, yhigh, height) = xaxis, yaxis
    fx = _scale(xs[index], xlow, xhigh, 2 * width)
    fy = 2 * height - _scale(ys[index], ylow, yhigh, 2 * height)
    qx = numpy.rint(fx / column).astype(numpy.int64) * column
    qy = numpy.rint(fy).astype(numpy.int64)
    count = len(fx)

    # A run is a stretch of finite points between gaps; a group, the points of a run in one
    # column, which keeps its lowest and highest point (the first of each), in their order:
    # a, then b. b goes too if it is within half a pixel of the line from a to the next
    # group's a (measured before snapping).
    run = numpy.concatenate(([0], numpy.cumsum(numpy.diff(index) != 1)))
    starts = numpy.flatnonzero(numpy.concatenate(([True], (numpy.diff(qx) != 0) | (numpy.diff(run) != 0))))
    group = numpy.zeros(count, dtype=numpy.int64)
    group[starts[1:]] = 1
    group = numpy.cumsum(group)
    low, high = numpy.minimum.reduceat(qy, starts), numpy.maximum.reduceat(qy, starts)
    position = numpy.arange(count)
    first_low = numpy.minimum.reduceat(numpy.where(qy == low[group], position, count), starts)
    first_high = numpy.minimum.reduceat(numpy.where(qy == high[group], position, count), starts)
    a, b = numpy.minimum(first_low, first_high), numpy.maximum(first_low, first_high)
    pair = high - low > _FLAT  # within half a pixel: one point
    following = numpy.flatnonzero(run[a[1:]] == run[a[:-1]])  # groups with a next one in their run
    ax, ay, bx, by = fx[a[following]], fy[a[following]], fx[b[following]], fy[b[following]]
    cx, cy = fx[a[following + 1]] - ax, fy[a[following + 1]] - ay
    along = numpy.clip(((bx - ax) * cx + (by - ay) * cy) / numpy.maximum(cx * cx + cy * cy, 1e-12), 0, 1)
    pair[following[(ax + along * cx - bx) ** 2 + (ay + along * cy - by) ** 2 <= _NEAR ** 2]] = False

    # Where each kept point is drawn. A peak or trough (or a run's end) is drawn where it is,
    # except that a column's pair of them (noise) is drawn upright on the column: a v command.
    # A point on a slope slides along the data's line, to the column if it is alone there, so
    # a straight line stays straight and a steep one is no staircase.
    rise = numpy.diff(fy)
    peak = numpy.ones(count, dtype=bool)
    peak[1:-1] = (rise[:-1] * rise[1:] < 0) | (run[:-2] != run[1:-1]) | (run[2:] != run[1:-1])
    kept = numpy.flatnonzero(numpy.stack([numpy.ones(len(a), dtype=bool), pair], axis=1).ravel())
    pick = numpy.stack([a, b], axis=1).ravel()[kept]
    upright = (pair & peak[a] & peak[b])[kept // 2]
    alone = ~pair[kept // 2]
    run_start = numpy.flatnonzero(numpy.concatenate(([True], run[1:] != run[:-1])))
    run_end = numpy.append(run_start[1:] - 1, count - 1)
    prun = run[pick]
    target = numpy.rint(numpy.clip(numpy.where(alone, qx[pick], fx[pick]), fx[run_start][prun], fx[run_end][prun]))
    on_peak = peak[pick]
    px = numpy.where(upright, qx[pick], numpy.where(on_peak, numpy.rint(fx[pick]), target)).astype(numpy.int64)
    py = numpy.where(on_peak, qy[pick], numpy.rint(numpy.interp(target, fx, fy))).astype(numpy.int64)

    # Segments within a run, joined while they keep the same direction.
    inside = prun[1:] == prun[:-1]
    dx, dy = numpy.diff(px)[inside], numpy.diff(py)[inside]
    moved = (dx != 0) | (dy != 0)
    dx, dy = dx[moved], dy[moved]
    end = numpy.flatnonzero(inside)[moved]  # segment k goes from point end[k] to end[k] + 1
    divisor = numpy.maximum(numpy.gcd(dx, dy), 1)
    ux, uy = dx // divisor, dy // divisor
    fresh = numpy.ones(len(dx), dtype=bool)
    fresh[1:] = (ux[1:] != ux[:-1]) | (uy[1:] != uy[:-1]) | (prun[end[1:]] != prun[end[:-1]])
    begin = numpy.flatnonzero(fresh)
    dx, dy = numpy.add.reduceat(dx, begin), numpy.add.reduceat(dy, begin)
    segment_run = prun[end[begin]]

    # One command letter (l, h or v) per stretch of segments of one kind; a number is spaced
    # from the one before only where its minus sign does not separate them already.
    kind = numpy.where(dx == 0, 2, numpy.where(dy == 0, 1, 0))
    first = numpy.ones(len(kind), dtype=bool)
    first[1:] = segment_run[1:] != segment_run[:-1]
    repeat = ~first
    repeat[1:] &= kind[1:] == kind[:-1]
    letters, bare, spaced, offset = _tables(numpy, int(max(abs(dx).max(initial=0), abs(dy).max(initial=0))))
    one = numpy.where(kind == 2, dy, dx) + offset
    pieces = numpy.empty((len(kind), 3), dtype=object)
    pieces[:, 0] = numpy.where(repeat, "", letters[kind])
    pieces[:, 1] = numpy.where(repeat, spaced[one], bare[one])
    pieces[:, 2] = numpy.where(kind == 0, spaced[dy + offset], "")

    subpaths = numpy.flatnonzero(numpy.concatenate(([True], prun[1:] != prun[:-1])))
    drawn = numpy.bincount(segment_run, minlength=int(run[-1]) + 1)[prun[subpaths]] > 0
    dots = list(zip(px[subpaths[~drawn]].tolist(), py[subpaths[~drawn]].tolist()))
    lines = subpaths[drawn]
    for n, x, y in zip(numpy.flatnonzero(first).tolist(), px[lines].tolist(), py[lines].tolist()):
        pieces[n, 0] = f"M{x} {y}{pieces[n, 0]}"
    return "".join(pieces.ravel().tolist()), dots, numpy.stack([px, py])


_TABLES: dict = {}


def _tables(numpy, largest: int):
    """The command letters, and integers as text indexed by value + offset: bare, and with a
    leading space unless negative. Made once (a few hundred microseconds)."""
    size = 1024
    while size < largest:
        size *= 2
    if size not in _TABLES:
        numbers = range(-size, size + 1)
        _TABLES[size] = (numpy.array(["l", "h", "v"], dtype=object),
                         numpy.array([str(v) for v in numbers], dtype=object),
                         numpy.array([str(v) if v < 0 else f" {v}" for v in numbers], dtype=object),
                         size)
    return _TABLES[size]


def _legend(items: list[tuple[str, str]], title_end: float, plot: tuple[int, int, int, int], points) -> list[str]:
    """One line at the top right, beside the title; if it does not fit there, stacked on a
    white box in the corner of the plot with the fewest drawn points (`points`: 2 x n, px)."""
    widths = [_LEGEND_SAMPLE + _LEGEND_GAP + _text_width(label, _TICK_SIZE) for label, _ in items]
    total = sum(widths) + _LEGEND_SPACE * (len(items) - 1)
    x0, y0, x1, y1 = plot
    out = []
    if x1 - total >= title_end + 16:
        x, lines = x1 - total, []
        for (label, cls), item in zip(items, widths):
            lines.append((x, _TITLE_BASELINE - 4, label, cls))
            x += item + _LEGEND_SPACE
    else:
        box_width, box_height = math.ceil(max(widths)) + 8, 15 * len(items) + 4
        right, left = max(x1 - box_width - 2, 2), x0 + 4
        corners = [(right, y0 + 2), (right, y1 - box_height - 2), (left, y0 + 2), (left, y1 - box_height - 2)]
        xs, ys = points
        box_x, box_y = min(corners, key=lambda c: int(((xs >= c[0]) & (xs <= c[0] + box_width)
                                                       & (ys >= c[1]) & (ys <= c[1] + box_height)).sum()))
        out.append(f'<rect x="{box_x}" y="{box_y}" width="{box_width}" height="{box_height}" '
                   f'fill="#fff" fill-opacity=".85"/>')
        lines = [(box_x + 4, box_y + 9 + 15 * n, label, cls) for n, (label, cls) in enumerate(items)]
    samples = "".join(f'<path class="{cls}" d="M{round(2 * x)} {2 * y}h{2 * _LEGEND_SAMPLE}"/>'
                      for x, y, _, cls in lines)
    out.append(f'<g transform="scale(.5)">{samples}</g>')
    for x, y, label, _ in lines:
        out.append(f'<text x="{_num(x + _LEGEND_SAMPLE + _LEGEND_GAP)}" y="{y + 4}">{_escape(label)}</text>')
    return out


def _text_width(text: str, size: float) -> float:
    """A rough width of `text` in a sans-serif font: to lay out, never to clip."""
    total = 0.0
    for char in text:
        if char in "ijlI.,:;'|!() ":
            total += 0.3
        elif char in "mwMW@%":
            total += 0.85
        elif unicodedata.east_asian_width(char) in "WF":
            total += 1.0
        elif char.isupper():
            total += 0.66
        else:
            total += 0.56
    return total * size


def _fit(text: str, size: float, room: float) -> str:
    """`text`, cut short with an ellipsis if it would be wider than `room`."""
    if _text_width(text, size) <= room:
        return text
    text = text[: int(room / (0.3 * size)) + 1]  # no narrower characters than 0.3 em
    while text and _text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def _escape(text: str) -> str:
    """Text safe in XML content and attribute values; characters XML forbids become U+FFFD."""
    text = text.translate(_NOT_XML)
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        text = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _num(value: float) -> str:
    """A coordinate with at most one decimal: 12, 12.5."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
