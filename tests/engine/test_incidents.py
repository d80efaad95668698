"""Errors in diagrams become incidents that keep the instance at the failing step; retry resumes it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import InvalidState, PermissionDenied
from engine.services.casework import tasks
from engine.services.instances import lifecycle as instances
from engine.store import queries
from engine.store.models import Incident, ProcessInstance
from tests.engine.helpers import ADMIN, ANNA, DIAGRAMS, LEA, deploy_paths, only_task


def test_failing_script_is_an_incident_and_retry_with_fixed_value_resumes(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "script_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "script_flow", {"amount": 100, "divisor": 0}, now)
    assert instance.status == "incident"
    incident = queries.open_incident(session, instance.id)
    assert incident is not None
    assert (incident.element_id, incident.element_name) == ("compute_refund", "Compute refund")
    assert "division by zero" in incident.message
    assert queries.list_tasks(session, queries.TaskFilter(instance_id=instance.id)) == []

    # Retrying without a fix fails again, visibly, and the instance is still kept.
    instances.retry_instance(session, LEA, instance.id, now + timedelta(minutes=1))
    assert instance.status == "incident"

    instances.retry_instance(session, LEA, instance.id, now + timedelta(minutes=2), data={"divisor": 4})
    assert instance.status == "running"
    assert instance.variables["refund"] == 25
    assert only_task(session, instance.id).element_id == "check_refund"
    resolved = session.scalars(select(Incident).where(Incident.instance_id == instance.id)).all()
    assert [i.resolved_at is not None for i in resolved] == [True]
    assert resolved[0].resolved_by == "lea"


def test_missing_variable_is_an_incident_with_a_hint(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "script_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "script_flow", {"amount": 100}, now)
    incident = queries.open_incident(session, instance.id)
    assert incident is not None and incident.element_id == "compute_refund"
    assert "divisor" in incident.message


def test_gateway_without_matching_condition_is_an_incident(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "gateway_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "gateway_flow", {"channel": "fax", "urgent": False}, now)
    incident = queries.open_incident(session, instance.id)
    assert instance.status == "incident"
    assert incident is not None and incident.element_id == "route_by_channel"
    instances.retry_instance(session, ADMIN, instance.id, now, data={"channel": "email"})
    assert only_task(session, instance.id).element_id == "answer_email"


def test_bad_expression_in_condition_is_an_incident(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "gateway_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "gateway_flow", {}, now)
    incident = queries.open_incident(session, instance.id)
    assert incident is not None and incident.element_id == "route_by_channel"
    assert "channel" in incident.message


def test_import_in_a_diagram_script_fails_as_an_incident(session: Session, now: datetime) -> None:
    marker = Path("/tmp/complaintflow-pwned")
    marker.unlink(missing_ok=True)
    deploy_paths(session, now, DIAGRAMS / "unsafe_script.bpmn")
    instance = instances.start_instance(session, ADMIN, "unsafe_script", {}, now)
    incident = queries.open_incident(session, instance.id)
    assert instance.status == "incident"
    assert incident is not None and incident.element_id == "run_shell"
    assert "__import__" in incident.message
    assert not marker.exists()


def test_retry_needs_an_incident_and_a_supervising_role(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "script_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "script_flow", {"amount": 1, "divisor": 1}, now)
    with pytest.raises(InvalidState, match="has no incident"):
        instances.retry_instance(session, ADMIN, instance.id, now)
    broken = instances.start_instance(session, ADMIN, "script_flow", {"amount": 1, "divisor": 0}, now)
    with pytest.raises(PermissionDenied):
        instances.retry_instance(session, ANNA, broken.id, now)


def test_incident_after_a_human_task_keeps_the_completed_work(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "script_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "script_flow", {"amount": 10, "divisor": 5}, now)
    task = only_task(session, instance.id)
    tasks.complete_task(session, ANNA, task.id, {"ok": True}, now)
    assert session.get(ProcessInstance, instance.id).status == "completed"  # type: ignore[union-attr]
    assert Actor("x").supervises is False
