"""The timer scheduler also sweeps the legal deadlines: a running scheduler records a breach by itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from engine.scheduler import SchedulerOptions, TimerScheduler
from engine.store.regulation import RegulatoryDeadline
from tests.conftest import DatabaseUnderTest
from tests.processes.support import Case
from tests.sla.test_scheduler import wait_for


def test_a_running_scheduler_records_a_passed_legal_deadline(database: DatabaseUnderTest) -> None:
    received = datetime.now(UTC) - timedelta(days=60)  # 15 business days have long passed
    with database.session() as session:
        Case.open(session, received, product_group="payment_services", amount_disputed=None)

    def breached() -> bool:
        with database.session() as session:
            return session.scalars(select(RegulatoryDeadline.status)).all() == ["breached"]

    scheduler = TimerScheduler(database.sessions, SchedulerOptions(poll_interval=0.2, regulation_interval=0.2))
    try:
        scheduler.start()
        wait_for(breached)
    finally:
        scheduler.stop()
