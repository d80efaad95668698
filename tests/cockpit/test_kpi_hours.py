"""The durations stored on the complaint row follow the SLA clock: pause and resume, resolution, reopening."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.services.casework import tasks
from engine.services.instances import lifecycle as instances
from engine.store import kpi
from engine.store.complaints import Complaint
from engine.store.kpi import Durations, KpiFilter
from tests.cockpit.kpi_data import END, START, seed_kpi_data
from tests.engine.helpers import ANNA, only_task
from tests.processes.support import Case
from tests.sla.helpers import open_sla_complaint, task_named

MIGRATION = Path(__file__).resolve().parents[2] / "engine/store/migrations/versions/0009_complaint_kpi_hours.py"
PERIOD = KpiFilter(START, END)


def utc(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def stored_hours(session: Session, complaint_id: int) -> tuple[float | None, float | None]:
    """The two columns as the database holds them (not the objects in the session)."""
    session.expire_all()
    row = session.execute(
        select(Complaint.first_response_hours, Complaint.resolution_net_hours).where(Complaint.id == complaint_id)
    ).one()
    return row[0], row[1]


def test_stored_hours_follow_a_pause_and_resume(session: Session, now: datetime) -> None:
    complaint = open_sla_complaint(session, now)  # received Monday 09:00 UTC
    instance_id = complaint.instance_id
    assert instance_id is not None and stored_hours(session, complaint.id) == (None, None)
    tasks.complete_task(session, ANNA, only_task(session, instance_id).id, {}, utc(23, 10))  # first response
    assert stored_hours(session, complaint.id) == (1.0, None)
    resolve = task_named(session, instance_id, "resolve_complaint")
    tasks.complete_task(session, ANNA, resolve.id, {"need_info": True}, utc(23, 11))  # waits for the customer
    instances.deliver_message(session, ANNA, "customer_info_received", complaint.reference, {}, utc(24, 11))
    assert stored_hours(session, complaint.id) == (1.0, None)
    tasks.complete_task(session, ANNA, task_named(session, instance_id, "resolve_complaint").id,
                        {"need_info": False}, utc(24, 15))  # fmt: skip
    # Resolved 30 hours after receipt, 24 of them paused (Monday 11:00 to Tuesday 11:00).
    assert stored_hours(session, complaint.id) == (1.0, 6.0)
    period = KpiFilter(now, now + timedelta(days=1))
    assert kpi.durations(session, period) == (Durations(1, 1.0, 1.0, 1.0), Durations(1, 6.0, 6.0, 6.0))


def test_stored_hours_keep_the_first_resolution_after_a_reopening(session: Session, now: datetime) -> None:
    case = Case.open(session, now)
    case.answer_and_resolve()  # answered after an hour, resolved 10 minutes later
    complaint_id = case.complaint.id
    expected = (1.0, 70 / 60)
    assert stored_hours(session, complaint_id) == expected
    case.give_feedback(csat=2, nps=3)
    case.close()
    case.message("complaint_reopened", {"reopen_reason": "Die Gutschrift fehlt."}, days=5)
    assert case.complaint.status == "reopened" and stored_hours(session, complaint_id) == expected
    case.answer_and_resolve()  # the clock stopped once: the time to resolution stays that of the first resolution
    case.fire_timers_at(case.now + timedelta(days=14, seconds=1))  # no second rating
    case.close()
    assert case.complaint.status == "closed" and stored_hours(session, complaint_id) == expected
    figures = kpi.kpis(session, KpiFilter(now, now + timedelta(days=1)))
    assert (figures.first_response, figures.resolution) == (Durations(1, 1.0, 1.0, 1.0), Durations(1, 1.17, 1.17, 1.17))
    assert figures.reopen_rate == 100.0


def test_the_migration_fills_the_hours_of_existing_complaints(session: Session) -> None:
    seed_kpi_data(session)
    session.execute(update(Complaint).values(first_response_hours=None, resolution_net_hours=None))
    session.commit()
    assert kpi.kpis(session, PERIOD).resolution == Durations(0, None, None, None)
    spec = importlib.util.spec_from_file_location("migration_0009", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.backfill(session.connection())
    session.commit()
    figures = kpi.kpis(session, PERIOD)  # the hand-computed values of tests/cockpit/test_kpi.py
    assert figures.first_response == Durations(4, 3.75, 3.0, 8.0)
    assert figures.resolution == Durations(3, 22.0, 24.0, 36.0)
