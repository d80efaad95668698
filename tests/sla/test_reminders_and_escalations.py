"""Reminder and escalation paths with an injected clock: who is told, who gets the task, what is logged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from engine.actions.escalation import raised_priority
from engine.domain.errors import PermissionDenied
from engine.services.casework import tasks
from engine.services.instances import lifecycle as instances
from engine.services.instances import timers
from engine.store import queries
from tests.engine.helpers import ADMIN, ANNA, BERND, CARLA, LEA, deploy_paths, only_task
from tests.sla.helpers import DIAGRAMS, actions, open_sla_complaint, outbox, task_named, timers_of

REMINDER = datetime(2026, 11, 24, 13, 30, tzinfo=UTC)  # 75 % of 2 business days from Monday 10:00 Berlin
DUE = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def _at_resolve(session: Session, now: datetime) -> tuple[int, str]:
    complaint = open_sla_complaint(session, now)
    assert complaint.instance_id is not None
    tasks.complete_task(session, ANNA, only_task(session, complaint.instance_id).id, {}, now + timedelta(hours=1))
    return complaint.instance_id, task_named(session, complaint.instance_id, "resolve_complaint").id


def test_nothing_fires_before_the_reminder_point(session: Session, now: datetime) -> None:
    instance_id, _ = _at_resolve(session, now)
    assert timers.fire_due_timers(session, REMINDER - SECOND) == 0
    assert outbox(session, "sla_reminder") == []
    assert timers_of(session, instance_id)["reminder_due"].status == "pending"


def test_reminder_goes_to_the_group_of_an_unclaimed_task(session: Session, now: datetime) -> None:
    instance_id, task_id = _at_resolve(session, now)
    assert timers.fire_due_timers(session, REMINDER + SECOND) == 1
    [message] = outbox(session, "sla_reminder")
    assert (message.recipient, message.kind, message.instance_id) == ("group:agent", "email", instance_id)
    assert message.complaint_id is not None and message.payload["task_id"] == task_id
    [entry] = actions(session, instance_id, "task_reminded")
    assert entry.task_id == task_id and entry.actor == "system"
    assert entry.after == {"to": ["group:agent"], "due_at": DUE.isoformat()}
    # The task stays with its holder: a reminder changes nothing but the outbox and the log.
    task = task_named(session, instance_id, "resolve_complaint")
    assert (task.candidate_groups, task.assignee, task.priority) == (["agent"], None, 50)
    assert instances.get_instance(session, instance_id).variables["reminders_sent"] == 1


def test_reminder_goes_to_the_assignee_once_claimed(session: Session, now: datetime) -> None:
    instance_id, task_id = _at_resolve(session, now)
    tasks.claim_task(session, BERND, task_id, now + timedelta(hours=2))
    timers.fire_due_timers(session, REMINDER + SECOND)
    assert [m.recipient for m in outbox(session, "sla_reminder")] == ["bernd"]


def test_escalation_hands_the_task_to_second_level_and_raises_priority(session: Session, now: datetime) -> None:
    instance_id, task_id = _at_resolve(session, now)
    tasks.claim_task(session, BERND, task_id, now + timedelta(hours=2))
    # Nobody fired the reminder in time: one step fires both due timers of the instance.
    assert timers.fire_due_timers(session, DUE + SECOND) == 1
    assert {row.status for row in timers_of(session, instance_id).values()} == {"fired"}
    assert [m.recipient for m in outbox(session, "sla_reminder")] == ["bernd"]

    task = task_named(session, instance_id, "resolve_complaint")
    assert task.id == task_id
    assert (task.candidate_groups, task.assignee, task.priority) == (["second_level"], None, 75)
    instance = instances.get_instance(session, instance_id)
    assert (instance.variables["escalated"], instance.variables["priority"]) == (True, "high")
    assert (instance.variables["handling_level"], instance.variables["escalated_to"]) == (2, "second_level")
    [escalation] = outbox(session, "sla_escalation")
    assert escalation.recipient == "group:second_level" and escalation.payload["priority"] == "high"
    [task_entry] = actions(session, instance_id, "task_escalated")
    assert task_entry.before == {"assignee": "bernd", "groups": ["agent"], "priority": 50}
    assert task_entry.after == {"assignee": None, "groups": ["second_level"], "priority": 75}
    [complaint_entry] = actions(session, instance_id, "complaint_escalated")
    assert complaint_entry.before == {"priority": "normal"}
    assert complaint_entry.after is not None and complaint_entry.after["priority"] == "high"

    # Bernd lost the task; second level takes it and resolves it.
    with pytest.raises(PermissionDenied):
        tasks.complete_task(session, BERND, task_id, {"need_info": False}, DUE + 2 * SECOND)
    tasks.complete_task(session, CARLA, task_id, {"need_info": False}, DUE + 3 * SECOND)
    assert instance.status == "completed"


def test_escalation_updates_the_complaint_row(session: Session, now: datetime) -> None:
    complaint = open_sla_complaint(session, now)
    assert complaint.instance_id is not None
    tasks.complete_task(session, ANNA, only_task(session, complaint.instance_id).id, {}, now + timedelta(hours=1))
    timers.fire_due_timers(session, DUE + SECOND)
    session.refresh(complaint)
    assert (complaint.priority, complaint.handling_level) == ("high", 2)
    assert complaint.updated_at == DUE + SECOND
    # The diagram set priority "normal" and level 1 at the start; the escalated values reach the task's
    # branch too, so later steps (and the complaint sync after them) keep them.
    task = task_named(session, complaint.instance_id, "resolve_complaint")
    tasks.complete_task(session, CARLA, task.id, {"need_info": False}, DUE + 2 * SECOND)
    session.refresh(complaint)
    assert (complaint.priority, complaint.handling_level, complaint.resolution_met) == ("high", 2, False)
    assert complaint.instance is not None and complaint.instance.variables["escalated"] is True


def test_completing_the_task_in_time_cancels_reminder_and_escalation(session: Session, now: datetime) -> None:
    instance_id, task_id = _at_resolve(session, now)
    tasks.complete_task(session, ANNA, task_id, {"need_info": False}, now + timedelta(hours=3))
    assert {row.status for row in timers_of(session, instance_id).values()} == {"cancelled"}
    assert timers.fire_due_timers(session, DUE + timedelta(days=1)) == 0
    assert outbox(session, "sla_reminder") == [] and outbox(session, "sla_escalation") == []


def _escalation_flow(session: Session, now: datetime, **data: object) -> int:
    deploy_paths(session, now, DIAGRAMS / "escalation_flow.bpmn")
    start = {"resolution_target": "PT4H", "sla_calendar": "24/7", **data}
    return instances.start_instance(session, ADMIN, "escalation_flow", start, now).id


def test_escalation_to_a_named_person_with_a_given_priority(session: Session, now: datetime) -> None:
    instance_id = _escalation_flow(
        session, now, escalation_group="team_lead", escalation_assignee="lea", escalation_priority="critical"
    )
    # Reminder at 3 h as an in-app message, escalation at 4 h.
    assert timers.fire_due_timers(session, now + timedelta(hours=3, seconds=1)) == 1
    assert [(m.recipient, m.kind) for m in outbox(session, "sla_reminder")] == [("group:agent", "in_app")]
    assert timers.fire_due_timers(session, now + timedelta(hours=4, seconds=1)) == 1
    task = only_task(session, instance_id)
    assert (task.candidate_groups, task.assignee, task.priority) == (["team_lead"], "lea", 100)
    assert [m.recipient for m in outbox(session, "sla_escalation")] == ["lea"]
    variables = instances.get_instance(session, instance_id).variables
    assert (variables["priority"], variables["escalated_to"]) == ("critical", "team_lead")
    assert "handling_level" not in variables
    tasks.complete_task(session, LEA, task.id, {}, now + timedelta(hours=5))


def test_escalation_never_lowers_a_priority(session: Session, now: datetime) -> None:
    instance_id = _escalation_flow(session, now, priority="critical", escalation_priority="low")
    timers.fire_due_timers(session, now + timedelta(hours=4, seconds=1))
    assert instances.get_instance(session, instance_id).variables["priority"] == "critical"
    assert only_task(session, instance_id).candidate_groups == ["agent"]  # no group: only the priority rises


def test_raised_priority() -> None:
    assert [raised_priority(p, None) for p in ("low", "normal", "high", "critical", None)] == [
        "normal",
        "high",
        "critical",
        "critical",
        "high",
    ]
    assert raised_priority("normal", "critical") == "critical"
    with pytest.raises(ValueError, match="unknown priority 'urgent'"):
        raised_priority("normal", "urgent")


def test_an_unknown_escalation_priority_is_an_incident_and_changes_no_task(session: Session, now: datetime) -> None:
    instance_id = _escalation_flow(session, now, escalation_group="team_lead", escalation_priority="urgent")
    timers.fire_due_timers(session, now + timedelta(hours=4, seconds=1))
    incident = queries.open_incident(session, instance_id)
    assert incident is not None and incident.element_id == "escalate_it"
    assert "unknown priority 'urgent'" in incident.message
    task = only_task(session, instance_id)
    assert (task.candidate_groups, task.priority) == (["agent"], 50)
    assert outbox(session, "sla_escalation") == []
