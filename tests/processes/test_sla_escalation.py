"""SLA reminder before the deadline, then the interrupting escalation to the second level when it is breached."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tests.processes.support import ANNA, CARLA, Case

SECOND = timedelta(seconds=1)


def test_sla_reminder_then_escalation_to_the_second_level(session: Session, now: datetime) -> None:
    case = Case.open(session, now)
    complaint = case.complaint
    reminder_at, breach_at = complaint.resolution_amber_at, complaint.resolution_due_at
    assert reminder_at is not None and breach_at is not None and now < reminder_at < breach_at
    assert case.pending_timers() == {"sla_reminder": reminder_at, "sla_breached": breach_at}
    first = case.task("handle_complaint")

    assert case.fire_timers_at(reminder_at - SECOND) == 0
    assert case.fire_timers_at(reminder_at + SECOND) == 1
    # Non-interrupting: the agent's task stays open, the group is reminded.
    assert case.task("handle_complaint").id == first.id
    assert case.outbox()[-1] == ("sla_reminder", "group:agent")
    assert ("system", "task_reminded", "handle_complaint") in case.audit_actions()
    assert case.pending_timers() == {"sla_breached": breach_at}

    assert case.fire_timers_at(breach_at + SECOND) == 1
    # Interrupting: the first-level task is cancelled and the second level takes over with a higher priority.
    escalated = case.task("handle_complaint")
    assert escalated.id != first.id
    assert (escalated.candidate_groups, escalated.assignee, escalated.priority) == (["second_level"], None, 75)
    complaint = case.complaint
    assert (complaint.priority, complaint.handling_level, complaint.responsible_group) == ("high", 2, "second_level")
    assert case.variables["escalated"] is True and case.variables["escalation_group"] == "team_lead"
    assert case.outbox()[-1] == ("sla_escalation", "group:second_level")  # the new holders hear of it
    actions = [(actor, action, element) for actor, action, element in case.audit_actions()]
    assert ("system", "complaint_escalated", "escalate_complaint") in actions
    assert ("system", "task_cancelled", "handle_complaint") in actions
    # Escalated work runs without further SLA timers: the breach is recorded once.
    assert case.pending_timers() == {}
    assert case.fire_timers_at(breach_at + timedelta(days=10)) == 0

    case.answer_and_resolve(CARLA, "explanation", "0", outcome="rejected")
    complaint = case.complaint
    assert (complaint.status, complaint.resolution_met, complaint.first_response_met) == ("resolved", False, False)
    created = [el for _a, action, el in case.audit_actions() if action == "task_created"]
    assert created == ["handle_complaint", "handle_complaint", "propose_resolution"]


def test_an_answer_before_the_reminder_keeps_the_case_at_first_level(session: Session, now: datetime) -> None:
    case = Case.open(session, now)
    case.answer_and_resolve(ANNA)
    due = case.complaint.resolution_due_at
    assert due is not None
    assert case.fire_timers_at(due + SECOND) == 0  # cancelled with the work
    assert case.complaint.handling_level == 1 and case.complaint.priority == "normal"
    assert "remind_responsible" not in {el for _a, _action, el in case.audit_actions()}
