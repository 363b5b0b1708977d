"""Month-over-month charts drawn on the server as SVG (no chart library, no CDN, nothing for the CSP
to block: colours come from classes in static/assessment/assessment.css).

`chart()` computes the geometry (coordinates as text, one decimal); assessment/_chart.html draws it."""

import dataclasses
import json

W, H = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 34


def _fmt(v):
    return f"{v:g}" if isinstance(v, (int, float)) else "—"


def _c(v):
    return f"{v:.1f}"


def nice_top(v):
    """The smallest 4·{1, 2, 5}·10^k at or above v: the four grid steps are then round numbers."""
    k = 1
    while True:
        for m in (1, 2, 5):
            if 4 * m * k >= v:
                return 4 * m * k
        k *= 10


@dataclasses.dataclass
class Series:
    cls: str  # css class (its colour)
    bars: list  # [(x, y, width, height, tooltip)]
    points: str  # the line through the values ("" without a line)
    dots: list  # [(x, y, tooltip)]


@dataclasses.dataclass
class Chart:
    title: str
    grid: list  # [(y, label)] of the horizontal grid lines and their values
    x_labels: list  # [(x, month label)]
    series: list  # [Series]
    legend: list  # [(css class, x of the swatch, x of the name, name)]
    width: int = W
    height: int = H
    left: int = LEFT
    right: int = W - RIGHT
    axis_x: int = LEFT - 4
    x_label_y: int = H - BOTTOM + 14
    legend_y: int = H - 12
    legend_text_y: int = H - 4
    # the same chart as data for the browser's interactive drawing (static/assessment/charts.js with
    # the vendored Apache ECharts); the SVG stays for the PDF and when scripts do not run
    data: dict = dataclasses.field(default_factory=dict)

    @property
    def data_json(self):
        """The data as JSON for a data- attribute (the template escapes it; no inline script)."""
        return json.dumps(self.data, ensure_ascii=False)


def chart(labels, series, *, title, kind="line", y_max=None, unit=""):
    """labels: month labels; series: [(name, [value or None], css class)]. Returns a Chart."""
    n = max(len(labels), 1)
    values = [v for _name, vals, _cls in series for v in vals if v is not None]
    top = y_max if y_max is not None else max(values + [1])
    if y_max is None:
        top = nice_top(top)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    slot = pw / n

    def x(i):
        return LEFT + slot * (i + 0.5)

    def y(v):
        return TOP + ph - (v / top) * ph if top else TOP + ph

    grid = []
    for frac in (0, 0.25, 0.5, 0.75, 1):
        gy = TOP + ph - frac * ph
        grid.append((_c(gy), _c(gy + 3), f"{_fmt(round(top * frac, 1))}{unit}"))
    x_labels = [(_c(x(i)), label) for i, label in enumerate(labels)]
    drawn = []
    k = len(series)
    for s_index, (name, vals, cls) in enumerate(series):
        bars, points, dots = [], "", []
        if kind == "bar":
            bw = slot * 0.8 / max(k, 1)
            for i, v in enumerate(vals):
                if v is None:
                    continue
                bx = LEFT + slot * i + slot * 0.1 + bw * s_index
                bars.append((_c(bx), _c(y(v)), _c(bw), _c(TOP + ph - y(v)), f"{name} {labels[i]}: {_fmt(v)}{unit}"))
        else:
            shown = [(x(i), y(v), v, i) for i, v in enumerate(vals) if v is not None]
            if len(shown) > 1:
                points = " ".join(f"{_c(px)},{_c(py)}" for px, py, _v, _i in shown)
            dots = [(_c(px), _c(py), f"{name} {labels[i]}: {_fmt(v)}{unit}") for px, py, v, i in shown]
        drawn.append(Series(cls, bars, points, dots))
    legend = []
    lx = LEFT
    for name, _vals, cls in series:
        legend.append((cls, lx, lx + 14, name))
        lx += 14 + 13 * len(str(name)) + 12
    data = {
        "title": str(title),
        "kind": kind,
        "unit": unit,
        "y_max": y_max,
        "labels": [str(label) for label in labels],
        "series": [{"name": str(name), "values": list(vals), "cls": cls} for name, vals, cls in series],
    }
    return Chart(str(title), grid, x_labels, drawn, legend, data=data)
