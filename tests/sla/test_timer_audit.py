"""Every timer that fires is in the audit trail, also one that fired while its instance ran for another timer.

A scheduler that comes late finds the reminder and the escalation of a complaint both due: firing the first runs the
instance at a time past both, so the second fires in the same step. Its row was marked fired without an audit entry
(two scheduler processes on a loaded machine showed 23 ``timer_fired`` entries for 24 fired timers).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from engine.services.instances import lifecycle as instances
from engine.services.instances.timers import fire_timer
from engine.store.models import TIMER_FIRED, AuditEntry, PendingTimerRow
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import ADMIN, deploy_paths
from tests.sla.helpers import DIAGRAMS

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TARGETS = {"resolution_target": "PT2H", "sla_calendar": "24/7", "escalation_group": "second_level"}


def test_a_timer_that_fires_with_another_is_audited(database: DatabaseUnderTest) -> None:
    with database.session() as session:
        deploy_paths(session, START, DIAGRAMS / "escalation_flow.bpmn")
        instance_id = instances.start_instance(session, ADMIN, "escalation_flow", TARGETS, START).id
    with database.session() as session:
        rows = session.scalars(select(PendingTimerRow).order_by(PendingTimerRow.due_at)).all()
        assert [row.element_id for row in rows] == ["reminder_due", "breached"]
        first_id = rows[0].id
    late = START + timedelta(hours=3)  # past both due times
    with database.session() as session:
        assert fire_timer(session, first_id, late)
    with database.session() as session:
        assert {row.status for row in session.scalars(select(PendingTimerRow))} == {TIMER_FIRED}
        fired = session.scalars(
            select(AuditEntry.element_id).where(
                AuditEntry.action == "timer_fired", AuditEntry.instance_id == instance_id
            )
        ).all()
        assert sorted(fired) == ["breached", "reminder_due"]
        escalated = select(AuditEntry).where(AuditEntry.action == "complaint_escalated")
        assert len(session.scalars(escalated).all()) == 1
