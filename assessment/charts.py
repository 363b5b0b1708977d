"""Month-over-month charts drawn on the server as SVG (no chart library, no CDN, nothing for the CSP
to block: colours come from classes in static/assessment/assessment.css)."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

W, H = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 34


def _fmt(v):
    return f"{v:g}" if isinstance(v, (int, float)) else "—"


def nice_top(v):
    """The smallest 4·{1, 2, 5}·10^k at or above v: the four grid steps are then round numbers."""
    k = 1
    while True:
        for m in (1, 2, 5):
            if 4 * m * k >= v:
                return 4 * m * k
        k *= 10


def chart(labels, series, *, title, kind="line", y_max=None, unit=""):
    """labels: month labels; series: [(name, [value or None], css class)]. Returns safe SVG markup."""
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

    parts = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for frac in (0, 0.25, 0.5, 0.75, 1):
        gy = TOP + ph - frac * ph
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{W - RIGHT}" y1="{gy:.1f}" y2="{gy:.1f}"/>')
        parts.append(
            f'<text class="axis" x="{LEFT - 4}" y="{gy + 3:.1f}" text-anchor="end">{_fmt(round(top * frac, 1))}{unit}</text>'
        )
    for i, label in enumerate(labels):
        parts.append(
            f'<text class="axis" x="{x(i):.1f}" y="{H - BOTTOM + 14}" text-anchor="middle">{escape(label)}</text>'
        )
    k = len(series)
    for s_index, (name, vals, cls) in enumerate(series):
        cls = escape(cls)
        if kind == "bar":
            bw = slot * 0.8 / max(k, 1)
            for i, v in enumerate(vals):
                if v is None:
                    continue
                bx = LEFT + slot * i + slot * 0.1 + bw * s_index
                parts.append(
                    f'<rect class="{cls}" x="{bx:.1f}" y="{y(v):.1f}" width="{bw:.1f}" height="{TOP + ph - y(v):.1f}">'
                    f"<title>{escape(name)} {escape(labels[i])}: {_fmt(v)}{unit}</title></rect>"
                )
        else:
            points = [(x(i), y(v), v, i) for i, v in enumerate(vals) if v is not None]
            if len(points) > 1:
                path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _v, _i in points)
                parts.append(f'<polyline class="{cls}" points="{path}"/>')
            for px, py, v, i in points:
                parts.append(
                    f'<circle class="{cls}" cx="{px:.1f}" cy="{py:.1f}" r="3">'
                    f"<title>{escape(name)} {escape(labels[i])}: {_fmt(v)}{unit}</title></circle>"
                )
    lx = LEFT
    for name, _vals, cls in series:
        parts.append(f'<rect class="{escape(cls)}" x="{lx}" y="{H - 12}" width="10" height="8"/>')
        parts.append(f'<text class="legend" x="{lx + 14}" y="{H - 4}">{escape(name)}</text>')
        lx += 14 + 13 * len(str(name)) + 12
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above is escaped
