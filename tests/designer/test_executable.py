"""Descriptive diagrams deployed as executable, and the deploy service's side of normalisation."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from engine.bpmn.normalize.pipeline import DiagramRejected
from engine.bpmn.resources import Resource
from engine.domain.errors import DeploymentError
from engine.services.designer import deployment
from engine.services.instances import lifecycle as instances
from engine.store import queries
from engine.store.models import ProcessDefinition
from tests.designer.helpers import check, codes, complete, diagram, find, run
from tests.engine.helpers import ADMIN

LANES = (
    '<laneSet id="ls"><lane id="l1" name="Front office"><flowNodeRef>receive</flowNodeRef>'
    '<flowNodeRef>assess</flowNodeRef></lane><lane id="l2" name="Back office"><flowNodeRef>refund</flowNodeRef>'
    "<flowNodeRef>letter</flowNodeRef><flowNodeRef>archive</flowNodeRef></lane></laneSet>"
)
DESCRIPTIVE = diagram(
    LANES + '<startEvent id="start" name="Complaint received"><messageEventDefinition/></startEvent>'
    '<task id="receive" name="Register complaint"/><task id="assess" name="Assess complaint"/>'
    '<exclusiveGateway id="gw" name="Justified?"/>'
    '<serviceTask id="refund" name="Pay refund"/><sendTask id="letter" name="Send rejection letter"/>'
    '<subProcess id="archive" name="Archive case"/><endEvent id="end"/>'
    '<sequenceFlow id="f1" sourceRef="start" targetRef="receive"/>'
    '<sequenceFlow id="f2" sourceRef="receive" targetRef="assess"/>'
    '<sequenceFlow id="f3" sourceRef="assess" targetRef="gw"/>'
    '<sequenceFlow id="yes" name="Justified" sourceRef="gw" targetRef="refund"/>'
    '<sequenceFlow id="no" name="Not justified" sourceRef="gw" targetRef="letter"/>'
    '<sequenceFlow id="f4" sourceRef="refund" targetRef="archive"/>'
    '<sequenceFlow id="f5" sourceRef="letter" targetRef="archive"/>'
    '<sequenceFlow id="f6" sourceRef="archive" targetRef="end"/>',
    executable=False,
)


def test_descriptive_diagram_is_rejected_unless_asked() -> None:
    report = check(DESCRIPTIVE)
    assert report.status == "rejected" and codes(report, "error") == {"no-executable-process"}


def test_as_executable_lists_what_it_changed() -> None:
    report = check(DESCRIPTIVE, as_executable=True)
    assert report.status == "deployable_with_warnings", [d.text() for d in report.diagnostics if d.severity == "error"]
    converted = {d.element_id for d in report.diagnostics if d.code == "became-user-task"}
    assert converted == {"refund", "letter", "archive"}
    assert find(report, "decision-field").element_id == "gw"
    assert find(report, "start-made-plain").element_id == "start"
    assert "made-executable" in codes(report, "info")


def test_descriptive_diagram_runs_with_people_doing_the_steps() -> None:
    workflow = run(DESCRIPTIVE, as_executable=True)
    [receive] = workflow.human_tasks()
    assert (receive.element_id, receive.lane) == ("receive", "Front office")
    complete(workflow, "receive")
    [assess] = workflow.human_tasks()
    [field] = assess.form
    assert (field.id, field.type, field.required) == ("justified", "enum", True)
    assert [value for value, _ in field.options] == ["Justified", "Not justified"]
    complete(workflow, "assess", {"justified": "Not justified"})
    [letter] = workflow.human_tasks()
    assert (letter.element_id, letter.lane) == ("letter", "Back office")
    complete(workflow, "letter")
    complete(workflow, "archive")
    assert workflow.workflow.is_completed()


def test_what_still_blocks_execution_is_reported() -> None:
    compensation = diagram(
        '<startEvent id="start"/>'
        '<intermediateThrowEvent id="undo"><compensateEventDefinition/></intermediateThrowEvent>'
        '<sequenceFlow id="f" sourceRef="start" targetRef="undo"/>',
        executable=False,
    )
    report = check(compensation, as_executable=True)
    assert report.status == "rejected" and find(report, "compensation").element_id == "undo"


def test_deploy_stores_the_exact_upload_beside_what_runs(session: Session, now: datetime) -> None:
    [result] = deployment.deploy(session, ADMIN, [Resource("complaint.bpmn", DESCRIPTIVE)], now, as_executable=True)
    definition = session.get(ProcessDefinition, result.definition_id)
    assert definition is not None
    kinds = {r.kind: r.content for r in definition.resources}
    assert kinds["original"] == DESCRIPTIVE
    assert 'isExecutable="true"' in kinds["bpmn"] and "userTask" in kinds["bpmn"]
    assert {"became-user-task", "decision-field"} <= {d.code for d in result.diagnostics}
    instance = instances.start_instance(session, ADMIN, "p", {}, now)
    [task] = queries.list_tasks(session, queries.TaskFilter(instance_id=instance.id))
    assert (task.element_id, task.candidate_groups) == ("receive", ["front_office"])
    again = deployment.deploy(session, ADMIN, [Resource("complaint.bpmn", DESCRIPTIVE)], now, as_executable=True)
    assert not again[0].created


def test_deploy_refuses_with_every_located_problem(session: Session, now: datetime) -> None:
    with pytest.raises(DeploymentError, match="no executable process"):
        deployment.deploy(session, ADMIN, [Resource("complaint.bpmn", DESCRIPTIVE)], now)
    broken = DESCRIPTIVE.replace('isExecutable="false"', 'isExecutable="true"')
    with pytest.raises(DiagramRejected) as refused:
        deployment.deploy(session, ADMIN, [Resource("complaint.bpmn", broken)], now)
    located = {(d.code, d.element_id) for d in refused.value.diagnostics}
    assert {
        ("missing-implementation", "refund"),
        ("missing-condition", "yes"),
        ("empty-subprocess", "archive"),
    } <= located
    assert all(d.line for d in refused.value.diagnostics)
