"""Nothing completes silently: a service or send task either runs a system action, waits for a worker
(an external task, a Camunda 8 job type) or is an incident at that element.

Issue 13: Camunda's benchmark process sends "Request documents" with ``zeebe:taskDefinition
type="customer_notification"``, which completed in 0 s although no handler exists; a Camunda 7 topic
``http`` not marked external, a Java class or a connector predictably fail. Each case is named below.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from designer_export.check import check_paths
from engine.services.instances import lifecycle as instances
from engine.store import queries
from engine.store.external_tasks import ExternalTask
from engine.store.models import ProcessInstance
from tests.designer.helpers import diagram, linear
from tests.engine.helpers import ADMIN, deploy_paths, open_tasks

CHECK = '<userTask id="s2" name="Check" camunda:candidateGroups="agent"/>'
WAITS = {
    "zeebe_send_task": (
        '<sendTask id="s1" name="Request documents"><extensionElements>'
        '<zeebe:taskDefinition type="customer_notification"/></extensionElements></sendTask>',
        "customer_notification",
    ),
    "zeebe_service_task": (
        '<serviceTask id="s1" name="Pay"><extensionElements><zeebe:taskDefinition type="payment"/>'
        "</extensionElements></serviceTask>",
        "payment",
    ),
    "camunda_external_task": (
        '<serviceTask id="s1" name="Call" camunda:type="external" camunda:topic="http"/>',
        "http",
    ),
}
FAILS = {
    "topic_not_external": ('<serviceTask id="s1" name="Call" camunda:topic="http"/>', "topic 'http'"),
    "send_task_topic_not_external": ('<sendTask id="s1" name="Mail" camunda:topic="http"/>', "topic 'http'"),
    "java_class": ('<serviceTask id="s1" name="Pay" camunda:class="org.example.Pay"/>', "org.example.Pay"),
    "delegate_expression": ('<serviceTask id="s1" name="Pay" camunda:delegateExpression="${payBean}"/>', "payBean"),
    "connector": (
        '<serviceTask id="s1" name="Call"><extensionElements><camunda:connector>'
        "<camunda:connectorId>http-connector</camunda:connectorId></camunda:connector></extensionElements>"
        "</serviceTask>",
        "http-connector",
    ),
}


def _file(tmp_path: Path, name: str, task: str) -> Path:
    path = tmp_path / f"{name}.bpmn"
    path.write_text(diagram(linear(task, CHECK), process_id=name), encoding="utf-8")
    return path


def _start(session: Session, now: datetime, path: Path) -> ProcessInstance:
    deploy_paths(session, now, path)
    return instances.start_instance(session, ADMIN, path.stem, {}, now)


@pytest.mark.parametrize("name", sorted(WAITS))
def test_worker_tasks_wait_for_a_worker_and_never_complete_alone(
    session: Session, now: datetime, tmp_path: Path, name: str
) -> None:
    task, topic = WAITS[name]
    instance = _start(session, now, _file(tmp_path, name, task))
    assert instance.status == "waiting"
    rows = session.scalars(select(ExternalTask).where(ExternalTask.instance_id == instance.id)).all()
    assert [(row.element_id, row.topic) for row in rows] == [("s1", topic)]
    assert open_tasks(session, instance.id) == []  # the step after it was not reached


@pytest.mark.parametrize("name", sorted(FAILS))
def test_tasks_nobody_implements_are_incidents_at_the_element(
    session: Session, now: datetime, tmp_path: Path, name: str
) -> None:
    task, named = FAILS[name]
    instance = _start(session, now, _file(tmp_path, name, task))
    incident = queries.open_incident(session, instance.id)
    assert instance.status == "incident"
    assert incident is not None and incident.element_id == "s1"
    assert named in incident.message and "not an external task" in incident.message
    assert open_tasks(session, instance.id) == []
    assert session.scalars(select(ExternalTask).where(ExternalTask.instance_id == instance.id)).all() == []


@pytest.mark.parametrize("name", sorted(FAILS))
def test_the_check_predicts_the_incident_at_the_same_element(tmp_path: Path, name: str) -> None:
    task, named = FAILS[name]
    [report] = check_paths([str(_file(tmp_path, name, task))], known_topics={"notify"})
    predicted = [d for d in report.diagnostics if d.code in {"unknown-topic", "java-implementation"}]
    assert [d.element_id for d in predicted] == ["s1"]
    assert named in predicted[0].message and "incident" in predicted[0].message
