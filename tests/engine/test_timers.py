"""Timer rows and firing with an injected clock: due times, reminders, escalation, exactly-once."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.errors import Conflict
from engine.services.casework import tasks
from engine.services.instances import lifecycle as instances
from engine.services.instances import timers
from engine.store.models import PendingTimerRow, ProcessInstance
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import ADMIN, ANNA, DIAGRAMS, deploy_paths, only_task, open_tasks

DATA = {"reminder_after": "PT1H", "escalation_after": "PT4H"}


def _timers(session: Session, instance_id: int) -> dict[str, PendingTimerRow]:
    rows = session.scalars(select(PendingTimerRow).where(PendingTimerRow.instance_id == instance_id))
    return {row.element_id: row for row in rows}


def test_due_times_come_from_variables_and_the_injected_clock(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "timer_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "timer_flow", DATA, now)
    rows = _timers(session, instance.id)
    assert {key: (row.status, row.due_at, row.interrupting) for key, row in rows.items()} == {
        "remind_agent": ("pending", now + timedelta(hours=1), False),
        "escalate": ("pending", now + timedelta(hours=4), True),
    }


def test_reminder_then_escalation(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "timer_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "timer_flow", DATA, now)
    assert timers.fire_due_timers(session, now + timedelta(minutes=59)) == 0

    assert timers.fire_due_timers(session, now + timedelta(hours=1, seconds=1)) == 1
    assert [t.element_id for t in open_tasks(session, instance.id)] == ["answer_customer"]
    assert _timers(session, instance.id)["remind_agent"].status == "fired"

    assert timers.fire_due_timers(session, now + timedelta(hours=4, seconds=1)) == 1
    assert only_task(session, instance.id).element_id == "handle_escalation"
    rows = _timers(session, instance.id)
    assert rows["escalate"].status == "fired"
    assert rows["escalate"].fired_at == now + timedelta(hours=4, seconds=1)
    assert session.get(ProcessInstance, instance.id).status == "running"  # type: ignore[union-attr]


def test_completing_the_task_cancels_its_timers(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "timer_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "timer_flow", DATA, now)
    tasks.complete_task(session, ANNA, only_task(session, instance.id).id, {}, now + timedelta(minutes=30))
    assert {row.status for row in _timers(session, instance.id).values()} == {"cancelled"}
    assert timers.fire_due_timers(session, now + timedelta(days=1)) == 0
    assert session.get(ProcessInstance, instance.id).status == "completed"  # type: ignore[union-attr]


def test_a_late_submission_does_not_cancel_a_due_escalation(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "timer_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "timer_flow", DATA, now)
    task = only_task(session, instance.id)
    with pytest.raises(Conflict, match="closed by its deadline"):
        tasks.complete_task(session, ANNA, task.id, {}, now + timedelta(hours=5))
    assert only_task(session, instance.id).element_id == "handle_escalation"


def test_two_schedulers_fire_a_timer_once(database: DatabaseUnderTest, now: datetime) -> None:
    with database.session() as session:
        deploy_paths(session, now, DIAGRAMS / "timer_flow.bpmn")
        instance_id = instances.start_instance(session, ADMIN, "timer_flow", DATA, now).id
        timer_id = _timers(session, instance_id)["escalate"].id

    barrier = threading.Barrier(2)
    results: list[bool | str] = []

    def fire() -> None:
        with database.session() as session:
            barrier.wait(timeout=10)
            try:
                results.append(timers.fire_timer(session, timer_id, now + timedelta(hours=5)))
            except Exception as error:  # noqa: BLE001 - a Conflict is an acceptable loss, recorded
                results.append(type(error).__name__)

    threads = [threading.Thread(target=fire) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results.count(True) == 1, results
    with database.session() as session:
        escalations = [t for t in open_tasks(session, instance_id) if t.element_id == "handle_escalation"]
        assert len(escalations) == 1


def test_a_timer_is_claimed_only_when_due_and_only_once(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "timer_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "timer_flow", DATA, now)
    assert not timers.fire_timer(session, _timers(session, instance.id)["remind_agent"].id, now + timedelta(minutes=59))
    session.expire_all()
    reminder = _timers(session, instance.id)["remind_agent"]
    assert reminder.status == "pending"
    later = now + timedelta(hours=1, seconds=1)
    assert timers.fire_timer(session, reminder.id, later)
    # The row object this session already held is updated by the claim, not left stale ("pending").
    assert (reminder.status, reminder.fired_at) == ("fired", later)
    assert not timers.fire_timer(session, reminder.id, later + timedelta(seconds=1))
    assert not timers.fire_timer(session, "no-such-timer", later)
    session.expire_all()
    assert _timers(session, instance.id)["remind_agent"].status == "fired"
    assert [t.element_id for t in open_tasks(session, instance.id)] == ["answer_customer"]
