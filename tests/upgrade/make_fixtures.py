"""Make the upgrade fixtures: shipped processes waiting at each kind of wait state, as stored.

Made at a236c67 (main before the regrouping of engine/ and before issue 13's changes). DO NOT regenerate the
existing fixtures: their whole point is that they were written by the old code, and later code must load and
continue them (tests/upgrade/test_inflight_instances.py). Run this only to ADD a new fixture; files that exist
are left alone unless you pass --force (and you should not):

    PYTHONPATH=$PWD .venv/bin/python -m tests.upgrade.make_fixtures

Each scenario runs in a fresh SQLite database migrated with the code of the day, deploys processes/*.bpmn and
*.dmn the way an upload does, opens one complaint, drives it through the real services with an injected clock,
and writes every stored row of every table to tests/upgrade/fixtures/<name>.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from engine.store import schema
from engine.store.all_models import Base
from engine.store.database import make_engine, make_session_factory
from tests.processes.support import ANNA, MESSAGE, Case
from tests.upgrade.fixture_io import FIXTURES, dump_database, encode_value

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday
SECOND = timedelta(seconds=1)


def at_handle_complaint(case: Case) -> str:
    """A new complaint: the user task handle_complaint, with the SLA reminder and breach timers pending."""
    case.task("handle_complaint")
    return "user task handle_complaint (group agent) with boundary timers sla_reminder and sla_breached pending"


def at_escalated_handle_complaint(case: Case) -> str:
    """Both SLA timers fired: the reminder, then the interrupting breach; second level works on it."""
    complaint = case.complaint
    assert complaint.resolution_amber_at is not None and complaint.resolution_due_at is not None
    assert case.fire_timers_at(complaint.resolution_amber_at + SECOND) == 1
    assert case.fire_timers_at(complaint.resolution_due_at + SECOND) == 1
    assert case.task("handle_complaint").candidate_groups == ["second_level"]
    return "user task handle_complaint in work_after_escalation (group second_level), after two fired timers"


def at_approve_resolution(case: Case) -> str:
    """A resolution above the approval threshold: the four-eyes task of a team lead."""
    case.complete(ANNA, "handle_complaint", {"next_step": "resolve", "customer_message": MESSAGE}, hours=1)
    case.propose(ANNA, "refund", "450")
    case.task("approve_resolution")
    return "user task approve_resolution (group team_lead, excludedUsers = anna)"


def at_department_answer(case: Case) -> str:
    """Handed over to the technical department: waiting inside department_handover, two call levels down."""
    case.complete(ANNA, "handle_complaint", {"next_step": "handover", "customer_message": MESSAGE}, hours=1)
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
    case.task("answer_department_request")
    return "department hand-over: user task answer_department_request (group technical) in department_handover"


def at_await_customer_info(case: Case) -> str:
    """The agent asked the customer for information: SLA paused, event-based gateway (message or timeout)."""
    case.complete(
        ANNA, "handle_complaint", {"next_step": "request_info", "customer_message": "Bitte senden Sie die Rechnung."}
    )
    assert set(case.pending_timers()) == {"await_customer_info"}
    return "info request: event-based gateway await_customer_info (message customer_info_received or 14-day timer)"


def at_await_feedback(case: Case) -> str:
    """Resolved: the customer is asked for feedback (message feedback_received or the feedback timeout)."""
    case.answer_and_resolve()
    assert set(case.pending_timers()) == {"await_feedback"}
    return "feedback: event-based gateway await_feedback (message feedback_received or 14-day timer)"


def at_await_reopening(case: Case) -> str:
    """Closed: waiting for a reopening message until the reopening period's timer ends the process."""
    case.answer_and_resolve()
    case.give_feedback(csat="4", nps=9, feedback_comment="Schnell und freundlich.")
    case.close(ANNA, "billing_error")
    assert set(case.pending_timers()) == {"await_reopening"}
    return "message and timer: event-based gateway await_reopening (message complaint_reopened or 30-day timer)"


SCENARIOS: dict[str, Callable[[Case], str]] = {
    "user_task_handle_complaint": at_handle_complaint,
    "user_task_escalated": at_escalated_handle_complaint,
    "user_task_approval": at_approve_resolution,
    "department_handover": at_department_answer,
    "info_request": at_await_customer_info,
    "feedback": at_await_feedback,
    "closed_awaiting_reopening": at_await_reopening,
}


def made_with() -> str:
    root = Path(__file__).resolve().parents[2]
    return subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()


def make(name: str, scenario: Callable[[Case], str], directory: Path) -> dict[str, object]:
    engine = make_engine(f"sqlite:///{directory / f'{name}.db'}")
    schema.upgrade(engine)
    with make_session_factory(engine)() as session:
        case = Case.open(session, NOW)
        waiting_at = scenario(case)
        reference, now = case.reference, case.now
    rows = dump_database(engine, list(Base.metadata.sorted_tables))
    revision = schema.current_revision(engine)
    engine.dispose()
    return {
        "about": (
            "made at a236c67 (product code; the commit below adds only a .gitignore line) by "
            "tests/upgrade/make_fixtures.py; never regenerate (see its docstring)"
        ),
        "made_with_commit": made_with(),
        "schema_revision": revision,
        "scenario": name,
        "waiting_at": waiting_at,
        "complaint_reference": reference,
        "now": encode_value(now),
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--force", action="store_true", help="overwrite existing fixtures (do not)")
    args = parser.parse_args()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for name, scenario in SCENARIOS.items():
            target = FIXTURES / f"{name}.json"
            if target.exists() and not args.force:
                print(f"kept {target.name} (exists)")
                continue
            fixture = make(name, scenario, Path(scratch))
            target.write_text(json.dumps(fixture, indent=1, ensure_ascii=False, sort_keys=True) + "\n", "utf-8")
            print(f"wrote {target.name}: {fixture['waiting_at']}")


if __name__ == "__main__":
    main()
