"""An instance's diagram as SVG, drawn from the file's own layout, with the instance's state on top.

Shapes come from the BPMN diagram interchange (``BPMNShape`` bounds, ``BPMNEdge`` waypoints), so the
picture matches what the designer drew in the modeller. Each element can carry a state: ``completed``,
``active``, ``waiting`` or ``incident`` for an instance, ``error`` or ``warning`` for an upload's diagnostics,
and a title (the diagnostic's message, shown as a tooltip). The SVG is built as an element tree, so names and
messages from the file are always escaped; it needs no script and no external resource (fits a strict
Content-Security-Policy).
"""

from __future__ import annotations

from lxml import etree

from engine.bpmn.bpmn_xml import BPMN_NS, BPMNDI_NS, DC_NS, DI_NS, XmlRejected, index_by_id, load_xml
from engine.bpmn.diagnostics import local_name

SVG_NS = "http://www.w3.org/2000/svg"
STATES = {
    "completed": ("#e8f5e9", "#2e7d32"),
    "active": ("#e3f2fd", "#1565c0"),
    "waiting": ("#fff8e1", "#f9a825"),
    "incident": ("#ffebee", "#c62828"),
    "error": ("#ffebee", "#c62828"),
    "warning": ("#fff3e0", "#e65100"),
}
_DEFAULT = ("#ffffff", "#333333")
# Element names by id and state labels by state, in the reader's language.
_Texts = tuple[dict[str, str], dict[str, str]]
_GATEWAY_MARKS = {"exclusiveGateway": "×", "parallelGateway": "+", "inclusiveGateway": "○", "eventBasedGateway": "◇"}


def _svg(tag: str, parent: etree._Element | None = None, **attrs: object) -> etree._Element:
    clean = {key.rstrip("_").replace("_", "-"): str(value) for key, value in attrs.items()}
    if parent is None:
        return etree.Element(f"{{{SVG_NS}}}{tag}", clean, nsmap={None: SVG_NS})
    return etree.SubElement(parent, f"{{{SVG_NS}}}{tag}", clean)


def _bounds(shape: etree._Element) -> tuple[float, float, float, float] | None:
    bounds = shape.find(f"{{{DC_NS}}}Bounds")
    if bounds is None:
        return None
    try:
        return tuple(float(bounds.get(k, "0")) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]
    except ValueError:
        return None


def _label(parent: etree._Element, text: str, x: float, y: float, width: float) -> None:
    words, lines, line = text.split(), [], ""
    limit = max(8, int(width / 7))
    for word in words:
        if line and len(line) + len(word) + 1 > limit:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    for number, content in enumerate(lines[:4]):
        node = _svg("text", parent, x=x, y=y + (number - (len(lines[:4]) - 1) / 2) * 13, text_anchor="middle")
        node.set("font-size", "11")
        node.set("dominant-baseline", "middle")
        node.text = content


def _shape(
    group: etree._Element,
    element: etree._Element,
    box: tuple[float, float, float, float],
    state: str | None,
    title: str | None = None,
    texts: _Texts | None = None,
) -> None:
    x, y, w, h = box
    kind = local_name(element)
    fill, stroke = STATES.get(state or "", _DEFAULT)
    width = 3 if state else 1.5
    names, state_labels = texts or ({}, {})
    name = " ".join((names.get(element.get("id") or "") or element.get("name") or "").split())
    if kind in ("participant", "lane"):
        _svg("rect", group, x=x, y=y, width=w, height=h, fill="none", stroke="#999999")
        _label(group, name, x + 15, y + h / 2, 20)
        return
    if kind.endswith("Event"):
        radius = min(w, h) / 2
        border = 4 if kind == "endEvent" else width
        _svg("circle", group, cx=x + w / 2, cy=y + h / 2, r=radius, fill=fill, stroke=stroke, stroke_width=border)
        _label(group, name, x + w / 2, y + h + 14, 90)
    elif kind.endswith("Gateway"):
        points = f"{x + w / 2},{y} {x + w},{y + h / 2} {x + w / 2},{y + h} {x},{y + h / 2}"
        _svg("polygon", group, points=points, fill=fill, stroke=stroke, stroke_width=width)
        mark = _svg("text", group, x=x + w / 2, y=y + h / 2, text_anchor="middle", dominant_baseline="middle")
        mark.text = _GATEWAY_MARKS.get(kind, "")
        _label(group, name, x + w / 2, y + h + 14, 90)
    else:
        _svg("rect", group, x=x, y=y, width=w, height=h, rx=8, fill=fill, stroke=stroke, stroke_width=width)
        _label(group, name, x + w / 2, y + h / 2, w)
    if state or title:
        # The title goes first so browsers and screen readers take it as the group's accessible name.
        node = etree.Element(f"{{{SVG_NS}}}title")
        node.text = title or f"{name or element.get('id')}: {state_labels.get(state or '', state)}"
        group.insert(0, node)


