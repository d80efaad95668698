"""Call activities bind to the called process's version when they start (Camunda's calledElementBinding).

A new version of a called process reaches callers from their next call on (``latest``, the default); a call
that started keeps its version through saves and restores; ``deployment``, ``version`` and ``versionTag``
bindings are honoured; a called process that is not deployed when the call starts is an incident.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bpmn.resources import Resource
from engine.domain.errors import InvalidState
from engine.runtime.calls import CallBinding, binding_of
from engine.services.casework import tasks
from engine.services.designer import deployment, removal
from engine.services.instances import lifecycle as instances
from engine.services.instances import signals
from engine.services.instances.run_cache import RUN_CACHE
from engine.store.models import Incident, ProcessDefinition, ProcessInstance
from tests.engine.helpers import ADMIN, ANNA, only_task, open_tasks

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_{pid}" targetNamespace="http://example.org/t">'
)


def caller(binding: str = "") -> Resource:
    """``caller``: call ``called``, then a user task ``after`` in the caller itself."""
    xml = (
        HEAD.format(pid="caller")
        + f"""
  <bpmn:process id="caller" name="Caller" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:callActivity id="call_it" name="Call it" calledElement="called" {binding}/>
    <bpmn:userTask id="after" name="After the call" camunda:candidateGroups="agent"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call_it"/>
    <bpmn:sequenceFlow id="f2" sourceRef="call_it" targetRef="after"/>
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""
    )
    return Resource("caller.bpmn", xml)


def called(label: str, tag: str = "") -> Resource:
    """``called``: one user task whose name tells the version apart."""
    version_tag = f' camunda:versionTag="{tag}"' if tag else ""
    xml = (
        HEAD.format(pid="called")
        + f"""
  <bpmn:process id="called" name="Called" isExecutable="true"{version_tag}>
    <bpmn:startEvent id="c_start"/>
    <bpmn:userTask id="work" name="Work {label}" camunda:candidateGroups="agent"/>
    <bpmn:endEvent id="c_end"/>
    <bpmn:sequenceFlow id="c1" sourceRef="c_start" targetRef="work"/>
    <bpmn:sequenceFlow id="c2" sourceRef="work" targetRef="c_end"/>
  </bpmn:process>
</bpmn:definitions>"""
    )
    return Resource("called.bpmn", xml)


def start(session: Session, now: datetime) -> ProcessInstance:
    return instances.start_instance(session, ADMIN, "caller", {"complaint_id": "C-1"}, now)


def finish(session: Session, instance: ProcessInstance, now: datetime) -> None:
    """Complete the called task and the caller's task after it: the instance ends."""
    tasks.complete_task(session, ANNA, only_task(session, instance.id).id, {}, now)
    assert only_task(session, instance.id).element_id == "after"
    tasks.complete_task(session, ANNA, only_task(session, instance.id).id, {}, now)
    session.refresh(instance)
    assert instance.status == "completed"


def test_a_new_called_version_reaches_callers_from_the_next_call_on(session: Session, now: datetime) -> None:
    deployment.deploy(session, ADMIN, [caller(), called("v1")], now)
    first = start(session, now)
    assert only_task(session, first.id).title == "Work v1"

    [result] = deployment.deploy(session, ADMIN, [called("v2")], now + timedelta(minutes=1))
    assert (result.process_key, result.version) == ("called", 2)
    count = select(func.count()).select_from(ProcessDefinition).where(ProcessDefinition.process_key == "caller")
    assert session.scalar(count) == 1  # the caller is not redeployed: it binds when the call starts
    second = start(session, now + timedelta(minutes=2))
    assert only_task(session, second.id).title == "Work v2"

    # The first call keeps v1, also restored from its stored state rather than from the run cache.
    RUN_CACHE.clear()
    assert only_task(session, first.id).title == "Work v1"
    finish(session, first, now + timedelta(minutes=3))
    finish(session, second, now + timedelta(minutes=4))


