"""A small hand-made case list for the returns of the second half of 2025 (period 2025-07-01 to 2025-12-31).

Each case says why it counts where. The expected figures in test_returns.py are counted by hand from these
comments, never by the code under test. Dates are UTC; business days are England and Wales (2025-08-25 and
2025-12-25/26 are bank holidays, none of them inside a band below). The period lies a year before the web
tests' seeded complaints (2026-11-23), so those never count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from engine.services.casework.responses import record_closure, record_reopening, record_response
from engine.store.complaints import Complaint, Customer

START = datetime(2025, 7, 1, tzinfo=UTC)
END = datetime(2026, 1, 1, tzinfo=UTC)


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@dataclass
class Case:
    reference: str
    product_group: str | None
    received: datetime
    outcome: str | None = None
    redress: str | None = None
    # (what, when): "final" final response, "close" closure, "reopen" reopening, in this order
    steps: list[tuple[str, datetime]] = field(default_factory=list)
    paused: bool = False
    transferred: bool = False
    currency: str | None = None  # of the redress; None: the complaint's (EUR)
    product: str | None = None  # the returns' mapping (processes/regulation/returns.toml) reads it


CASES = [
    # A: received before the period, final response on 10 July (20 days: after 3 business days, within 8 weeks):
    #    outstanding at the start; closed in the period, band 8 weeks; upheld; redress 50.
    Case("R-A", "payment_services", at("2025-06-20"), "upheld", "50", [("final", at("2025-07-10"))]),
    # B: received Monday 4 Aug, final response Wednesday 6 Aug (2 business days): received, closed within 3 days;
    #    rejected, no redress.
    #    Product "Card payment": the FCA product row "Card payments"; no BaFin category, so "Other".
    Case(
        "R-B",
        "payment_services",
        at("2025-08-04"),
        "rejected",
        None,
        [("final", at("2025-08-06"))],
        product="Card payment",
    ),  # fmt: skip
    # C: received 20 Dec, no answer yet: received, still open at the end (open across the period end).
    Case("R-C", "payment_services", at("2025-12-20")),
    # M: received 28 Dec, final response 5 Jan 2026 (after the period): received, still open at the end, not closed.
    Case("R-M", "payment_services", at("2025-12-28"), "upheld", "5", [("final", at("2026-01-05"))]),
    # D: received at the very start of the period (00:00 on 1 July, start inclusive), final response 15 Oct
    #    (106 days): received, closed after 8 weeks; partly upheld counts as upheld; redress 120.50.
    #    Product " Custody ACCOUNT" (case and spaces do not matter): BaFin category custody business.
    Case(
        "R-D",
        "banking_credit_cards",
        at("2025-07-01", 0),
        "partly_upheld",
        "120.50",
        [("final", at("2025-10-15"))],
        product=" Custody ACCOUNT",
    ),  # fmt: skip
    # E: received 1 Sep, final response 10 Sep, closed 12 Sep, reopened 20 Sep and not answered again: received;
    #    open again, so not closed in the period and still open at the end (reopened case).
    Case(
        "R-E",
        "banking_credit_cards",
        at("2025-09-01"),
        "upheld",
        "0",
        [("final", at("2025-09-10")), ("close", at("2025-09-12")), ("reopen", at("2025-09-20"))],
    ),  # fmt: skip
    # F: received 1 May, final response 10 May, reopened 15 June (so open on 1 July), final response again 20 Aug
    #    (111 days after receipt): outstanding at the start; closed in the period after 8 weeks; rejected with a
    #    goodwill payment of 10 (redress, but not upheld).
    Case(
        "R-F",
        "banking_credit_cards",
        at("2025-05-01"),
        "rejected",
        "10",
        [
            ("final", at("2025-05-10")),
            ("close", at("2025-05-12")),
            ("reopen", at("2025-06-15")),
            ("final", at("2025-08-20")),
        ],
    ),  # fmt: skip
    # G: received 3 Nov, waiting for the customer (SLA clock paused): received, still open at the end; a pause
    #    changes nothing in the returns (paused case).
    Case("R-G", "insurance_pure_protection", at("2025-11-03"), paused=True),
    # H: received Monday 6 Oct, handed to another team (transferred), final response Wednesday 8 Oct: received,
    #    closed within 3 days, upheld, redress 0 (counted once, whoever handled it).
    Case("R-H", "investments", at("2025-10-06"), "upheld", "0", [("final", at("2025-10-08"))], transferred=True),
    # I: received and answered in March 2025: nothing in the period, not outstanding at the start.
    Case("R-I", "home_finance", at("2025-03-01"), "upheld", "7", [("final", at("2025-03-20"))]),
    # J: received at 00:00 on 1 Jan 2026, the period's exclusive end: nothing in the period.
    Case("R-J", "home_finance", at("2026-01-01", 0)),
    # K: no product group, received 15 Jul, answered 16 Jul: counted in the "no product group" row; received,
    #    closed within 3 days, rejected.
    Case("R-K", None, at("2025-07-15"), "rejected", None, [("final", at("2025-07-16"))]),
    # L: received 1 Sep, closed on 30 Nov without a final response (the customer never answered): closed in the
    #    period after 8 weeks (90 days); outcome no_response is not upheld.
    Case("R-L", "other_goods_services", at("2025-09-01"), "no_response", None, [("close", at("2025-11-30"))]),
    # N: received Monday 1 Sep, final response Wednesday 3 Sep (2 business days), upheld, redress 30 in GBP: received,
    #    closed within 3 days, upheld; its redress is GBP and is never added to the EUR redress.
    Case("R-N", "payment_services", at("2025-09-01"), "upheld", "30", [("final", at("2025-09-03"))], currency="GBP"),
]


def add_cases(session: Session) -> None:
    """Insert the cases, taking each through the same bookkeeping the process actions use."""
    customer = Customer(name="Hand Made", email="hand@example.org", created_at=START)
    session.add(customer)
    for case in CASES:
        complaint = Complaint(
            reference=case.reference, customer=customer, channel="email", subject=case.reference,
            description="hand-made case", created_at=case.received, created_by="test", updated_at=case.received,
            product_group=case.product_group, outcome=case.outcome, category="billing", root_cause="billing_error",
            resolution_amount=Decimal(case.redress) if case.redress is not None else None,
            resolution_currency=case.currency, product=case.product,
            responsible_group="second_level" if case.transferred else "agent",
            status="waiting_customer" if case.paused else "open",
            sla_paused_at=at("2025-11-05") if case.paused else None,
            sla_pauses=[[at("2025-11-05").isoformat(), None]] if case.paused else [],
        )  # fmt: skip
        session.add(complaint)
        for what, moment in case.steps:
            if what == "final":
                record_response(complaint, "final", moment)
            elif what == "close":
                record_closure(complaint, moment)
            else:
                record_reopening(complaint, moment)
    session.commit()
