"""Hand-over to a specialist department (with a question back) and waiting for the customer (SLA paused)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tests.processes.support import ANNA, DORA, MESSAGE, Case


def test_department_hand_over_with_a_question_back(session: Session, now: datetime) -> None:
    case = Case.open(session, now, category="quality", subject="Waschmaschine defekt", amount_disputed=None)
    case.complete(ANNA, "handle_complaint", {"next_step": "handover", "customer_message": MESSAGE}, hours=1)
    describe = case.task("describe_handover")
    assert (describe.process_key, describe.assignee, describe.lane) == ("department_handover", "anna", "Agent")

    case.complete(
        ANNA,
        "describe_handover",
        {
            "department_group": "technical",
            "department_question": "Ist der Fehlercode E21 ein bekannter Serienfehler?",
            "department_due_date": "2026-11-26",
        },
        minutes=5,
    )
    answer = case.task("answer_department_request")
    assert (answer.candidate_groups, answer.assignee, answer.lane) == (["technical"], None, "Department")
    # Close of business in the default calendar (Europe/Berlin, 17:00), whatever the season.
    assert answer.due_at == datetime.fromisoformat("2026-11-26T17:00:00+01:00")

    case.complete(
        DORA,
        "answer_department_request",
        {"reply_kind": "question", "department_reply": "Welche Seriennummer?"},
        hours=3,
    )
    clarify = case.task("clarify_for_department")
    assert (clarify.assignee, clarify.candidate_groups) == ("anna", ["agent"])

    case.complete(ANNA, "clarify_for_department", {"clarification": "SN 123-456"}, hours=1)
    assert case.task("answer_department_request").candidate_groups == ["technical"]
    case.complete(
        DORA,
        "answer_department_request",
        {"reply_kind": "findings", "department_reply": "Bekannter Fehler der Charge 12, Austausch der Pumpe."},
        hours=4,
    )
    # The case returns to the first-level agent with the findings.
    handle = case.task("handle_complaint")
    assert handle.candidate_groups == ["agent"]
    assert case.variables["department_findings"] == "Bekannter Fehler der Charge 12, Austausch der Pumpe."
    assert case.variables["consulted_department"] == "technical"

    case.answer_and_resolve(ANNA, "repair", "0")
    assert case.complaint.status == "resolved"
    completions = [(a, el) for a, action, el in case.audit_actions() if action == "task_completed"]
    assert completions == [
        ("anna", "handle_complaint"),
        ("anna", "describe_handover"),
        ("dora", "answer_department_request"),
        ("anna", "clarify_for_department"),
        ("dora", "answer_department_request"),
        ("anna", "handle_complaint"),
        ("anna", "propose_resolution"),
    ]
    # Only the first answer to the customer is the SLA's first response.
    assert [action for _a, action, _el in case.audit_actions()].count("sla_first_response") == 1


def test_information_requested_then_answered(session: Session, now: datetime) -> None:
    case = Case.open(session, now)
    due_before = case.complaint.resolution_due_at
    assert due_before is not None
    case.complete(
        ANNA,
        "handle_complaint",
        {"next_step": "request_info", "customer_message": "Bitte senden Sie die Rechnung."},
        hours=1,
    )
    complaint = case.complaint
    assert (complaint.status, complaint.sla_paused_at) == ("waiting_customer", case.now)
    assert case.open_tasks() == [] and case.instance.status == "waiting"
    assert set(case.pending_timers()) == {"await_customer_info"}  # the SLA timers stand while paused
    assert case.pending_timers()["await_customer_info"] == case.now + timedelta(days=14)

    # Two days later (Wednesday 10:00 UTC) the customer answers through the portal.
    case.message(
        "customer_info_received", {"customer_info": "Rechnung 4711 anbei", "attachments": ["rechnung.pdf"]}, days=2
    )
    complaint = case.complaint
    assert (complaint.status, complaint.sla_paused_at) == ("open", None)
    # The paused business time (two business days) moves the resolution deadline back.
    assert complaint.resolution_due_at == due_before + timedelta(days=2)
    handle = case.task("handle_complaint")
    assert handle.due_at == complaint.resolution_due_at
    assert case.pending_timers()["sla_breached"] == complaint.resolution_due_at
    assert case.variables["customer_info"] == "Rechnung 4711 anbei"
    actions = [action for _a, action, _el in case.audit_actions()]
    assert actions.index("sla_paused") < actions.index("sla_resumed") and "message_received" in actions

    case.answer_and_resolve()
    assert case.complaint.status == "resolved"


def test_information_request_timed_out_closes_with_a_notice(session: Session, now: datetime) -> None:
    case = Case.open(session, now)
    case.complete(
        ANNA,
        "handle_complaint",
        {"next_step": "request_info", "customer_message": "Bitte senden Sie die Rechnung."},
        hours=1,
    )
    asked_at = case.now
    assert case.fire_timers_at(asked_at + timedelta(days=13)) == 0
    assert case.complaint.status == "waiting_customer"

    assert case.fire_timers_at(asked_at + timedelta(days=14, seconds=1)) == 1
    complaint = case.complaint
    assert (complaint.status, complaint.outcome, complaint.closed_at) == ("closed", "no_response", case.now)
    assert complaint.resolved_at == case.now and complaint.sla_paused_at is None
    assert case.outbox()[-1] == ("complaint_closed_no_answer", "erika@example.org")
    assert case.open_tasks() == []
    # Closed, but a late answer can still reopen it within the reopening period.
    assert set(case.pending_timers()) == {"await_reopening"}
    assert case.fire_timers_at(case.now + timedelta(days=30, seconds=1)) == 1
    assert case.instance.status == "completed"
    assert case.complaint.status == "closed"