def _anchor(prefix: str | None, element_id: str) -> str | None:
    """An HTML id for an element (page links point at it); ids of XML are NCNames, so only the prefix is added."""
    return f"{prefix}{element_id}" if prefix is not None and element_id else None


def render_svg(
    bpmn_text: str,
    states: dict[str, str] | None = None,
    *,
    titles: dict[str, str] | None = None,
    id_prefix: str | None = None,
    names: dict[str, str] | None = None,
    state_labels: dict[str, str] | None = None,
) -> str:
    """SVG of the first diagram in ``bpmn_text``; ``states`` maps element ids to a state name.

    ``titles`` maps element ids to a tooltip (``<title>``); with ``id_prefix`` every drawn element gets the
    HTML id ``id_prefix + element id``, so a page with several diagrams can link to one element. ``names``
    replaces element names (their translation into the reader's language) and ``state_labels`` the state
    names in tooltips.
    """
    states, titles = states or {}, titles or {}
    texts = (names or {}, state_labels or {})
    try:
        root = load_xml(bpmn_text)
    except XmlRejected as error:
        return _message_svg(f"cannot draw the diagram: {error.message}")
    elements = index_by_id(root)
    plane = root.find(f".//{{{BPMNDI_NS}}}BPMNPlane")
    if plane is None:
        return _message_svg("the file has no diagram layout")
    boxes = [b for b in (_bounds(s) for s in plane.iter(f"{{{BPMNDI_NS}}}BPMNShape")) if b]
    min_x = min((b[0] for b in boxes), default=0) - 20
    min_y = min((b[1] for b in boxes), default=0) - 20
    max_x = max((b[0] + b[2] for b in boxes), default=200) + 40
    max_y = max((b[1] + b[3] for b in boxes), default=100) + 40
    svg = _svg("svg", None, viewBox=f"{min_x} {min_y} {max_x - min_x} {max_y - min_y}", font_family="sans-serif")
    defs = _svg("defs", svg)
    marker = _svg("marker", defs, id="arrow", markerWidth=10, markerHeight=10, refX=9, refY=5, orient="auto")
    _svg("path", marker, d="M0,0 L10,5 L0,10 z", fill="#333333")
    for shape in plane.iter(f"{{{BPMNDI_NS}}}BPMNShape"):
        element, box = elements.get(shape.get("bpmnElement", "")), _bounds(shape)
        if element is not None and box and etree.QName(element).namespace == BPMN_NS:
            element_id = element.get("id", "")
            group = _svg("g", svg, class_=f"element {states.get(element_id, '')}".strip())
            group.set("data-element-id", element_id)
            if anchor := _anchor(id_prefix, element_id):
                group.set("id", anchor)
            _shape(group, element, box, states.get(element_id), titles.get(element_id), texts)
    for edge in plane.iter(f"{{{BPMNDI_NS}}}BPMNEdge"):
        points = " ".join(f"{p.get('x')},{p.get('y')}" for p in edge.iter(f"{{{DI_NS}}}waypoint"))
        if points:
            _edge(svg, points, edge.get("bpmnElement", ""), states, titles, id_prefix, texts)
    return etree.tostring(svg, encoding="unicode")


def _edge(
    svg: etree._Element,
    points: str,
    element_id: str,
    states: dict[str, str],
    titles: dict[str, str],
    id_prefix: str | None,
    texts: _Texts,
) -> None:
    state = states.get(element_id)
    stroke = STATES[state][1] if state in STATES else "#333333"
    line = _svg("polyline", svg, points=points, fill="none", stroke=stroke, marker_end="url(#arrow)")
    line.set("data-element-id", element_id)
    if state:
        line.set("class", f"edge {state}")
        line.set("stroke-width", "3")
    if anchor := _anchor(id_prefix, element_id):
        line.set("id", anchor)
    if state or element_id in titles:
        title = _svg("title", line)
        names, state_labels = texts
        title.text = (
            titles.get(element_id) or f"{names.get(element_id, element_id)}: {state_labels.get(state or '', state)}"
        )


def _message_svg(message: str) -> str:
    svg = _svg("svg", None, viewBox="0 0 600 40", font_family="sans-serif")
    text = _svg("text", svg, x=10, y=25)
    text.text = message
    return etree.tostring(svg, encoding="unicode")
