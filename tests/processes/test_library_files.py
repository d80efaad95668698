"""Every shipped file deploys through the upload path and carries complete, readable diagram information."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy.orm import Session

from engine.services.designer import deployment
from processes import MAIN_PROCESS, PROCESS_DIR, process_files
from tests.processes.support import ADMIN

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
NS = {
    "bpmn": BPMN,
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "camunda": CAMUNDA,
    "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "dmndi": "https://www.omg.org/spec/DMN/20191111/DMNDI/",
    "dmndc": "http://www.omg.org/spec/DMN/20180521/DC/",
}
FLOW_NODES = {
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "userTask",
    "serviceTask",
    "scriptTask",
    "businessRuleTask",
    "manualTask",
    "sendTask",
    "receiveTask",
    "task",
    "callActivity",
    "subProcess",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
}
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
BPMN_FILES = [path for path in process_files() if path.suffix == ".bpmn"]
DMN_FILES = [path for path in process_files() if path.suffix == ".dmn"]
README = (PROCESS_DIR / "README.md").read_text(encoding="utf-8")


def _root(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def _bounds(shape: etree._Element) -> tuple[float, float, float, float]:
    bounds = shape.find("dc:Bounds", NS)
    return tuple(float(bounds.get(key)) for key in ("x", "y", "width", "height"))  # type: ignore[return-value]


def _on_border(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    x, y = point
    left, top, width, height = box
    inside_x, inside_y = left - 1 <= x <= left + width + 1, top - 1 <= y <= top + height + 1
    on_vertical = abs(x - left) <= 1 or abs(x - left - width) <= 1
    on_horizontal = abs(y - top) <= 1 or abs(y - top - height) <= 1
    # Diamonds and circles touch their box in the middle of a side; rectangles anywhere on it.
    return inside_x and inside_y and (on_vertical or on_horizontal)


def test_the_library_deploys_through_the_upload_path(session: Session, now: datetime) -> None:
    uploads = [deployment.decode_upload(path.name, path.read_bytes()) for path in process_files()]
    results = deployment.deploy(session, ADMIN, uploads, now)
    assert {result.process_key: result.created for result in results} == {
        "complaint_handling": True,
        "complaint_case_work": True,
        "department_handover": True,
    }
    main = next(result for result in results if result.process_key == MAIN_PROCESS)
    assert main.name == "Complaint handling"
    # Deploying the same files again keeps every version.
    again = deployment.deploy(session, ADMIN, uploads, now)
    assert {(r.process_key, r.version, r.created) for r in again} == {(r.process_key, 1, False) for r in results}


def test_process_files_lists_three_processes_and_four_decisions() -> None:
    assert [path.name for path in process_files()] == [
        "complaint_case_work.bpmn",
        "complaint_classification.dmn",
        "complaint_handling.bpmn",
        "complaint_settings.dmn",
        "department_handover.bpmn",
        "regulation_packs.dmn",
        "sla_targets.dmn",
    ]


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_every_flow_node_lane_and_flow_is_drawn(path: Path) -> None:
    root = _root(path)
    shapes = {shape.get("bpmnElement"): shape for shape in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {edge.get("bpmnElement"): edge for edge in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    process = root.find("bpmn:process", NS)
    nodes = [el for el in process if etree.QName(el).localname in FLOW_NODES]
    assert nodes
    for node in nodes:
        assert node.get("id") in shapes, f"{path.name}: no shape for {node.get('id')}"
    lanes = process.findall("bpmn:laneSet/bpmn:lane", NS)
    assert len(lanes) >= 2
    for lane in lanes:
        assert lane.get("id") in shapes, f"{path.name}: no shape for lane {lane.get('id')}"
    # Every node sits in exactly one lane, and inside its lane's shape.
    lane_of = {ref.text: lane for lane in lanes for ref in lane.findall("bpmn:flowNodeRef", NS)}
    assert sorted(lane_of) == sorted(node.get("id") for node in nodes)
    for node in nodes:
        lx, ly, lw, lh = _bounds(shapes[lane_of[node.get("id")].get("id")])
        x, y, w, h = _bounds(shapes[node.get("id")])
        assert lx <= x and x + w <= lx + lw and ly <= y + h / 2 <= ly + lh, f"{node.get('id')} outside its lane"
    participant = root.find("bpmn:collaboration/bpmn:participant", NS)
    assert participant.get("id") in shapes and participant.get("processRef") == process.get("id")

    for flow in process.iterfind("bpmn:sequenceFlow", NS):
        edge = edges.get(flow.get("id"))
        assert edge is not None, f"{path.name}: no edge for {flow.get('id')}"
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.iterfind("di:waypoint", NS)]
        assert len(points) >= 2
        # Orthogonal routing, attached to both ends.
        for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
            assert ax == bx or ay == by, f"{flow.get('id')}: diagonal segment"
        assert _on_border(points[0], _bounds(shapes[flow.get("sourceRef")])), f"{flow.get('id')}: loose start"
        assert _on_border(points[-1], _bounds(shapes[flow.get("targetRef")])), f"{flow.get('id')}: loose end"


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_ids_are_snake_case_and_every_user_task_has_a_form(path: Path) -> None:
    root = _root(path)
    process = root.find("bpmn:process", NS)
    for element in process.iter():
        if isinstance(element.tag, str) and element.get("id"):
            assert SNAKE.match(element.get("id")), element.get("id")
    for task in process.iterfind("bpmn:userTask", NS):
        fields = task.findall("bpmn:extensionElements/camunda:formData/camunda:formField", NS)
        assert fields, f"{task.get('id')} has no form"
        assert task.get(f"{{{CAMUNDA}}}candidateGroups"), f"{task.get('id')} names no group"
        for field in fields:
            assert SNAKE.match(field.get("id")) and field.get("label"), field.get("id")
        assert task.find("bpmn:documentation", NS) is not None


@pytest.mark.parametrize("path", DMN_FILES, ids=lambda p: p.name)
def test_each_decision_file_holds_one_drawn_table_ending_in_a_catch_all_or_collecting(path: Path) -> None:
    root = _root(path)
    decisions = root.findall("dmn:decision", NS)
    assert len(decisions) == 1
    decision = decisions[0]
    shapes = {shape.get("dmnElementRef") for shape in root.iterfind(".//dmndi:DMNShape", NS)}
    assert decision.get("id") in shapes
    table = decision.find("dmn:decisionTable", NS)
    if table.get("hitPolicy") == "COLLECT":
        # Collecting tables (the regulation packs) add what matches; a catch-all would apply to every complaint.
        assert table.findall("dmn:rule", NS)
        return
    assert table.get("hitPolicy") == "FIRST"
    last = table.findall("dmn:rule", NS)[-1]
    assert [entry.findtext("dmn:text", namespaces=NS) for entry in last.findall("dmn:inputEntry", NS)] == (
        ["-"] * len(table.findall("dmn:input", NS))
    )


def _documented_names() -> set[str]:
    names: set[str] = set()
    for path in BPMN_FILES:
        root = _root(path)
        names |= {message.get("name") for message in root.iterfind("bpmn:message", NS)}
        process = root.find("bpmn:process", NS)
        names.add(process.get("id"))
        for element in process.iter():
            if not isinstance(element.tag, str):
                continue
            tag = etree.QName(element).localname
            if tag in FLOW_NODES and element.get("name") or tag == "lane":
                names.add(element.get("id"))
            if tag == "formField":
                names.add(element.get("id"))
            if tag == "value":
                names.add(element.get("id"))
            for attribute in ("topic", "decisionRef"):
                if element.get(f"{{{CAMUNDA}}}{attribute}"):
                    names.add(element.get(f"{{{CAMUNDA}}}{attribute}"))
            if tag == "property" and element.get("name") == "template":
                names.add(element.get("value"))
    for path in DMN_FILES:
        root = _root(path)
        names |= {output.get("name") for output in root.iterfind(".//dmn:output", NS)}
        names |= {rule.get("id").removeprefix("rule_") for rule in root.iterfind(".//dmn:rule", NS)}
    return names


def test_the_readme_documents_every_lane_element_field_message_topic_and_decision() -> None:
    missing = sorted(name for name in _documented_names() if f"`{name}`" not in README)
    assert missing == []
