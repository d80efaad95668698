"""The per-day summary rows of the returns (engine.store.return_days) stay equal to a recount from scratch after a
random mix of events written through the ORM in many units of work: received, final response, closure, reopening,
transfer (another team, and another product group), pause, outcome, redress, root cause; including a unit of work
rolled back after its flush. Then every return figure from the summary equals the figure counted from the complaints
(engine.store.returns.compute, the click-through's own conditions) for several periods.
"""

from __future__ import annotations

import importlib.util
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from engine.domain.classification import PRODUCT_GROUPS
from engine.services.casework.responses import record_closure, record_reopening, record_response
from engine.services.regulation.library import shipped_return_map
from engine.store import returns, returns_by_day, returns_tables, trends
from engine.store.complaints import Complaint, Customer
from engine.store.return_days import ReturnDay, ReturnMonth, recounted, stored
from tests.conftest import DatabaseUnderTest
from tests.register.cases import add_cases

BASE = datetime(2025, 1, 1, tzinfo=UTC)
PRODUCTS = (None, "Card payment", " Custody ACCOUNT", "Current account")
CAUSES = (None, "billing_error", "delay", "staff_conduct")


def _new(rng: random.Random, customer: Customer, number: int) -> Complaint:
    received = BASE + timedelta(minutes=rng.randrange(300 * 24 * 60))
    return Complaint(
        reference=f"RD-{number:04d}", customer=customer, channel="email", subject="s", description="d",
        created_at=received, created_by="test", updated_at=received, currency=rng.choice(("EUR", "GBP")),
        product_group=rng.choice((*PRODUCT_GROUPS, None)), product=rng.choice(PRODUCTS), category="billing",
    )  # fmt: skip


def _event(rng: random.Random, complaint: Complaint) -> None:
    """One event on the complaint, at a time after its receipt and its previous events."""
    moment = max(complaint.updated_at, complaint.created_at) + timedelta(hours=rng.uniform(1, 24 * 40))
    kind = rng.choice(("final", "final", "close", "reopen", "transfer", "pause", "outcome", "redress", "cause"))
    if kind == "final":
        record_response(complaint, "final", moment)
    elif kind == "close":
        record_closure(complaint, moment)
    elif kind == "reopen" and complaint.settled_at is not None:
        record_reopening(complaint, moment)
    elif kind == "transfer":
        complaint.responsible_group = rng.choice(("agent", "second_level", "legal"))
        complaint.product_group = rng.choice((*PRODUCT_GROUPS, None))
    elif kind == "pause":
        complaint.status, complaint.sla_paused_at = "waiting_customer", moment
    elif kind == "outcome":
        complaint.outcome = rng.choice(("upheld", "partly_upheld", "rejected", "no_response", None))
    elif kind == "redress":
        complaint.resolution_amount = rng.choice((None, Decimal("0"), Decimal(rng.randrange(1, 50000)) / 100))
        complaint.resolution_currency = rng.choice((None, "EUR", "GBP"))
    elif kind == "cause":
        complaint.root_cause = rng.choice(CAUSES)
        complaint.product = rng.choice(PRODUCTS)
    complaint.updated_at = moment


def _periods() -> list[tuple[datetime, datetime]]:
    return [
        (BASE, BASE + timedelta(days=365)),
        (BASE + timedelta(days=90), BASE + timedelta(days=181)),
        (BASE + timedelta(days=200), BASE + timedelta(days=201)),
        (BASE + timedelta(days=400), BASE + timedelta(days=500)),
    ]


