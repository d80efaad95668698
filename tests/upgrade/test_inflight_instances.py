"""In-flight instances survive upgrades (issue 13).

The fixtures in tests/upgrade/fixtures/ hold every stored row of a database in which the code of a236c67 left
one complaint waiting at a user task, a timer, a message, a department hand-over, an info request or a
feedback request. Each test loads one into a fresh database at the schema revision that wrote it, runs the
migrations up to today's head, and continues the instance with today's services until its end event: the
instance is completed, the complaint closed, and the audit trail shows the path taken. Never regenerate the
fixtures (tests/upgrade/make_fixtures.py); when the stored format changes, write a serializer migration.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.runtime.serialization import SPEC_CACHE
from engine.store.database import make_engine, make_session_factory
from engine.store.models import AuditEntry
from engine.store.queries import audit_trail
from tests.conftest import BACKENDS
from tests.processes.support import ANNA, CARLA, DORA, LEA, Case
from tests.support import postgres_server
from tests.upgrade.fixture_io import decode_value, fixture_names, load_fixture, read_fixture

SECOND = timedelta(seconds=1)
# The audit path of the common stretches (action, element), after the bookkeeping entries are left out.
ANSWERED = [("task_completed", "handle_complaint"), ("notification_queued", "send_customer_message")]
FIRST_RESPONSE = [("sla_first_response", "record_first_response")]
PROPOSED = [("task_completed", "propose_resolution")]
RESOLVED = [
    ("sla_stopped", "stop_sla"),
    ("notification_queued", "inform_customer"),
    ("notification_queued", "request_feedback"),
]
CLOSED_TO_THE_END = [
    ("task_completed", "close_complaint"),
    ("complaint_closed", "record_closure"),
    ("instance_completed", None),
]
ALL_FIXTURES = [
    "closed_awaiting_reopening",
    "department_handover",
    "feedback",
    "info_request",
    "user_task_approval",
    "user_task_escalated",
    "user_task_handle_complaint",
]


@pytest.fixture(params=BACKENDS)
def empty_sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], Session]]:
    """A loader: an empty database of the backend, filled from the named fixture and upgraded to head."""
    admin_url = os.environ.get(postgres_server.ENV_URL, "")
    name = f"cf_upgrade_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    engines, sessions = [], []

    def load(fixture_name: str) -> Session:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'upgraded.db'}"
        else:
            if not admin_url:
                pytest.fail(f"no PostgreSQL server: {postgres_server.ENV_URL} is not set")
            postgres_server.drop_database_on(admin_url, name)
            url = postgres_server.create_database_on(admin_url, name)
        engine = make_engine(url)
        engines.append(engine)
        load_fixture(engine, read_fixture(fixture_name))
        # The stored XML is parsed again by today's code, not served from a cache another test filled.
        SPEC_CACHE.clear()
        session = make_session_factory(engine)()
        sessions.append(session)
        return session

    yield load
    for session in sessions:
        session.close()
    for engine in engines:
        engine.dispose()
    if request.param != "sqlite" and admin_url:
        postgres_server.drop_database_on(admin_url, name)


def resume(load: Callable[[str], Session], fixture_name: str) -> tuple[Case, int]:
    """The fixture's complaint as a Case at the fixture's clock, and the id of its last audit entry."""
    fixture = read_fixture(fixture_name)
    session = load(fixture_name)
    case = Case(session, decode_value(fixture["now"]), fixture["complaint_reference"], ["loaded"])
    case.checkpoint(f"loaded {fixture_name}")  # no incident, and today's serializer round-trips the old state
    last = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    assert last is not None
    return case, last


def path_since(case: Case, audit_id: int) -> list[tuple[str, str | None]]:
    """What happened after loading, as (action, element) pairs, without the per-step bookkeeping entries."""
    noise = {"task_created", "task_claimed", "task_assigned", "message_received", "timer_fired"}
    entries = audit_trail(case.session, case.instance.id)
    return [(e.action, e.element_id) for e in entries if e.id > audit_id and e.action not in noise]


def completions_since(case: Case, audit_id: int) -> list[tuple[str, str | None]]:
    entries = audit_trail(case.session, case.instance.id)
    return [(e.actor, e.element_id) for e in entries if e.id > audit_id and e.action == "task_completed"]


def finish_from_feedback(case: Case, *, feedback: bool = True, closer: Actor = ANNA) -> None:
    """From await_feedback to the end event: feedback (or its timeout), closure, reopening period over."""
    if feedback:
        case.give_feedback(csat="5", nps=10, feedback_comment="Danke.")
    else:
        assert case.fire_timers_at(case.now + timedelta(days=14) + SECOND) == 1
    case.close(closer, "billing_error")
    assert case.complaint.status == "closed"
    assert case.fire_timers_at(case.now + timedelta(days=30) + SECOND) == 1
    assert_ended(case)


def assert_ended(case: Case) -> None:
    instance = case.instance
    assert instance.status == "completed", case.describe()
    assert instance.completed_at is not None
    assert case.open_tasks() == [] and case.pending_timers() == {}
    assert case.complaint.status == "closed"
    actions = [action for _actor, action, _el in case.audit_actions()]
    assert actions[-1] == "instance_completed"


def test_every_fixture_is_covered() -> None:
    """A new fixture needs a continuation here; a deleted one is a lost guarantee."""
    assert fixture_names() == ALL_FIXTURES
    for name in ALL_FIXTURES:
        fixture = read_fixture(name)
        assert fixture["schema_revision"] == "0010" and "a236c67" in fixture["about"]
        assert {"process_instance", "process_definition", "definition_resource"} <= set(fixture["rows"])


def test_user_task_completed_to_the_end(empty_sessions: Callable[[str], Session]) -> None:
    case, mark = resume(empty_sessions, "user_task_handle_complaint")
    assert [t.element_id for t in case.open_tasks()] == ["handle_complaint"]
    assert set(case.pending_timers()) == {"sla_reminder", "sla_breached"}
    case.answer_and_resolve()
    assert case.complaint.status == "resolved"
    finish_from_feedback(case)
    assert completions_since(case, mark) == [
        ("anna", "handle_complaint"),
        ("anna", "propose_resolution"),
        ("anna", "close_complaint"),
    ]
    assert path_since(case, mark) == ANSWERED + FIRST_RESPONSE + PROPOSED + RESOLVED + CLOSED_TO_THE_END


def test_user_task_with_its_timers_fired(empty_sessions: Callable[[str], Session]) -> None:
    case, mark = resume(empty_sessions, "user_task_handle_complaint")
    complaint = case.complaint
    assert complaint.resolution_amber_at is not None and complaint.resolution_due_at is not None
    assert case.fire_timers_at(complaint.resolution_amber_at + SECOND) == 1
    assert case.outbox()[-1] == ("sla_reminder", "group:agent")
    assert case.fire_timers_at(complaint.resolution_due_at + SECOND) == 1
    escalated = case.task("handle_complaint")
    assert escalated.candidate_groups == ["second_level"]
    assert case.complaint.handling_level == 2
    path = path_since(case, mark)
    assert ("complaint_escalated", "escalate_complaint") in path and ("task_cancelled", "handle_complaint") in path
    case.answer_and_resolve(CARLA, "explanation", "0", outcome="rejected")
    finish_from_feedback(case, feedback=False, closer=CARLA)
    assert completions_since(case, mark) == [
        ("carla", "handle_complaint"),
        ("carla", "propose_resolution"),
        ("carla", "close_complaint"),
    ]


def test_escalated_user_task_to_the_end(empty_sessions: Callable[[str], Session]) -> None:
    case, mark = resume(empty_sessions, "user_task_escalated")
    assert case.task("handle_complaint").candidate_groups == ["second_level"]
    assert case.pending_timers() == {}  # the breach is recorded once
    case.answer_and_resolve(CARLA, "explanation", "0", outcome="rejected")
    assert case.complaint.resolution_met is False
    finish_from_feedback(case, closer=CARLA)
    # The escalated work's first answer is still the SLA's first response: none was given before.
    assert path_since(case, mark) == ANSWERED + FIRST_RESPONSE + PROPOSED + RESOLVED + CLOSED_TO_THE_END
    assert [actor for actor, _el in completions_since(case, mark)] == ["carla"] * 3


def test_four_eyes_approval_to_the_end(empty_sessions: Callable[[str], Session]) -> None:
    case, mark = resume(empty_sessions, "user_task_approval")
    approve = case.task("approve_resolution")
    assert approve.candidate_groups == ["team_lead"]
    case.complete(LEA, "approve_resolution", {"approval_decision": "approved", "approval_comment": "Berechtigt."})
    assert case.complaint.resolution_amount == 450
    finish_from_feedback(case)
    assert path_since(case, mark) == [("task_completed", "approve_resolution"), *RESOLVED, *CLOSED_TO_THE_END]
    assert completions_since(case, mark)[0] == ("lea", "approve_resolution")


def test_department_hand_over_to_the_end(empty_sessions: Callable[[str], Session]) -> None:
    case, mark = resume(empty_sessions, "department_handover")
    assert case.task("answer_department_request").candidate_groups == ["technical"]
    case.complete(
        DORA,
        "answer_department_request",
        {"reply_kind": "findings", "department_reply": "Bekannter Fehler der Charge 12."},
        hours=3,
    )
    assert case.variables["department_findings"] == "Bekannter Fehler der Charge 12."
    case.answer_and_resolve(ANNA, "repair", "0")
    finish_from_feedback(case)
    # The first response was given before the hand-over, so none is recorded now.
    assert path_since(case, mark) == [
        ("task_completed", "answer_department_request"),
        *ANSWERED,
        *PROPOSED,
        *RESOLVED,
        *CLOSED_TO_THE_END,
    ]
    assert completions_since(case, mark)[0] == ("dora", "answer_department_request")


def test_info_request_answered_to_the_end(empty_sessions: Callable[[str], Session]) -> None:
    case, mark = resume(empty_sessions, "info_request")
    assert case.complaint.status == "waiting_customer"
    case.message("customer_info_received", {"customer_info": "Rechnung 4711 anbei"}, days=2)
    assert (case.complaint.status, case.complaint.sla_paused_at) == ("open", None)
    assert case.variables["customer_info"] == "Rechnung 4711 anbei"
    case.answer_and_resolve()
    finish_from_feedback(case)
    resumed = [("sla_resumed", "resume_sla")]
    assert path_since(case, mark) == resumed + ANSWERED + PROPOSED + RESOLVED + CLOSED_TO_THE_END


def test_info_request_timed_out_to_the_end(empty_sessions: Callable[[str], Session]) -> None:
    case, mark = resume(empty_sessions, "info_request")
    assert case.fire_timers_at(case.now + timedelta(days=14) + SECOND) == 1
    assert case.variables["outcome"] == "no_response"
    # Closed without an answer: no closing task, the customer is told, the reopening period runs.
    assert case.complaint.status == "closed" and case.open_tasks() == []
    assert case.outbox()[-1] == ("complaint_closed_no_answer", "erika@example.org")
    assert case.fire_timers_at(case.now + timedelta(days=30) + SECOND) == 1
    assert_ended(case)
    assert path_since(case, mark) == [
        ("sla_stopped", "stop_sla_no_answer"),
        ("notification_queued", "notify_closed_no_answer"),
        ("complaint_closed", "record_closure"),
        ("instance_completed", None),
    ]


def test_feedback_received_to_the_end(empty_sessions: Callable[[str], Session]) -> None:
    case, mark = resume(empty_sessions, "feedback")
    finish_from_feedback(case)
    assert (case.complaint.csat, case.complaint.nps) == (5, 10)
    assert path_since(case, mark) == CLOSED_TO_THE_END
    assert case.variables["feedback_status"] == "received"


def test_feedback_timed_out_to_the_end(empty_sessions: Callable[[str], Session]) -> None:
    case, mark = resume(empty_sessions, "feedback")
    finish_from_feedback(case, feedback=False)
    assert case.variables["feedback_status"] == "no_response"
    assert path_since(case, mark) == CLOSED_TO_THE_END
    assert case.complaint.csat is None


def test_reopening_period_over_ends_the_instance(empty_sessions: Callable[[str], Session]) -> None:
    case, mark = resume(empty_sessions, "closed_awaiting_reopening")
    assert case.complaint.status == "closed"
    assert case.fire_timers_at(case.now + timedelta(days=30) - SECOND) == 0
    assert case.fire_timers_at(case.now + timedelta(seconds=2)) == 1
    assert_ended(case)
    assert path_since(case, mark) == [("instance_completed", None)]


def test_reopened_message_then_to_the_end(empty_sessions: Callable[[str], Session]) -> None:
    case, mark = resume(empty_sessions, "closed_awaiting_reopening")
    case.message("complaint_reopened", {"reopen_reason": "Die Gutschrift fehlt."}, days=5)
    assert case.complaint.status == "reopened" and case.variables["reopen_count"] == 1
    case.answer_and_resolve()
    finish_from_feedback(case, feedback=False)
    assert path_since(case, mark) == [
        ("complaint_reopened", "record_reopening"),
        *ANSWERED,
        *PROPOSED,
        *RESOLVED,
        *CLOSED_TO_THE_END,
    ]
