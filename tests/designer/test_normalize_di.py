"""Every element the normaliser adds gets diagram information, so bpmn-js draws it and its flows.

Issue 13: an inserted parallel gateway (an implicit split made explicit) had no shape, and bpmn-js
dropped the flows around it from the version's diagram.
"""

from __future__ import annotations

from lxml import etree

from engine.bpmn.bpmn_xml import BPMNDI_NS, DC_NS, DI_NS, load_xml
from engine.bpmn.normalize.pipeline import normalize_resources
from engine.bpmn.resources import Resource
from tests.designer.helpers import diagram
from tests.designer.web_support import with_layout

AGENT = 'camunda:candidateGroups="agent"'
SPLIT = (
    f'<startEvent id="start"/><userTask id="s1" {AGENT}/><userTask id="s2" {AGENT}/><userTask id="s3" {AGENT}/>'
    '<endEvent id="end"/>'
    '<sequenceFlow id="f0" sourceRef="start" targetRef="s1"/><sequenceFlow id="f1" sourceRef="s1" targetRef="s2"/>'
    '<sequenceFlow id="f2" sourceRef="s1" targetRef="s3"/><sequenceFlow id="f3" sourceRef="s2" targetRef="end"/>'
    '<sequenceFlow id="f4" sourceRef="s3" targetRef="end"/>'
)


def _normalized(text: str) -> etree._Element:
    [item] = normalize_resources([Resource("split.bpmn", text)])
    assert item.root is not None
    return load_xml(item.resource.content)


def _di(root: etree._Element) -> tuple[dict[str, etree._Element], dict[str, etree._Element]]:
    shapes = {s.get("bpmnElement"): s for s in root.iter(f"{{{BPMNDI_NS}}}BPMNShape")}
    edges = {e.get("bpmnElement"): e for e in root.iter(f"{{{BPMNDI_NS}}}BPMNEdge")}
    return shapes, edges  # type: ignore[return-value]


def test_inserted_split_gateway_gets_a_shape_and_its_flow_an_edge() -> None:
    text = with_layout(diagram(SPLIT), ["start", "s1", "s2", "end", "s3"], flows=5)
    root = _normalized(text)
    gateways = [g for g in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}parallelGateway")]
    assert len(gateways) == 1, "the implicit split became a gateway"
    gateway_id = gateways[0].get("id")
    shapes, edges = _di(root)
    bounds = shapes[gateway_id].find(f"{{{DC_NS}}}Bounds")
    assert bounds is not None and (bounds.get("width"), bounds.get("height")) == ("50", "50")
    # Between s1 (x 150..250) and s2 (x 300..400), vertically centred on s1 (y 50..130): nothing overlaps.
    assert (float(bounds.get("x", "0")), float(bounds.get("y", "0"))) == (250.0, 65.0)
    flows = {f.get("id") for f in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}sequenceFlow")}
    assert flows <= set(edges), flows - set(edges)
    [new_flow] = [f for f in flows if f not in {"f0", "f1", "f2", "f3", "f4"}]
    points = [(p.get("x"), p.get("y")) for p in edges[new_flow].iter(f"{{{DI_NS}}}waypoint")]
    assert points == [("250", "90"), (bounds.get("x"), "90")]
    # The shape sits in the same plane as the rest of the drawing.
    assert shapes[gateway_id].getparent() is shapes["s1"].getparent()


def test_a_diagram_without_layout_gets_none() -> None:
    root = _normalized(diagram(SPLIT))
    assert _di(root) == ({}, {})


def test_a_file_the_normaliser_leaves_alone_keeps_its_drawing() -> None:
    text = with_layout(diagram(SPLIT.replace('<sequenceFlow id="f2" sourceRef="s1" targetRef="s3"/>', "")),
                       ["start", "s1", "s2", "end", "s3"], flows=2)  # fmt: skip
    shapes, _ = _di(_normalized(text))
    assert set(shapes) == {"start", "s1", "s2", "end", "s3"}
