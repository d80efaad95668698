"""A small hand-made complaint data set for the KPI tests, inserted as rows (no workflow needed).

Period under test: Monday 2026-11-02 00:00 to Monday 2026-11-16 00:00 UTC (two weeks). The expected values
in test_kpi.py are worked out by hand from the table below; keep both in step.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.store.complaints import Complaint, Customer

START = datetime(2026, 11, 2, tzinfo=UTC)
END = datetime(2026, 11, 16, tzinfo=UTC)


def at(day: int, hour: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def seed_kpi_data(session: Session) -> dict[str, int]:
    """Customers Meier, Schulz, Acme and complaints A-G; returns the complaint ids by letter."""
    customers = {name: Customer(name=name, email=f"{name.lower()}@example.org", created_at=at(1, month=10))
                 for name in ("Meier", "Schulz", "Acme")}  # fmt: skip
    session.add_all(customers.values())
    session.flush()
    rows: dict[str, dict[str, Any]] = {
        # Resolved after 24 h, upheld, closed; first response after 2 h.
        "A": dict(customer="Meier", created_at=at(2, 10), channel="email", category="billing", team="billing",
                  first_response_at=at(2, 12), resolved_at=at(3, 10), closed_at=at(4, 10), resolution_met=True,
                  first_response_met=True, outcome="upheld", root_cause="pricing", csat=5, nps=10, status="closed"),
        # 48 h gross to resolution, 12 h of it waiting for the customer: 36 h net.
        "B": dict(customer="Meier", created_at=at(3, 8), channel="email", category="billing", team="billing",
                  first_response_at=at(3, 12), resolved_at=at(5, 8), closed_at=at(6, 8), resolution_met=False,
                  first_response_met=True, outcome="rejected", root_cause="pricing", csat=2, nps=3, status="closed",
                  sla_pauses=[[at(4, 8).isoformat(), at(4, 20).isoformat()]]),
        # Resolved after 6 h, closed, then reopened by the customer (closed_at cleared again).
        "C": dict(customer="Schulz", created_at=at(9, 9), channel="phone", category="delivery", team="second_level",
                  first_response_at=at(9, 10), resolved_at=at(9, 15), resolution_met=True, first_response_met=False,
                  outcome="partly_upheld", root_cause="carrier", csat=4, nps=9, status="reopened"),
        # Open and overdue: red at now (2026-11-23).
        "D": dict(customer="Meier", created_at=at(10, 12), channel="web", category="billing", team="billing",
                  resolution_due_at=at(11, 12), resolution_amber_at=at(11, 0), status="open"),
        # Waiting for the customer since before its due time: the clock stands at amber.
        "E": dict(customer="Acme", created_at=at(12, 12), channel="web", category="delivery", team=None,
                  first_response_at=at(12, 20), resolution_due_at=at(14, 12), resolution_amber_at=at(13, 0),
                  sla_paused_at=at(13, 12), sla_pauses=[[at(13, 12).isoformat(), None]], status="waiting_customer"),
        # Opened before the period, closed inside it.
        "F": dict(customer="Acme", created_at=at(30, 10, month=10), channel="email", category="billing",
                  team="billing", first_response_at=at(30, 11, month=10), resolved_at=at(4, 10), closed_at=at(5, 10),
                  status="closed"),
        # Opened after the period, still green at now.
        "G": dict(customer="Schulz", created_at=at(20, 9), channel="web", category="billing", team="billing",
                  resolution_due_at=at(30, 9), resolution_amber_at=at(28, 9), status="open"),
    }  # fmt: skip
    ids = {}
    for number, (letter, values) in enumerate(rows.items(), start=1):
        values = dict(values)
        complaint = Complaint(
            reference=f"C-2026-{number:06d}",
            customer_id=customers[values.pop("customer")].id,
            responsible_group=values.pop("team"),
            subject=f"Complaint {letter}",
            description="KPI test data",
            created_by="test",
            updated_at=values["created_at"],
            sla_pauses=values.pop("sla_pauses", []),
            extra={},
            **values,
        )
        session.add(complaint)
        session.flush()
        ids[letter] = complaint.id
    session.commit()
    return ids
