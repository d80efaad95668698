"""Suspend, resume, cancel and reassign (engine.services.instances.control), on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from complaintflow.cli import main
from complaintflow.context import utcnow
from engine.bpmn.resources import Resource
from engine.domain.actors import Actor
from engine.domain.errors import ComplaintflowError, Conflict, InvalidState, NotFound, PermissionDenied
from engine.domain.roles import ROLE_MANAGER
from engine.scheduler import SchedulerOptions, TimerScheduler
from engine.services.casework import tasks
from engine.services.designer import deployment, migration
from engine.services.instances import control as instance_control
from engine.services.instances import lifecycle as instances
from engine.services.instances import timers
from engine.store.complaints import Complaint
from engine.store.element_visits import ElementVisit
from engine.store.models import (
    AuditEntry,
    HeldMessage,
    HumanTask,
    MessageSubscription,
    PendingTimerRow,
    ProcessInstance,
)
from engine.store.outbox import OutboxMessage
from engine.store.tasklist import SCOPE_ALL, TaskListCriteria, list_page
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import ADMIN, ANNA, DIAGRAMS, LEA, deploy_paths, only_task, open_tasks
from tests.webui.support import Seeded

MIA = Actor("mia", roles=frozenset({ROLE_MANAGER}))
DATA = {"reminder_after": "PT1H", "escalation_after": "PT4H"}


def _timers(session: Session, instance_id: int) -> dict[str, PendingTimerRow]:
    rows = session.scalars(select(PendingTimerRow).where(PendingTimerRow.instance_id == instance_id))
    return {row.element_id: row for row in rows}


def _actions(session: Session, instance_id: int) -> list[tuple[str, str, str | None]]:
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.instance_id == instance_id).order_by(AuditEntry.id)
    ).all()
    return [(entry.action, entry.actor, entry.element_id) for entry in entries]


def _status(session: Session, instance_id: int) -> str:
    session.expire_all()
    instance = session.get(ProcessInstance, instance_id)
    assert instance is not None
    return instance.status


def test_suspend_blocks_claim_complete_and_timers(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "timer_flow.bpmn")
    instance = instances.start_instance(session, ANNA, "timer_flow", DATA, now)
    task_id = only_task(session, instance.id).id
    instance_control.suspend_instance(session, MIA, instance.id, now + timedelta(minutes=5), "customer on holiday")
    assert _status(session, instance.id) == "suspended"
    assert {row.status for row in _timers(session, instance.id).values()} == {"suspended"}
    task = session.get(HumanTask, task_id)
    assert task is not None and task.suspended and task.status == "open"

    with pytest.raises(Conflict, match="suspended"):
        tasks.claim_task(session, ANNA, task_id, now + timedelta(minutes=10))
    with pytest.raises(Conflict, match="suspended"):
        tasks.complete_task(session, ANNA, task_id, {}, now + timedelta(minutes=10))
    # Far past both due times: neither the sweep nor a direct firing touches the instance.
    later = now + timedelta(days=2)
    assert timers.fire_due_timers(session, later) == 0
    assert not timers.fire_timer(session, _timers(session, instance.id)["escalate"].id, later)
    assert timers.pending_timers(session) == []
    assert [t.element_id for t in open_tasks(session, instance.id)] == ["answer_customer"]
    # Suspending twice is refused; the task list still shows the task, marked.
    with pytest.raises(InvalidState):
        instance_control.suspend_instance(session, MIA, instance.id, later)
    rows = list_page(session, TaskListCriteria(scope=SCOPE_ALL, username="lea", groups=(), per_page=50), later)
    assert [(row.task.id, row.task.suspended) for row in rows] == [(task_id, True)]
    suspended = [a for a in _actions(session, instance.id) if a[0] == "instance_suspended"]
    assert suspended == [("instance_suspended", "mia", None)]


def test_resume_fires_an_overdue_timer_exactly_once(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "timer_flow.bpmn")
    instance = instances.start_instance(session, ANNA, "timer_flow", DATA, now)
    instance_control.suspend_instance(session, LEA, instance.id, now + timedelta(minutes=10))
    resumed_at = now + timedelta(hours=2)
    assert timers.fire_due_timers(session, resumed_at) == 0
    instance_control.resume_instance(session, LEA, instance.id, resumed_at)

    rows = _timers(session, instance.id)
    assert (rows["remind_agent"].status, rows["remind_agent"].fired_at) == ("fired", resumed_at)
    assert (rows["escalate"].status, rows["escalate"].due_at) == ("pending", now + timedelta(hours=4))
    assert _status(session, instance.id) == "running"
    task = only_task(session, instance.id)
    assert task.element_id == "answer_customer" and not task.suspended
    # The scheduler finds nothing more to fire now; the reminder ran once (its script task once too).
    assert timers.fire_due_timers(session, resumed_at) == 0
    fired = [a for a in _actions(session, instance.id) if a[0] == "timer_fired"]
    assert fired == [("timer_fired", "lea", "remind_agent")]
    notes = session.scalars(
        select(ElementVisit).where(ElementVisit.instance_id == instance.id, ElementVisit.element_id == "note_reminder")
    ).all()
    assert len(notes) == 1
    # The escalation, not yet due at resume, fires later as usual.
    assert timers.fire_due_timers(session, now + timedelta(hours=4, seconds=1)) == 1
    assert only_task(session, instance.id).element_id == "handle_escalation"
    with pytest.raises(InvalidState, match="not suspended"):
        instance_control.resume_instance(session, LEA, instance.id, resumed_at)


def test_messages_to_a_suspended_instance_are_kept_and_delivered_on_resume(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "message_flow.bpmn")
    instance = instances.start_instance(session, ANNA, "message_flow", {"complaint_id": "C-7"}, now)
    tasks.complete_task(session, ANNA, only_task(session, instance.id).id, {"question": "Order number?"}, now)
    instance_control.suspend_instance(session, MIA, instance.id, now + timedelta(minutes=1))
    delivered = instances.deliver_message(
        session, ANNA, "customer_info_received", "C-7", {"order_number": "4711"}, now + timedelta(minutes=2)
    )
    assert delivered == [instance.id]
    assert open_tasks(session, instance.id) == []  # not delivered yet
    held = session.scalars(select(HeldMessage)).all()
    assert [(m.message_name, m.payload) for m in held] == [("customer_info_received", {"order_number": "4711"})]

    instance_control.resume_instance(session, MIA, instance.id, now + timedelta(minutes=3))
    assert only_task(session, instance.id).element_id == "review_info"
    assert session.scalars(select(HeldMessage)).all() == []
    session.expire_all()
    assert (session.get(ProcessInstance, instance.id) or ProcessInstance()).variables["order_number"] == "4711"
    actions = [a[0] for a in _actions(session, instance.id)]
    assert actions.index("message_held") < actions.index("instance_resumed") < actions.index("message_received")


def test_cancel_ends_everything(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "timer_flow.bpmn", DIAGRAMS / "message_flow.bpmn")
    waiting = instances.start_instance(session, ANNA, "message_flow", {"complaint_id": "C-8"}, now)
    tasks.complete_task(session, ANNA, only_task(session, waiting.id).id, {"question": "Order number?"}, now)
    assert session.scalars(select(MessageSubscription)).all() != []
    timed = instances.start_instance(session, ANNA, "timer_flow", DATA, now)
    instance_control.suspend_instance(session, MIA, timed.id, now)  # a suspended instance can be cancelled too

    with pytest.raises(ComplaintflowError, match="reason"):
        instance_control.cancel_instance(session, MIA, waiting.id, "   ", now)
    later = now + timedelta(minutes=20)
    for instance_id in (waiting.id, timed.id):
        instance_control.cancel_instance(session, MIA, instance_id, "duplicate of C-1", later)
        assert _status(session, instance_id) == "cancelled"
        row = session.get(ProcessInstance, instance_id)
        assert row is not None and row.completed_at == later
    assert session.scalars(select(MessageSubscription)).all() == []
    assert {row.status for row in _timers(session, timed.id).values()} == {"cancelled"}
    task_rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == timed.id)).all()
    assert [(t.status, t.completed_at, t.suspended) for t in task_rows] == [("cancelled", later, False)]
    open_visits = session.scalars(select(ElementVisit).where(ElementVisit.left_at.is_(None))).all()
    assert open_visits == []
    assert timers.fire_due_timers(session, now + timedelta(days=1)) == 0
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "instance_cancelled")).all()
    assert [(e.actor, e.message, e.before) for e in entries] == [
        ("mia", "duplicate of C-1", {"status": "waiting"}),
        ("mia", "duplicate of C-1", {"status": "suspended"}),
    ]
    with pytest.raises(InvalidState, match="already cancelled"):
        instance_control.cancel_instance(session, MIA, timed.id, "again", later)
    # The cancelled workflow is stored cancelled: a message for it finds no subscriber.
    with pytest.raises(NotFound):
        instances.deliver_message(session, ANNA, "customer_info_received", "C-8", {}, later)


def test_only_managers_team_leads_and_admins_act(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "timer_flow.bpmn")
    instance = instances.start_instance(session, ANNA, "timer_flow", DATA, now)
    task_id = only_task(session, instance.id).id
    with pytest.raises(PermissionDenied):
        instance_control.suspend_instance(session, ANNA, instance.id, now)
    with pytest.raises(PermissionDenied):
        instance_control.cancel_instance(session, ANNA, instance.id, "no", now)
    with pytest.raises(PermissionDenied):
        instance_control.reassign_task(session, ANNA, task_id, now, user="anna")
    instance_control.suspend_instance(session, MIA, instance.id, now)
    with pytest.raises(PermissionDenied):
        instance_control.resume_instance(session, ANNA, instance.id, now)
    assert _status(session, instance.id) == "suspended"


def test_cancelling_a_complaint_process_closes_the_complaint_and_reassign_notifies(
    database: DatabaseUnderTest, seeded: Seeded, now: datetime
) -> None:
    with database.session() as session:
        task = session.get(HumanTask, seeded.tasks["billing"])
        assert task is not None
        instance_id = task.instance_id
        instance_control.reassign_task(session, MIA, task.id, now, user="agent2")
        with pytest.raises(NotFound, match="no active user"):
            instance_control.reassign_task(session, MIA, task.id, now, user="nobody")
        with pytest.raises(ComplaintflowError, match="either"):
            instance_control.reassign_task(session, MIA, task.id, now, user="agent2", group="billing")
        instance_control.reassign_task(session, MIA, task.id, now, group="second_level")
        session.expire_all()
        task = session.get(HumanTask, seeded.tasks["billing"])
        assert task is not None and task.assignee is None and task.candidate_groups == ["second_level"]
        queued = session.scalars(
            select(OutboxMessage).where(OutboxMessage.topic == "task_assigned").order_by(OutboxMessage.id)
        ).all()
        assert [(m.recipient, m.kind, m.instance_id) for m in queued] == [
            ("agent2", "in_app", instance_id),
            ("group:second_level", "in_app", instance_id),
        ]
        assert seeded.complaints["billing"] in (queued[0].subject or "")
        reassigned = session.scalars(select(AuditEntry).where(AuditEntry.action == "task_reassigned")).all()
        assert [(e.before or {}).get("assignee") for e in reassigned] == [None, "agent2"]
        assert [(e.after or {}).get("groups") for e in reassigned][1] == ["second_level"]

        instance_control.cancel_instance(session, MIA, instance_id, "customer withdrew", now)
        complaint = session.scalars(select(Complaint).where(Complaint.instance_id == instance_id)).one()
        assert (complaint.status, complaint.closed_at) == ("closed", now)
        with pytest.raises(InvalidState):
            instance_control.reassign_task(session, MIA, task.id, now, user="agent2")


def test_suspend_resume_and_cancel_from_the_command_line(
    database: DatabaseUnderTest, now: datetime, tmp_path: Path
) -> None:
    with database.session() as session:
        deploy_paths(session, now, DIAGRAMS / "timer_flow.bpmn")
        # The CLI acts at the real time: started now, its timers are not due when it is resumed.
        instance_id = instances.start_instance(session, ANNA, "timer_flow", DATA, utcnow()).id
    env = {"COMPLAINTFLOW_DATABASE_URL": database.url, "COMPLAINTFLOW_INSTANCE_PATH": str(tmp_path)}
    runner = CliRunner()
    refused = runner.invoke(main, ["--as-user", "anna", "--role", "agent", "suspend", str(instance_id)], env=env)
    assert refused.exit_code == 1 and "only managers, team leads and admins" in refused.output
    result = runner.invoke(main, ["suspend", str(instance_id), "--reason", "on hold"], env=env)
    assert result.exit_code == 0 and f"instance {instance_id} is suspended" in result.output
    result = runner.invoke(main, ["resume", str(instance_id)], env=env)
    assert result.exit_code == 0 and f"instance {instance_id} is running" in result.output
    assert "Answer the customer" in result.output
    missing = runner.invoke(main, ["cancel", str(instance_id)], env=env)
    assert missing.exit_code == 2 and "--reason" in missing.output
    result = runner.invoke(main, ["cancel", str(instance_id), "--reason", "test data"], env=env)
    assert result.exit_code == 0 and f"instance {instance_id} is cancelled" in result.output
    again = runner.invoke(main, ["resume", str(instance_id)], env=env)
    assert again.exit_code == 1 and "not suspended" in again.output
    with database.session() as session:
        assert _actions(session, instance_id)[-1][:2] == ("instance_cancelled", "cli")


def test_the_running_scheduler_leaves_a_suspended_instance_alone(database: DatabaseUnderTest) -> None:
    with database.session() as session:
        deploy_paths(session, utcnow(), DIAGRAMS / "timer_flow.bpmn")
        fast = {"reminder_after": "PT1S", "escalation_after": "PT2S"}
        instance_id = instances.start_instance(session, ANNA, "timer_flow", fast, utcnow()).id
        instance_control.suspend_instance(session, MIA, instance_id, utcnow())
    scheduler = TimerScheduler(database.sessions, SchedulerOptions(poll_interval=0.2))
    try:
        scheduler.start()
        time.sleep(3)  # both timers are overdue now; the scheduler polls fifteen times
        with database.session() as session:
            assert {row.status for row in _timers(session, instance_id).values()} == {"suspended"}
            assert [t.element_id for t in open_tasks(session, instance_id)] == ["answer_customer"]
            instance_control.resume_instance(session, MIA, instance_id, utcnow())
        time.sleep(1)  # a few more polls: nothing is left for the scheduler to fire
        assert scheduler.stats.fired == 0
    finally:
        scheduler.stop()
    with database.session() as session:
        assert only_task(session, instance_id).element_id == "handle_escalation"
        fired = [(a[1], a[2]) for a in _actions(session, instance_id) if a[0] == "timer_fired"]
        assert sorted(fired) == [("mia", "escalate"), ("mia", "remind_agent")]


def test_suspended_and_cancelled_instances_are_not_migrated(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "timer_flow.bpmn")
    held = instances.start_instance(session, ANNA, "timer_flow", DATA, now)
    ended = instances.start_instance(session, ANNA, "timer_flow", DATA, now)
    instance_control.suspend_instance(session, MIA, held.id, now)
    instance_control.cancel_instance(session, MIA, ended.id, "test", now)
    text = (DIAGRAMS / "timer_flow.bpmn").read_text(encoding="utf-8").replace("Answer the customer", "Answer them")
    deployment.deploy(session, ADMIN, [Resource("timer_flow.bpmn", text)], now)
    assert [plan.instance_id for plan in migration.plan_migration(session, "timer_flow", now)] == [held.id]
    with pytest.raises(InvalidState, match="resume it before migrating"):
        migration.migrate_instance(session, ADMIN, held.id, now)
    with pytest.raises(InvalidState, match="cancelled"):
        migration.migrate_instance(session, ADMIN, ended.id, now)
    assert {row.status for row in _timers(session, held.id).values()} == {"suspended"}
