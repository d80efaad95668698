"""Server-side SVG charts for the cockpit: no script, no external resource, readable without colour.

Each chart is plain SVG markup built with escaped labels, so it fits the strict Content-Security-Policy
and prints; every bar and point carries a ``<title>`` with its exact number for mouse and screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

PALETTE = ("#1f4e8c", "#c0392b", "#2e7d32", "#f9a825", "#6a1b9a")
LIGHT_COLOURS = {"red": "#c62828", "amber": "#f9a825", "green": "#2e7d32"}


def _number(value: float) -> str:
    return f"{value:g}"


def bar_chart(items: Sequence[tuple[str, float]], label: str, colours: dict[str, str] | None = None) -> Markup:
    """Horizontal bars, one per (label, value), with the value written at the end of each bar."""
    if not items:
        return Markup('<p class="muted">{}</p>').format("–")
    row, left, width = 24, 150, 460
    top = max((value for _name, value in items), default=0) or 1
    height = row * len(items) + 8
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {left + width + 60} {height}" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">'
    ]
    for index, (name, value) in enumerate(items):
        y = 4 + index * row
        length = max(0.0, value) / top * width
        colour = (colours or {}).get(name, PALETTE[0])
        parts.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{escape(name)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" fill="{colour}">'
            f"<title>{escape(name)}: {_number(value)}</title></rect>"
            f'<text x="{left + length + 4:.1f}" y="{y + 15}">{_number(value)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(labels: Sequence[str], series: dict[str, Sequence[float]], label: str) -> Markup:
    """One polyline per series over the x labels, with a legend and a zero-based y axis."""
    if not labels:
        return Markup('<p class="muted">{}</p>').format("–")
    left, top_pad, width, height = 40, 24, 600, 180
    peak = max((max(values, default=0) for values in series.values()), default=0) or 1
    step = width / max(1, len(labels) - 1)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {left + width + 20} {top_pad + height + 40}" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="11">',
        f'<line x1="{left}" y1="{top_pad + height}" x2="{left + width}" y2="{top_pad + height}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top_pad + 4}" text-anchor="end">{_number(peak)}</text>',
        f'<text x="{left - 4}" y="{top_pad + height}" text-anchor="end">0</text>',
    ]
    every = max(1, -(-len(labels) // 6))  # at most six x labels, so they never overlap
    for index, text in enumerate(labels):
        if index % every == 0:
            x = left + index * step
            parts.append(f'<text x="{x:.1f}" y="{top_pad + height + 16}" text-anchor="middle">{escape(text)}</text>')
    for number, (name, values) in enumerate(series.items()):
        colour = PALETTE[number % len(PALETTE)]
        points = " ".join(
            f"{left + i * step:.1f},{top_pad + height - v / peak * height:.1f}" for i, v in enumerate(values)
        )
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for i, value in enumerate(values):
            x, y = left + i * step, top_pad + height - value / peak * height
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(name)} {escape(labels[i])}: {_number(value)}</title></circle>"
            )
        parts.append(
            f'<rect x="{left + number * 110}" y="4" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + number * 110 + 14}" y="13">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
