"""External tasks in the engine: rows, locking, expiry, retries, incidents and BPMN errors (both databases)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import InvalidState, NotFound, PermissionDenied
from engine.services.external_tasks import locking, outcomes
from engine.services.external_tasks.locking import TopicRequest
from engine.services.instances import control as instance_control
from engine.services.instances import lifecycle as instances
from engine.store import queries
from engine.store.external_tasks import ExternalTask
from tests.engine.helpers import ADMIN, ANNA, deploy_paths, only_task

DIAGRAMS = Path(__file__).resolve().parent / "diagrams"
WORKER = Actor("worker", groups=frozenset({"external_workers"}))
CHARGE = [TopicRequest("charge", 60_000)]


def _start(session: Session, now: datetime, **data: object) -> int:
    deploy_paths(session, now, DIAGRAMS / "external_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "external_flow", {"prio": 7, "amount": 30, **data}, now)
    return instance.id


def _rows(session: Session) -> list[ExternalTask]:
    return list(session.scalars(select(ExternalTask).order_by(ExternalTask.created_at)))


def test_external_step_waits_as_a_row_and_completes(session: Session, now: datetime) -> None:
    instance_id = _start(session, now)
    [row] = _rows(session)
    assert (row.topic, row.status, row.priority, row.retries, row.worker_id) == ("charge", "open", 7, None, None)
    assert row.variables["amount"] == 30 and row.process_key == "external_flow"
    assert instances.get_instance(session, instance_id).status == "waiting"

    [(locked, _)] = locking.fetch_and_lock(session, WORKER, "w1", CHARGE, 5, now)
    assert locked.id == row.id and locked.worker_id == "w1"
    assert locked.lock_expires_at == now + timedelta(minutes=1)
    # Locked: nobody else gets it.
    assert locking.fetch_and_lock(session, WORKER, "w2", CHARGE, 5, now) == []

    outcomes.complete(session, WORKER, row.id, "w1", {"charged": True}, now)
    assert row.status == "completed"
    task = only_task(session, instance_id)
    assert task.element_id == "confirm"
    assert instances.get_instance(session, instance_id).variables["charged"] is True


def test_expired_lock_is_fetchable_again_and_the_first_worker_is_refused(session: Session, now: datetime) -> None:
    _start(session, now)
    [(row, _)] = locking.fetch_and_lock(session, WORKER, "w1", CHARGE, 1, now)
    later = now + timedelta(minutes=2)
    [(again, _)] = locking.fetch_and_lock(session, WORKER, "w2", CHARGE, 1, later)
    assert again.id == row.id and again.worker_id == "w2"
    with pytest.raises(InvalidState, match="locked by worker 'w2'"):
        outcomes.complete(session, WORKER, row.id, "w1", {}, later)
    with pytest.raises(InvalidState):
        locking.extend_lock(session, WORKER, row.id, "w1", 1000, later)
    locking.extend_lock(session, WORKER, row.id, "w2", 300_000, later)
    assert session.get(ExternalTask, row.id).lock_expires_at == later + timedelta(minutes=5)  # type: ignore[union-attr]
    locking.unlock(session, WORKER, row.id, later)
    [(third, _)] = locking.fetch_and_lock(session, WORKER, "w3", CHARGE, 1, later)
    assert third.worker_id == "w3"


def test_failures_count_down_to_an_incident_and_a_retry_opens_the_task_again(session: Session, now: datetime) -> None:
    instance_id = _start(session, now)
    [(row, _)] = locking.fetch_and_lock(session, WORKER, "w1", CHARGE, 1, now)
    outcomes.failure(session, WORKER, row.id, "w1", now, error_message="gateway down", retries=1, retry_timeout_ms=5000)
    assert (row.status, row.retries, row.error_message) == ("open", 1, "gateway down")
    assert locking.fetch_and_lock(session, WORKER, "w1", CHARGE, 1, now + timedelta(seconds=4)) == []
    [(row, _)] = locking.fetch_and_lock(session, WORKER, "w1", CHARGE, 1, now + timedelta(seconds=5))
    outcomes.failure(session, WORKER, row.id, "w1", now, error_message="still down", retries=0)
    assert row.status == "incident"
    incident = queries.open_incident(session, instance_id)
    assert incident is not None and incident.element_id == "charge" and incident.message == "still down"
    assert instances.get_instance(session, instance_id).status == "incident"
    assert locking.fetch_and_lock(session, WORKER, "w1", CHARGE, 1, now + timedelta(minutes=1)) == []

    outcomes.set_retries(session, ADMIN, row.id, 2, now)
    assert (row.status, row.retries) == ("open", 2)
    assert queries.open_incident(session, instance_id) is None
    [(again, _)] = locking.fetch_and_lock(session, WORKER, "w1", CHARGE, 1, now)
    assert again.id == row.id
    outcomes.complete(session, WORKER, row.id, "w1", {}, now)
    assert only_task(session, instance_id).element_id == "confirm"


def test_cockpit_retry_gives_the_task_one_more_retry(session: Session, now: datetime) -> None:
    instance_id = _start(session, now)
    [(row, _)] = locking.fetch_and_lock(session, WORKER, "w1", CHARGE, 1, now)
    outcomes.failure(session, WORKER, row.id, "w1", now, error_message="down", retries=0)
    instances.retry_instance(session, ADMIN, instance_id, now)
    assert (row.status, row.retries) == ("open", 1)
    assert len(locking.fetch_and_lock(session, WORKER, "w1", CHARGE, 1, now)) == 1


def test_bpmn_error_takes_the_boundary_event_or_becomes_an_incident(session: Session, now: datetime) -> None:
    instance_id = _start(session, now)
    [(row, _)] = locking.fetch_and_lock(session, WORKER, "w1", CHARGE, 1, now)
    outcomes.bpmn_error(session, WORKER, row.id, "w1", "card_declined", now, variables={"reason": "limit"})
    assert row.status == "completed"
    task = only_task(session, instance_id)
    assert task.element_id == "handle_declined"
    assert instances.get_instance(session, instance_id).variables["reason"] == "limit"

    other = _start(session, now)
    [(row, _)] = locking.fetch_and_lock(session, WORKER, "w1", CHARGE, 1, now)
    outcomes.bpmn_error(session, WORKER, row.id, "w1", "unknown_code", now, error_message="what now")
    assert row.status == "incident"
    incident = queries.open_incident(session, other)
    assert incident is not None and "unknown_code" in incident.message and "what now" in incident.message


def test_priority_suspension_cancellation_and_permissions(session: Session, now: datetime) -> None:
    low = _start(session, now, prio=1)
    high = _start(session, now + timedelta(seconds=1), prio=9)
    [(first, _)] = locking.fetch_and_lock(session, WORKER, "w", CHARGE, 1, now, use_priority=True)
    assert first.instance_id == high
    locking.unlock(session, WORKER, first.id, now)
    [(oldest, _)] = locking.fetch_and_lock(session, WORKER, "w", CHARGE, 1, now)
    assert oldest.instance_id == low
    locking.unlock(session, WORKER, oldest.id, now)

    instance_control.suspend_instance(session, ADMIN, low, now)
    found = locking.fetch_and_lock(session, WORKER, "w", CHARGE, 5, now)
    assert [row.instance_id for row, _ in found] == [high]
    instance_control.cancel_instance(session, ADMIN, high, "test", now)
    session.refresh(found[0][0])
    assert found[0][0].status == "cancelled"

    with pytest.raises(PermissionDenied):
        locking.fetch_and_lock(session, ANNA, "w", CHARGE, 1, now)
    with pytest.raises(NotFound):
        outcomes.complete(session, WORKER, "00000000-0000-0000-0000-000000000000", "w", {}, now)


def test_business_key_and_definition_filters(session: Session, now: datetime) -> None:
    _start(session, now, complaint_id="C-1")
    _start(session, now, complaint_id="C-2")
    found = locking.fetch_and_lock(session, WORKER, "w", [TopicRequest("charge", 1000, business_key="C-2")], 5, now)
    assert [row.business_key for row, _ in found] == ["C-2"]
    other_key = [TopicRequest("charge", 1000, definition_keys=("other",))]
    assert locking.fetch_and_lock(session, WORKER, "w", other_key, 5, now) == []
    by_variable = [TopicRequest("charge", 1000, process_variables={"complaint_id": "C-1"})]
    assert [row.business_key for row, _ in locking.fetch_and_lock(session, WORKER, "w", by_variable, 5, now)] == ["C-1"]


def test_send_rule_throw_and_end_events_as_external_tasks(session: Session, now: datetime) -> None:
    """Send tasks, business rule tasks and message throw/end events with camunda:type="external" wait too."""
    deploy_paths(session, now, DIAGRAMS / "external_kinds.bpmn")
    instance = instances.start_instance(session, ADMIN, "external_kinds", {}, now)
    seen = []
    for topic in ("k_send", "k_rule", "k_throw", "k_end"):
        [(row, _)] = locking.fetch_and_lock(session, WORKER, "w", [TopicRequest(topic, 1000)], 5, now)
        seen.append((row.element_id, row.priority))
        outcomes.complete(session, WORKER, row.id, "w", {topic: True}, now)
    assert seen == [("send", 3), ("rate", 0), ("announce", 0), ("done", 0)]
    assert instances.get_instance(session, instance.id).status == "completed"


def test_a_fetch_locks_exactly_max_tasks_best_first(session: Session, now: datetime) -> None:
    started = [_start(session, now + timedelta(seconds=second)) for second in range(4)]
    found = locking.fetch_and_lock(session, WORKER, "w", CHARGE, 2, now + timedelta(seconds=5))
    assert [row.instance_id for row, _ in found] == started[:2]
    # The database agrees: no task beyond maxTasks was locked on the way (and so hidden from other workers).
    locked = session.scalars(select(ExternalTask.instance_id).where(ExternalTask.worker_id.is_not(None))).all()
    assert sorted(locked) == started[:2]
