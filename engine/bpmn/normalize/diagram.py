"""Diagram information for what the normaliser added: a shape per new element, an edge per new flow.

bpmn-js draws only elements with a BPMNShape and drops flows without a BPMNEdge, so an inserted gateway
(an implicit split made explicit, a fork after an added start event) or a link turned into a flow would
vanish from the designer's view of the version, and with it the flows around it. This pass runs last and
places each element that has no shape next to a neighbour that has one, in the same plane; documents
without any diagram are left alone.
"""

from __future__ import annotations

from lxml import etree

from engine.bpmn.bpmn_xml import BPMNDI_NS, DC_NS, DI_NS, FLOW_NODES, bpmn
from engine.bpmn.diagnostics import local_name
from engine.bpmn.normalize.context import Context

# BPMN's usual sizes (width, height), as Camunda Modeler draws them.
_SIZES = {"event": (36.0, 36.0), "gateway": (50.0, 50.0), "activity": (100.0, 80.0)}
_GAP = 30.0


def _size(node: etree._Element) -> tuple[float, float]:
    kind = local_name(node)
    if kind.endswith("Event"):
        return _SIZES["event"]
    if kind.endswith("Gateway"):
        return _SIZES["gateway"]
    return _SIZES["activity"]


def _bounds(shape: etree._Element) -> tuple[float, float, float, float] | None:
    bounds = shape.find(f"{{{DC_NS}}}Bounds")
    if bounds is None:
        return None
    try:
        return tuple(float(bounds.get(attr, "")) for attr in ("x", "y", "width", "height"))  # type: ignore[return-value]
    except ValueError:
        return None


def _number(value: float) -> str:
    return f"{value:g}"


def add_missing_diagram_info(ctx: Context) -> None:
    """Give every flow node and sequence flow of the processes a shape or edge when its neighbours have one."""
    shapes = {s.get("bpmnElement"): s for s in ctx.root.iter(f"{{{BPMNDI_NS}}}BPMNShape")}
    edges = {e.get("bpmnElement") for e in ctx.root.iter(f"{{{BPMNDI_NS}}}BPMNEdge")}
    if not shapes or not ctx.changed:
        return  # no diagram, or nothing added: the designer's own drawing stays as it is
    for process in ctx.processes:
        nodes = {n.get("id", ""): n for n in process.iter() if local_name(n) in FLOW_NODES and n.get("id")}
        flows = list(process.iter(bpmn("sequenceFlow")))
        # Repeat: a new gateway placed next to a new start event needs that start event's shape first.
        for _ in range(len(nodes)):
            placed = False
            for node_id, node in nodes.items():
                if node_id not in shapes and _place(ctx, node, flows, shapes):
                    placed = True
            if not placed:
                break
        for flow in flows:
            if flow.get("id") not in edges:
                _connect(ctx, flow, shapes)


def _place(
    ctx: Context, node: etree._Element, flows: list[etree._Element], shapes: dict[str | None, etree._Element]
) -> bool:
    node_id = node.get("id", "")
    width, height = _size(node)
    # After the element that leads into it when there is one (a split follows its task), else before.
    candidates = [(f.get("sourceRef"), True) for f in flows if f.get("targetRef") == node_id]
    candidates += [(f.get("targetRef"), False) for f in flows if f.get("sourceRef") == node_id]
    for neighbour_id, after in candidates:
        neighbour = shapes.get(neighbour_id)
        if neighbour is None:
            continue
        bounds = _bounds(neighbour)
        if bounds is None:
            continue
        x, y, w, h = bounds
        left = x + w + _GAP if after else x - _GAP - width
        if after:
            # Between its predecessor and the nearest successor when they leave room, so nothing overlaps.
            room = [b[0] for t in (f.get("targetRef") for f in flows if f.get("sourceRef") == node_id)
                    if (b := _bounds(shapes[t]) if t in shapes else None) and b[0] > x + w]  # fmt: skip
            if room and min(room) - (x + w) >= width:
                left = (x + w + min(room)) / 2 - width / 2
        top = y + h / 2 - height / 2
        plane = neighbour.getparent()
        shape = etree.SubElement(
            plane, f"{{{BPMNDI_NS}}}BPMNShape", id=ctx.new_id(f"{node_id}_di"), bpmnElement=node_id
        )
        etree.SubElement(
            shape,
            f"{{{DC_NS}}}Bounds",
            x=_number(left),
            y=_number(top),
            width=_number(width),
            height=_number(height),
        )
        shapes[node_id] = shape
        return True
    return False


def _connect(ctx: Context, flow: etree._Element, shapes: dict[str | None, etree._Element]) -> None:
    source, target = shapes.get(flow.get("sourceRef")), shapes.get(flow.get("targetRef"))
    if source is None or target is None:
        return
    start, end = _bounds(source), _bounds(target)
    if start is None or end is None:
        return
    edge = etree.SubElement(
        source.getparent(),
        f"{{{BPMNDI_NS}}}BPMNEdge",
        id=ctx.new_id(f"{flow.get('id')}_di"),
        bpmnElement=flow.get("id", ""),
    )
    for x, y in ((start[0] + start[2], start[1] + start[3] / 2), (end[0], end[1] + end[3] / 2)):
        etree.SubElement(edge, f"{{{DI_NS}}}waypoint", x=_number(x), y=_number(y))