def test_the_summary_equals_a_recount_after_random_events(database: DatabaseUnderTest) -> None:
    rng = random.Random(19)
    with database.session() as session:
        customer = Customer(name="Random", email="random@example.org", created_at=BASE)
        session.add(customer)
        session.add_all(_new(rng, customer, number) for number in range(60))
        session.commit()
        customer_id = customer.id
    for round_number in range(12):  # a fresh session each time: the complaints are loaded (or not) anew
        with database.session() as session:
            complaints = list(session.scalars(select(Complaint).order_by(Complaint.id)))
            for complaint in rng.sample(complaints, 15):
                _event(rng, complaint)
                if rng.random() < 0.3:
                    session.flush()  # several flushes in one unit of work
                    _event(rng, complaint)
            if round_number % 4 == 3:
                session.add(_new(rng, session.get_one(Customer, customer_id), 100 + round_number))
            if round_number == 5:
                session.flush()
                session.rollback()  # written to the summary in the flush, taken back with the complaints
            else:
                session.commit()
        with database.session() as session:
            for model in (ReturnDay, ReturnMonth):
                connection = session.connection()
                assert stored(connection, model) == recounted(connection, model), f"{model.__name__} {round_number}"
    _same_figures_both_ways(database)


def _same_figures_both_ways(database: DatabaseUnderTest) -> None:
    mapping = shipped_return_map()
    with database.session() as session:
        settled = session.scalar(select(Complaint.id).where(Complaint.settled_at.is_not(None)).limit(1))
        assert settled is not None  # the random events did settle complaints (else the check below says little)
        for start, end in _periods():
            for kind in (returns.FCA, returns.BAFIN):
                by_mapping = mapping if kind is returns.BAFIN else None
                grouping = returns_tables.category_expression(mapping) if by_mapping else None
                groups = mapping.category_ids() if by_mapping else returns.GROUPS
                counted = returns.compute(session, kind, start, end, grouping=grouping, groups=groups)
                summed = returns_by_day.compute(session, kind, start, end, mapping=by_mapping)
                assert summed.rows() == counted.rows(), (kind.name, start, end)
            tables = [returns_tables.cause_table(session, mapping, start, e) for e in (end, end - timedelta(seconds=1))]
            # The second period ends a second before midnight: counted from the complaints; nothing was received
            # in that last second of the seeded data.
            assert tables[0] == tables[1]
            for bucket in ("day", "week", "month"):
                series = trends.root_cause_trends(session, start, end, bucket)
                detail = trends.root_cause_trends(session, start, end - timedelta(microseconds=1), bucket)
                assert series == detail, (bucket, start, end)


VERSIONS = Path(__file__).resolve().parents[2] / "engine/store/migrations/versions"


@pytest.mark.parametrize(
    ("migration", "model"), [("0023_return_day_summary", ReturnDay), ("0024_return_month_summary", ReturnMonth)]
)
def test_the_migrations_fill_the_summaries_from_the_complaints(
    session: Session, migration: str, model: type[ReturnDay] | type[ReturnMonth]
) -> None:
    add_cases(session)  # the hand-made cases: reopened, transferred, paused, several currencies
    expected = recounted(session.connection(), model)
    assert len(expected) > 10
    session.execute(delete(model))  # as before the migration: complaints, no summary
    session.commit()
    spec = importlib.util.spec_from_file_location(migration, VERSIONS / f"{migration}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.backfill(session.connection())
    session.commit()
    assert stored(session.connection(), model) == expected


def test_a_complaint_write_holds_no_summary_lock_before_its_commit(database: DatabaseUnderTest) -> None:
    """Two units of work writing complaints received on the same day and product group overlap.

    The summary row they both add to is written at each one's commit, not at its first flush, so the second
    flushes without waiting for the first to finish (on SQLite every writer queues on the file anyway).
    """
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time whatever the summary does")
    rng = random.Random(7)
    with database.session() as setup:
        customer = Customer(name="Lock", email="lock@example.org", created_at=BASE)
        setup.add(customer)
        setup.commit()
        customer_id = customer.id
    with database.session() as first, database.session() as second:
        for number, session in ((9001, first), (9002, second)):
            complaint = _new(rng, session.get(Customer, customer_id), number)
            complaint.created_at = complaint.updated_at = BASE
            complaint.product_group, complaint.product, complaint.currency = PRODUCT_GROUPS[0], "Card payment", "EUR"
            session.add(complaint)
        first.flush()
        second.execute(text("SET LOCAL lock_timeout = '2s'"))
        second.flush()  # waited on the first's summary row, until the lock timeout, while it was written at flush
        first.commit()
        second.commit()
    with database.session() as session:
        assert stored(session.connection()) == recounted(session.connection())
