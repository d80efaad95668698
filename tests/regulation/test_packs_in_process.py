"""The regulation packs in the shipped process: deadlines on the right calendar, letters, reminders, breaches.

Due times are worked out by hand on the calendar of England and Wales (bank holidays of 2026/27: Friday 25 December,
Monday 28 December as the substitute for Boxing Day, Friday 1 January), never by the code under test.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.services.regulation.clock import apply_letter, record_breach_reason, sweep
from engine.services.regulation.library import shipped_packs
from engine.store import queries
from engine.store.models import AuditEntry
from engine.store.outbox import OutboxMessage
from engine.store.regulation import RegulatoryDeadline, RegulatoryLetter
from tests.processes.support import ANNA, LEA, Case

# Received Monday 2026-11-23 09:00 London time (= UTC in winter).
# 15 business days: 24, 25, 26, 27, 30 Nov, 1, 2, 3, 4, 7, 8, 9, 10, 11, 14 Dec -> Monday 14 December, 09:00.
PSD_DUE = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
# 35 business days: 20 more after 14 Dec, skipping 25 and 28 Dec and 1 Jan -> Thursday 14 January 2027, 09:00.
PSD_EXTENDED = datetime(2027, 1, 14, 9, 0, tzinfo=UTC)
# Reminder 3 business days ahead of 14 December: Wednesday 9 December, 09:00.
PSD_REMINDER = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)


def _deadlines(case: Case) -> list[RegulatoryDeadline]:
    query = select(RegulatoryDeadline).where(RegulatoryDeadline.complaint_id == case.complaint.id)
    return list(case.session.scalars(query))


def _letters(case: Case) -> list[RegulatoryLetter]:
    query = select(RegulatoryLetter).where(RegulatoryLetter.complaint_id == case.complaint.id)
    return list(case.session.scalars(query.order_by(RegulatoryLetter.id)))


def _actions(case: Case, action: str) -> list[AuditEntry]:
    return [entry for entry in queries.audit_trail(case.session, case.instance.id) if entry.action == action]


def _payment_complaint(session: Session, now: datetime) -> Case:
    return Case.open(session, now, product_group="payment_services", language="en", amount_disputed=None)


def test_a_payment_complaint_is_acknowledged_held_and_answered_with_each_letter_in_the_audit_trail(
    session: Session, now: datetime
) -> None:
    case = _payment_complaint(session, now)
    assert case.variables["regulation_packs"] == ["fca_psd"]
    [deadline] = _deadlines(case)
    assert (deadline.pack, deadline.rule, deadline.calendar, deadline.due_at) == (
        "fca_psd", "final_response", "uk_england", PSD_DUE
    )  # fmt: skip
    assert deadline.remind_at == PSD_REMINDER
    [acknowledgement] = _letters(case)
    assert (acknowledgement.letter, acknowledgement.language, acknowledgement.recipient) == (
        "acknowledgement", "en", "erika@example.org"
    )  # fmt: skip
    assert "within 15 business days" in acknowledgement.html and "14 December 2026" in acknowledgement.html
    # The letter replaces the process's usual receipt; it is in the outbox with its own topic.
    assert ("regulatory_letter", "erika@example.org") in case.outbox()
    assert ("complaint_acknowledgement", "erika@example.org") not in case.outbox()

    case.complete(
        ANNA,
        "handle_complaint",
        {"next_step": "holding_response", "customer_message": "The card scheme has not answered yet."},
        days=8,
    )
    case.task("handle_complaint")  # the holding path leads back to the agent
    [deadline] = _deadlines(case)
    assert (deadline.due_at, deadline.target, deadline.extended_by) == (
        PSD_EXTENDED, "35 business days", "holding_response"
    )  # fmt: skip
    holding = _letters(case)[1]
    assert holding.letter == "holding_response"
    assert "The card scheme has not answered yet." in holding.html and "14 January 2027" in holding.html

    case.answer_and_resolve(ANNA, amount="20", outcome="upheld")
    final = _letters(case)[2]
    assert final.letter == "final_response"
    assert "You have the right to refer your complaint to the Financial Ombudsman Service, free of charge" in final.html
    [deadline] = _deadlines(case)
    assert (deadline.status, deadline.met_by) == ("met", "final_response")
    # The register's columns follow the letters and the legal deadline.
    complaint = case.complaint
    assert complaint.acknowledged_at == now and complaint.holding_response_at == now + timedelta(days=8)
    assert complaint.final_response_at == case.now
    assert (complaint.legal_deadline_at, complaint.within_legal_deadline) == (PSD_EXTENDED, True)
    # Each letter is in the audit trail with its hash, recipient and the outbox row that carries it.
    sent = _actions(case, "regulatory_letter_sent")
    assert [entry.after["letter"] for entry in sent] == ["acknowledgement", "holding_response", "final_response"]
    for entry, letter in zip(sent, _letters(case), strict=True):
        assert entry.after["sha256"] == hashlib.sha256(letter.html.encode()).hexdigest() == letter.sha256
        assert entry.after["to"] == "erika@example.org"
        outbox = session.get(OutboxMessage, entry.after["outbox_message_id"])
        assert outbox is not None and outbox.subject == letter.subject and outbox.topic == "regulatory_letter"


def test_the_sweep_reminds_before_and_escalates_after_the_legal_deadline(session: Session, now: datetime) -> None:
    case = _payment_complaint(session, now)
    assert sweep(session, datetime(2026, 12, 9, 8, 59, tzinfo=UTC)) == (0, 0)
    assert sweep(session, PSD_REMINDER) == (1, 0)
    assert sweep(session, PSD_REMINDER) == (0, 0)  # once only
    reminders = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "sla_reminder")).all()
    assert [row.recipient for row in reminders] == ["group:agent"]
    assert sweep(session, PSD_DUE) == (0, 0)  # due at 09:00 is still in time
    assert sweep(session, datetime(2026, 12, 14, 9, 1, tzinfo=UTC)) == (0, 1)
    escalations = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "sla_escalation")).all()
    assert sorted(row.recipient for row in escalations) == ["group:agent", "group:team_lead"]
    [deadline] = _deadlines(case)
    assert deadline.status == "breached"
    record_breach_reason(session, LEA, deadline.id, "Card scheme answered late.", datetime(2026, 12, 15, tzinfo=UTC))
    session.refresh(deadline)
    assert (deadline.breach_reason, deadline.breach_reason_by) == ("Card scheme answered late.", "lea")
    assert [e.after["breach_reason"] for e in _actions(case, "regulatory_breach_explained")] == [
        "Card scheme answered late."
    ]
    # A late final response still counts as the final response, and the breach stays on record.
    apply_letter(session, LEA, case.complaint, shipped_packs()["fca_psd"], "final_response", now)
    [deadline] = _deadlines(case)
    assert (deadline.status, deadline.met_by) == ("breached", "final_response")


def test_a_breach_raises_the_priority_and_hands_the_open_tasks_to_the_team_leads(
    session: Session, now: datetime
) -> None:
    """Issue 19: "escalation on breach": as the SLA escalate action, driven by the pack's deadline rule."""
    case = _payment_complaint(session, now)
    task = case.task("handle_complaint")
    task.assignee = "anna"  # claimed by an agent: she loses it to the team leads and hears about it
    session.commit()
    before = case.complaint.priority
    assert before != "critical"
    assert sweep(session, datetime(2026, 12, 14, 9, 1, tzinfo=UTC)) == (1, 1)
    session.refresh(task)
    # fca_psd's final_response rule: escalate_to = "team_lead", escalate_priority = "critical" (100).
    assert case.complaint.priority == "critical"
    assert (task.assignee, task.candidate_groups, task.priority) == (None, ["team_lead"], 100)
    escalations = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "sla_escalation")).all()
    assert sorted(row.recipient for row in escalations) == ["anna", "group:team_lead"]
    [escalated] = _actions(case, "complaint_escalated")
    assert (escalated.before, escalated.after["priority"], escalated.after["tasks"]) == (
        {"priority": before}, "critical", [task.id]
    )  # fmt: skip
    [moved] = _actions(case, "task_escalated")
    assert (moved.before["assignee"], moved.after["groups"]) == ("anna", ["team_lead"])
    [breach] = _actions(case, "regulatory_deadline_breached")
    assert (breach.after["priority"], breach.after["group"]) == ("critical", "team_lead")
    # A second sweep changes nothing: the breach is escalated once.
    assert sweep(session, datetime(2026, 12, 15, 9, 0, tzinfo=UTC)) == (0, 0)
    assert len(_actions(case, "complaint_escalated")) == 1


def test_a_complaint_resolved_within_three_business_days_gets_the_summary_resolution_communication(
    session: Session, now: datetime
) -> None:
    case = Case.open(session, now, product_group="banking_credit_cards", language="de", amount_disputed=None)
    [deadline] = _deadlines(case)
    # 8 weeks = 56 calendar days: Monday 18 January 2027, 09:00 London.
    assert deadline.due_at == datetime(2027, 1, 18, 9, 0, tzinfo=UTC)
    case.answer_and_resolve(ANNA, amount="0", outcome="rejected")
    letters = _letters(case)
    assert [letter.letter for letter in letters] == ["acknowledgement", "summary_resolution"]
    assert letters[1].language == "de" and "Wir betrachten Ihre Beschwerde nun als erledigt." in letters[1].html
    [deadline] = _deadlines(case)
    assert (deadline.status, deadline.met_by) == ("met", "summary_resolution")


def test_a_complaint_without_a_pack_keeps_the_usual_messages(session: Session, now: datetime) -> None:
    case = Case.open(session, now)
    assert case.variables["regulation_packs"] == []
    assert _deadlines(case) == [] and _letters(case) == []
    assert ("complaint_acknowledgement", "erika@example.org") in case.outbox()
