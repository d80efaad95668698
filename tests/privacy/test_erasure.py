"""Erasing a customer: no trace of their data anywhere, the KPIs unchanged, refused while a case is open."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine.domain.actors import Actor
from engine.domain.errors import InvalidState, PermissionDenied
from engine.services.privacy.erasure import erase_customer
from engine.store.channels import CustomerAttachment
from engine.store.complaints import Customer
from engine.store.models import AuditEntry
from engine.store.outbox import OutboxMessage
from tests.conftest import DatabaseUnderTest
from tests.privacy.support import ADMIN, add_history, close, complaint, instance_states, kpi_snapshot, traces
from tests.webui.support import COMPLAINTS, Seeded

# What the seed and add_history/close write about Frau Meier (complaints "billing" and "again").
MEIER = ["Frau Meier", "meier@example.org", "Meier", COMPLAINTS["billing"][2], COMPLAINTS["billing"][3],
         COMPLAINTS["again"][2], COMPLAINTS["again"][3], "meier-tag"]  # fmt: skip


def _close_meier(database: DatabaseUnderTest, seeded: Seeded, now: datetime) -> int:
    with database.session() as session:
        add_history(session, seeded.complaints["billing"], now - timedelta(minutes=50), "meier-tag")
        add_history(session, seeded.complaints["delivery"], now - timedelta(minutes=50), "schulz-tag")
        close(session, seeded.complaints["billing"], now - timedelta(minutes=5))
        close(session, seeded.complaints["again"], now - timedelta(minutes=4), csat=2, nps=3)
        close(session, seeded.complaints["delivery"], now - timedelta(minutes=3), csat=5, nps=10)
        return complaint(session, seeded.complaints["billing"]).customer_id


def test_erasure_leaves_no_trace_and_keeps_every_kpi(
    database: DatabaseUnderTest, seeded: Seeded, now: datetime
) -> None:
    customer_id = _close_meier(database, seeded, now)
    start, end = now - timedelta(days=30), now + timedelta(days=1)
    with database.session() as session:
        assert {needle for _t, _c, needle in traces(session, MEIER)} == set(MEIER)  # the test data is there
        before = kpi_snapshot(session, start, end, now)
        schulz_states = [s for s in instance_states(session).values() if "Herr Schulz" in s]

    with database.session() as session:
        result = erase_customer(session, ADMIN, customer_id, now)
    assert result.complaints == 2 and result.pseudonym.startswith("Pseudonym ")

    with database.session() as session:
        assert traces(session, MEIER) == []
        assert kpi_snapshot(session, start, end, now) == before
        customer = session.get(Customer, customer_id)
        assert customer is not None and customer.name == result.pseudonym and customer.email is None
        assert customer.pseudonymised_at == now
        # The other customers keep everything.
        assert (
            len(
                traces(
                    session,
                    ["Herr Schulz", "schulz@example.org", "Firma Acme", "Tracking says delivered", "schulz-tag"],
                )
            )
            > 10
        )
        assert [s for s in instance_states(session).values() if "Herr Schulz" in s] == schulz_states
        billing = complaint(session, seeded.complaints["billing"])
        assert (billing.category, billing.channel, billing.csat, billing.nps, billing.resolution_met) == (
            "billing", "email", 4, 8, True)  # fmt: skip
        assert (
            session.scalars(select(CustomerAttachment).where(CustomerAttachment.complaint_id == billing.id)).all() == []
        )
        mail = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.complaint_id == billing.id, OutboxMessage.topic == "customer_reply"
            )
        ).one()
        assert (mail.recipient, mail.subject, mail.body) == ("[erased]", "[erased]", "[erased]")
        actions = {e.action: e for e in session.scalars(select(AuditEntry).where(AuditEntry.at == now))}
        assert {"customer_erased", "audit_redacted", "complaint_pseudonymised"} <= set(actions)
        assert actions["customer_erased"].actor == ADMIN.username
        assert actions["customer_erased"].after["customer_id"] == customer_id
        # The append-only guard still holds for every other path.
        entry = actions["customer_erased"]
        entry.message = "changed"
        with pytest.raises(PermissionError):
            session.flush()


def test_erasure_is_refused_while_a_complaint_is_open(
    database: DatabaseUnderTest, seeded: Seeded, now: datetime
) -> None:
    with database.session() as session:
        close(session, seeded.complaints["billing"], now - timedelta(minutes=5))
        customer_id = complaint(session, seeded.complaints["billing"]).customer_id
    with database.session() as session, pytest.raises(InvalidState) as error:
        erase_customer(session, ADMIN, customer_id, now)
    assert seeded.complaints["again"] in str(error.value) and seeded.complaints["billing"] not in str(error.value)
    with database.session() as session:
        assert len(traces(session, ["meier@example.org"])) > 0
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "customer_erased")).all() == []


@pytest.mark.parametrize("role", ["manager", "team_lead", "agent"])
def test_only_an_admin_may_erase(database: DatabaseUnderTest, seeded: Seeded, now: datetime, role: str) -> None:
    customer_id = _close_meier(database, seeded, now)
    with database.session() as session, pytest.raises(PermissionDenied):
        erase_customer(session, Actor("someone", roles=frozenset({role})), customer_id, now)
    with database.session() as session:
        assert session.get(Customer, customer_id).pseudonymised_at is None  # type: ignore[union-attr]
