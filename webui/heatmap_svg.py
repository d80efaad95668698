"""The heatmap drawn onto a version's server-side SVG diagram: colour intensity and numbers per element.

Takes the SVG of ``designer_export.svg.render_svg`` (each element a ``<g data-element-id=...>``) and the figures
of ``engine.store.heatmap``; fills each visited element from pale to deep orange by how many instances went
through it (passed + waiting, relative to the busiest element) and writes "passed · waiting · average" above
it. The result is still a plain SVG without script (fits the Content-Security-Policy).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from lxml import etree

from engine.store.heatmap import ElementFigures

SVG_NS = "http://www.w3.org/2000/svg"
_PALE, _DEEP = (255, 245, 235), (217, 72, 1)


def duration_text(seconds: float | None) -> str:
    """A short human duration: 45s, 12m, 3h 05m, 2d 4h; an en dash when unknown."""
    if seconds is None:
        return "–"
    total = int(round(seconds))
    if total < 60:
        return f"{total}s"
    minutes, hours, days = total // 60, total // 3600, total // 86400
    if hours == 0:
        return f"{minutes}m"
    if days == 0:
        return f"{hours}h {minutes % 60:02d}m"
    return f"{days}d {hours % 24}h"


def heat_colour(share: float) -> str:
    """Colour for a share in [0, 1] of the busiest element's traffic."""
    share = min(max(share, 0.0), 1.0)
    red, green, blue = (round(p + (d - p) * share) for p, d in zip(_PALE, _DEEP, strict=True))
    return f"#{red:02x}{green:02x}{blue:02x}"


def _top_left(shape: etree._Element) -> tuple[float, float] | None:
    tag = etree.QName(shape).localname
    try:
        if tag == "rect":
            return float(shape.get("x", "0")), float(shape.get("y", "0"))
        if tag == "circle":
            radius = float(shape.get("r", "0"))
            return float(shape.get("cx", "0")) - radius, float(shape.get("cy", "0")) - radius
        if tag == "polygon":
            points = [tuple(float(v) for v in pair.split(",")) for pair in (shape.get("points") or "").split()]
            return min(p[0] for p in points), min(p[1] for p in points)
    except (ValueError, IndexError):
        return None
    return None


def overlay(svg_text: str, figures: Sequence[ElementFigures]) -> str:
    """The diagram with each element's figures on it; elements nobody visited stay as drawn."""
    try:
        svg = etree.fromstring(svg_text.encode("utf-8"))
    except etree.XMLSyntaxError:
        return svg_text
    by_element = {figure.element_id: figure for figure in figures}
    busiest = max((f.passed + f.waiting for f in figures), default=0) or 1
    for group in svg.iter(f"{{{SVG_NS}}}g"):
        figure = by_element.get(group.get("data-element-id", ""))
        if figure is None:
            continue
        shape = next((child for child in group if etree.QName(child).localname in ("rect", "circle", "polygon")), None)
        corner = _top_left(shape) if shape is not None else None
        if shape is None or corner is None:
            continue
        shape.set("fill", heat_colour((figure.passed + figure.waiting) / busiest))
        group.set("class", f"{group.get('class', '')} heat".strip())
        group.set("data-passed", str(figure.passed))
        group.set("data-waiting", str(figure.waiting))
        label = etree.SubElement(group, f"{{{SVG_NS}}}text", {"x": str(corner[0]), "y": str(corner[1] - 4)})
        label.set("font-size", "10")
        label.set("class", "heat-figures")
        label.text = f"{figure.passed} · {figure.waiting} · {duration_text(figure.average_seconds)}"
        title = etree.SubElement(group, f"{{{SVG_NS}}}title")
        title.text = _(
            "%(element)s: %(passed)s passed, %(waiting)s waiting now, average %(average)s",
            element=figure.element_id,
            passed=figure.passed,
            waiting=figure.waiting,
            average=duration_text(figure.average_seconds),
        )
    return etree.tostring(svg, encoding="unicode")