def test_a_called_version_an_instance_runs_in_cannot_be_deleted(session: Session, now: datetime) -> None:
    deployment.deploy(session, ADMIN, [caller(), called("v1")], now)
    start(session, now)
    deployment.deploy(session, ADMIN, [called("v2")], now)
    first_called = session.scalars(select(ProcessDefinition).where(ProcessDefinition.process_key == "called")).first()
    assert first_called is not None and first_called.version == 1
    with pytest.raises(InvalidState, match="version 1 of 'called' runs in called process instances"):
        removal.delete_versions(session, ADMIN, [first_called.id], now)


def test_deployment_binding_keeps_the_version_deployed_with_the_caller(session: Session, now: datetime) -> None:
    deployment.deploy(session, ADMIN, [caller('camunda:calledElementBinding="deployment"'), called("v1")], now)
    deployment.deploy(session, ADMIN, [called("v2")], now)
    assert only_task(session, start(session, now).id).title == "Work v1"


def test_version_binding_runs_that_version(session: Session, now: datetime) -> None:
    deployment.deploy(session, ADMIN, [called("v1")], now)
    deployment.deploy(session, ADMIN, [called("v2")], now)
    binding = 'camunda:calledElementBinding="version" camunda:calledElementVersion="1"'
    deployment.deploy(session, ADMIN, [caller(binding)], now)
    deployment.deploy(session, ADMIN, [called("v3")], now)
    instance = start(session, now)
    assert only_task(session, instance.id).title == "Work v1"
    finish(session, instance, now)


def test_version_tag_binding_runs_the_newest_version_with_that_tag(session: Session, now: datetime) -> None:
    deployment.deploy(session, ADMIN, [called("v1", tag="1.0")], now)
    deployment.deploy(session, ADMIN, [called("v2", tag="2.0")], now)
    deployment.deploy(session, ADMIN, [called("v3", tag="1.0")], now)
    deployment.deploy(session, ADMIN, [called("v4")], now)
    binding = 'camunda:calledElementBinding="versionTag" camunda:calledElementVersionTag="1.0"'
    deployment.deploy(session, ADMIN, [caller(binding)], now)
    assert only_task(session, start(session, now).id).title == "Work v3"


def _incident(session: Session, instance: ProcessInstance) -> Incident:
    session.refresh(instance)
    assert instance.status == "incident"
    found = session.scalars(select(Incident).where(Incident.instance_id == instance.id)).first()
    assert found is not None
    return found


def test_a_called_process_missing_at_call_time_is_an_incident_at_the_call(session: Session, now: datetime) -> None:
    deployment.deploy(session, ADMIN, [caller(), called("v1")], now)
    called_rows = session.scalars(select(ProcessDefinition.id).where(ProcessDefinition.process_key == "called"))
    removal.delete_versions(session, ADMIN, list(called_rows), now)  # nothing ran in it yet
    instance = start(session, now)
    incident = _incident(session, instance)
    assert incident.element_id == "call_it"
    assert "the called process 'called' is not deployed" in incident.message

    # Deployed again, a retry makes the call: it binds to the version deployed now.
    deployment.deploy(session, ADMIN, [called("v2")], now)
    instances.retry_instance(session, ADMIN, instance.id, now)
    assert only_task(session, instance.id).title == "Work v2"
    finish(session, instance, now)


def test_a_bound_version_missing_at_call_time_is_an_incident(session: Session, now: datetime) -> None:
    binding = 'camunda:calledElementBinding="version" camunda:calledElementVersion="3"'
    deployment.deploy(session, ADMIN, [caller(binding), called("v1")], now)
    incident = _incident(session, start(session, now))
    assert incident.element_id == "call_it"
    assert "version 3 of the called process 'called' is not deployed" in incident.message


@pytest.mark.parametrize(
    ("attributes", "extension", "expected"),
    [
        ("", "", CallBinding("latest")),
        ('camunda:calledElementBinding="deployment"', "", CallBinding("deployment")),
        ('camunda:calledElementBinding="version" camunda:calledElementVersion="4"', "", CallBinding("version", "4")),
        ("", '<zeebe:calledElement processId="x" bindingType="deployment"/>', CallBinding("deployment")),
        (
            "",
            '<zeebe:calledElement processId="x" bindingType="versionTag" versionTag="v7"/>',
            CallBinding("versionTag", "v7"),
        ),
        ("", '<zeebe:calledElement processId="x"/>', CallBinding("latest")),
    ],
)
def test_bindings_are_read_from_camunda_7_and_camunda_8_attributes(
    attributes: str, extension: str, expected: CallBinding
) -> None:
    node = etree.fromstring(
        '<bpmn:callActivity xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"'
        f' id="c" calledElement="x" {attributes}><bpmn:extensionElements>{extension}</bpmn:extensionElements>'
        "</bpmn:callActivity>"
    )
    assert binding_of(node) == expected


