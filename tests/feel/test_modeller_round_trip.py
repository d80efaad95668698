"""Files as Camunda Modeler draws them: a 3-decision DRG with a literal expression (the shape of the
modeller's own DRD fixtures: DMN 1.1 namespace, biodi bounds, an empty table, an empty literal
expression, a decision without logic) deploys; ``designer export`` gives the DMN file back with its
diagram (DMNDI) as uploaded and as run."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from lxml import etree
from sqlalchemy.orm import Session

from designer_export import api as designer_api
from engine.bpmn.resources import Resource
from engine.services.designer import deployment
from engine.services.instances import lifecycle as instances
from tests.engine.helpers import ADMIN

ROOT = Path(__file__).resolve().parents[2]
TRIP = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd" xmlns:biodi="http://bpmn.io/schema/dmn/biodi/1.0"
             id="trip_defs" name="Trip" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="season_choice" name="Which season">
    <extensionElements><biodi:bounds x="60" y="260" width="180" height="80" /></extensionElements>
    <informationRequirement><requiredInput href="#weather" /></informationRequirement>
    <decisionTable id="season_table"><output id="season_out" typeRef="string" /></decisionTable>
  </decision>
  <decision id="region_choice" name="Which region">
    <extensionElements><biodi:bounds x="360" y="250" width="180" height="80" /></extensionElements>
    <variable id="region_var" />
    <literalExpression id="region_text" />
  </decision>
  <inputData id="weather" name="Weather">
    <extensionElements><biodi:bounds x="40" y="450" width="125" height="45" /></extensionElements>
  </inputData>
  <decision id="trip" name="Go on a trip?">
    <extensionElements><biodi:bounds x="200" y="70" width="180" height="80" /></extensionElements>
    <informationRequirement><requiredDecision href="#season_choice" /></informationRequirement>
    <informationRequirement><requiredDecision href="#region_choice" /></informationRequirement>
  </decision>
</definitions>
"""
PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
             id="defs" targetNamespace="urn:t">
  <process id="trip_planning" isExecutable="true">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="decide"/>
    <businessRuleTask id="decide" camunda:decisionRef="trip" camunda:resultVariable="go"
                      camunda:mapDecisionResult="singleEntry"/>
    <sequenceFlow id="f2" sourceRef="decide" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>
"""


def test_the_modellers_three_decision_drg_deploys_alone_and_with_a_process(session: Session, now: datetime) -> None:
    alone = deployment.deploy(session, ADMIN, [Resource("trip.dmn", TRIP)], now)
    assert {(r.kind, r.process_key, r.version) for r in alone} == {
        ("decision", "season_choice", 1),
        ("decision", "region_choice", 1),
        ("decision", "trip", 1),
    }
    deployment.deploy(session, ADMIN, [Resource("trip.bpmn", PROCESS), Resource("trip.dmn", TRIP)], now)
    instance = instances.start_instance(session, ADMIN, "trip_planning", {"Weather": "sunny"}, now)
    # A decision without logic has no value: null, as in Camunda 7.
    assert instance.status == "completed" and instance.variables["go"] is None


def _dmndi(content: bytes) -> list[tuple[str, dict[str, str]]]:
    root = etree.fromstring(content)
    return [
        (etree.QName(node).localname, dict(node.attrib))
        for node in root.iter()
        if isinstance(node.tag, str) and "DMNDI" in etree.QName(node).namespace
    ]


def test_designer_export_keeps_the_dmn_diagram(session: Session, now: datetime) -> None:
    # ``complaintflow designer export`` writes what ``download`` returns (as uploaded, or as run).
    table = ROOT / "examples" / "complaint_priority.dmn"
    assert _dmndi(table.read_bytes()), "the example table lost its diagram"
    process = (ROOT / "examples" / "complaint_basic.bpmn").read_text(encoding="utf-8")
    resources = [Resource("complaint_basic.bpmn", process), Resource(table.name, table.read_text(encoding="utf-8"))]
    deployment.deploy(session, ADMIN, resources, now)
    uploaded = dict(designer_api.download(session, "complaint_basic", 1))
    run = dict(designer_api.download(session, "complaint_basic", 1, as_uploaded=False))
    assert uploaded[table.name] == table.read_text(encoding="utf-8")
    assert _dmndi(run[table.name].encode()) == _dmndi(table.read_bytes())
