"""Charts as inline SVG: no JavaScript, no images, nothing fetched.

A chart is an image with a text alternative (`role="img"`, `<title>` and `<desc>`, referenced by
`aria-labelledby`); the page must still give its numbers as a table (and a download), because a short
description cannot carry every value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

# Distinguishable on white (3:1 or more) and for the common colour-vision deficiencies (Okabe-Ito based);
# every line also has its own dash pattern, so colour is never the only cue.
PALETTE = ["#0b0c0c", "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#8a6a00", "#56127a"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 2 1 2"]


@dataclass(frozen=True)
class Series:
    name: str
    values: list[int | None]  # one per label; None: no figure for that month


def nice_ceiling(value: float) -> int:
    """A round axis maximum at or above `value` (1, 2, 2.5, 5 or 10 times a power of ten)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return max(1, math.ceil(step * power))
    return math.ceil(10 * power)  # pragma: no cover


def line_chart(
    series: list[Series],
    labels: list[str],
    *,
    chart_id: str,
    title: str,
    description: str,
    width: int = 720,
    height: int = 320,
) -> Markup:
    """Lines over months (`labels`, oldest first), with axes, a legend and a text alternative."""
    left, right, top, bottom = 48, 32, 16, 40  # room for the last month label, centred on the edge
    legend_rows = len(series)
    legend_height = 20 * legend_rows + 8
    plot_w, plot_h = width - left - right, height - top - bottom
    total_h = height + legend_height
    values = [v for s in series for v in s.values if v is not None]
    y_max = nice_ceiling(max(values) if values else 1)
    n = max(len(labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / y_max

    out = [
        f'<svg class="portal-chart" id="{escape(chart_id)}" viewBox="0 0 {width} {total_h}" '
        f'width="100%" role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        'xmlns="http://www.w3.org/2000/svg" focusable="false">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
        '<g aria-hidden="true" font-family="inherit" font-size="12" fill="#0b0c0c">',
    ]
    for k in range(5):  # horizontal grid and y labels
        value = y_max * k / 4
        yy = y(value)
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#b1b4b6"/>')
        text = f"{value:g}"
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{escape(text)}</text>')
    step = max(1, math.ceil(n / 8))
    for i, label in enumerate(labels):  # x labels, thinned to at most about 8
        if i % step == 0 or i == n - 1:
            out.append(
                f'<text x="{x(i):.1f}" y="{top + plot_h + 18}" text-anchor="middle">{escape(label)}</text>'
            )
    for index, s in enumerate(series):
        colour, dash = PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        segments: list[list[str]] = [[]]
        for i, v in enumerate(s.values):
            if v is None:
                segments.append([])
            else:
                segments[-1].append(f"{x(i):.1f},{y(v):.1f}")
        for points in segments:
            if len(points) > 1:
                out.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5"{dash_attr}/>'
                )
            elif points:
                cx, cy = points[0].split(",")
                out.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}"/>')
        ly = height + 8 + 20 * index
        out.append(
            f'<line x1="{left}" x2="{left + 32}" y1="{ly + 6}" y2="{ly + 6}" stroke="{colour}" '
            f'stroke-width="2.5"{dash_attr}/>'
        )
        out.append(f'<text x="{left + 40}" y="{ly + 10}">{escape(s.name)}</text>')
    out.append("</g></svg>")
    return Markup("\n".join(out))  # noqa: S704 - every text and attribute above is escaped