C8_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0"'
    ' id="d_{pid}" targetNamespace="http://example.org/t" modeler:executionPlatform="Camunda Cloud">'
)


def c8_called(label: str, tag: str) -> Resource:
    xml = (
        C8_HEAD.format(pid="called")
        + f"""
  <bpmn:process id="called" name="Called" isExecutable="true">
    <bpmn:extensionElements><zeebe:versionTag value="{tag}"/></bpmn:extensionElements>
    <bpmn:startEvent id="c_start"/>
    <bpmn:userTask id="work" name="Work {label}">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="agent"/></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="c_end"/>
    <bpmn:sequenceFlow id="c1" sourceRef="c_start" targetRef="work"/>
    <bpmn:sequenceFlow id="c2" sourceRef="work" targetRef="c_end"/>
  </bpmn:process>
</bpmn:definitions>"""
    )
    return Resource("called.bpmn", xml)


def c8_caller(binding: str) -> Resource:
    xml = (
        C8_HEAD.format(pid="caller")
        + f"""
  <bpmn:process id="caller" name="Caller" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:callActivity id="call_it" name="Call it">
      <bpmn:extensionElements><zeebe:calledElement processId="called" {binding}/></bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:userTask id="after" name="After the call">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="agent"/></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call_it"/>
    <bpmn:sequenceFlow id="f2" sourceRef="call_it" targetRef="after"/>
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""
    )
    return Resource("caller.bpmn", xml)


def test_camunda_8_binding_types(session: Session, now: datetime) -> None:
    deployment.deploy(session, ADMIN, [c8_called("v1", "1.0")], now)
    deployment.deploy(session, ADMIN, [c8_called("v2", "2.0")], now)
    deployment.deploy(session, ADMIN, [c8_caller('bindingType="versionTag" versionTag="1.0"')], now)
    instance = start(session, now)
    assert only_task(session, instance.id).title == "Work v1"
    finish(session, instance, now)

    deployment.deploy(session, ADMIN, [c8_caller(""), c8_called("v3", "3.0")], now)  # latest (the default)
    deployment.deploy(session, ADMIN, [c8_called("v4", "4.0")], now)
    assert only_task(session, start(session, now).id).title == "Work v4"
    deployment.deploy(session, ADMIN, [c8_caller('bindingType="deployment"'), c8_called("v5", "5.0")], now)
    deployment.deploy(session, ADMIN, [c8_called("v6", "6.0")], now)
    assert only_task(session, start(session, now).id).title == "Work v5"


def test_a_signal_reaches_a_catch_event_only_the_called_version_has(session: Session, now: datetime) -> None:
    deployment.deploy(session, ADMIN, [caller(), called("v1")], now)
    waits = (
        called("v2")
        .content.replace(
            '<bpmn:sequenceFlow id="c1" sourceRef="c_start" targetRef="work"/>',
            '<bpmn:intermediateCatchEvent id="go"><bpmn:signalEventDefinition signalRef="sig_go"/>'
            "</bpmn:intermediateCatchEvent>"
            '<bpmn:sequenceFlow id="c1" sourceRef="c_start" targetRef="go"/>'
            '<bpmn:sequenceFlow id="c0" sourceRef="go" targetRef="work"/>',
        )
        .replace("</bpmn:process>", '</bpmn:process><bpmn:signal id="sig_go" name="go"/>')
    )
    deployment.deploy(session, ADMIN, [Resource("called.bpmn", waits)], now)
    instance = start(session, now)
    assert not open_tasks(session, instance.id)
    assert signals.broadcast_signal(session, ADMIN, "go", now) == [instance.id]
    assert only_task(session, instance.id).title == "Work v2"
