"""KPI aggregates against values worked out by hand from tests/cockpit/kpi_data.py, on SQLite and PostgreSQL."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store import kpi, kpi_dashboard, kpi_series
from engine.store.complaints import Complaint, Customer
from engine.store.kpi import Durations, KpiFilter
from engine.store.kpi_series import Bucket
from engine.store.models import AuditEntry
from tests.cockpit.kpi_data import END, START, seed_kpi_data
from tests.webui.support import seed

PERIOD = KpiFilter(START, END)


@pytest.fixture
def data(session: Session) -> dict[str, int]:
    return seed_kpi_data(session)


def test_headline_figures(session: Session, data: dict[str, int]) -> None:
    figures = kpi.kpis(session, PERIOD)
    assert (figures.created, figures.resolved, figures.resolution_rate) == (5, 3, 60.0)  # A, B, C of A-E
    assert figures.sla_met == 66.7 and figures.first_response_met == 66.7  # A, C met; A, B responded in time
    assert figures.reopen_rate == 33.3  # C of A, B, C (ever closed)
    assert (figures.upheld, figures.partly_upheld) == (33.3, 33.3)
    assert figures.csat_average == 3.67 and figures.csat_distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert (figures.nps, figures.nps_answers) == (33.3, 3)  # 10 and 9 promote, 3 detracts
    assert figures.first_response == Durations(4, 3.75, 3.0, 8.0)  # 2, 4, 1, 8 hours
    assert figures.resolution == Durations(3, 22.0, 24.0, 36.0)  # 24, 48 - 12 paused, 6 hours


def test_filters_narrow_every_figure(session: Session, data: dict[str, int]) -> None:
    email = kpi.kpis(session, KpiFilter(START, END, channel="email"))
    assert (email.created, email.resolved, email.resolution_rate, email.sla_met) == (2, 2, 100.0, 50.0)
    delivery = kpi.kpis(session, KpiFilter(START, END, category="delivery"))
    assert (delivery.created, delivery.resolved, delivery.reopen_rate) == (2, 1, 100.0)
    assert delivery.first_response == Durations(2, 4.5, 4.5, 8.0)
    billing_team = kpi.kpis(session, KpiFilter(START, END, team="billing"))
    assert (billing_team.created, billing_team.csat_average, billing_team.nps) == (3, 3.5, 0.0)


def test_empty_selection_has_no_rates(session: Session, data: dict[str, int]) -> None:
    figures = kpi.kpis(session, KpiFilter(START, END, channel="letter"))
    assert figures.created == 0 and figures.resolution_rate is None and figures.csat_average is None
    assert figures.first_response == Durations(0, None, None, None)


def test_weekly_daily_and_monthly_series(session: Session, data: dict[str, int]) -> None:
    # F was open at the period start; A, B and F close in the first week; C, D, E open in the second.
    assert kpi_series.over_time(session, PERIOD, "week") == [
        Bucket(date(2026, 11, 2), 2, 3, 0),
        Bucket(date(2026, 11, 9), 3, 0, 3),
    ]
    daily = kpi_series.over_time(session, PERIOD, "day")
    assert len(daily) == 14
    assert [(b.new, b.closed, b.open) for b in daily[:6]] == [(1, 0, 2), (1, 0, 3), (0, 1, 2), (0, 1, 1),
                                                              (0, 1, 0), (0, 0, 0)]  # fmt: skip
    assert daily[-1] == Bucket(date(2026, 11, 15), 0, 0, 3)
    assert kpi_series.over_time(session, PERIOD, "month") == [Bucket(date(2026, 11, 1), 5, 3, 3)]
    with pytest.raises(ValueError):
        kpi_series.over_time(session, PERIOD, "year")


def test_backlog_by_traffic_light(session: Session, data: dict[str, int], now: datetime) -> None:
    # D is overdue, E's clock stopped at amber while it waits, G is green; resolved ones are not backlog.
    assert kpi.backlog_by_light(session, PERIOD, now) == {"red": 1, "amber": 1, "green": 1}
    assert kpi.backlog_by_light(session, KpiFilter(START, END, team="billing"), now) == {
        "red": 1, "amber": 0, "green": 1,
    }  # fmt: skip


def test_top_lists_and_teams(session: Session, data: dict[str, int]) -> None:
    assert kpi.top(session, PERIOD, "category") == [("billing", 3), ("delivery", 2)]
    assert kpi.top(session, PERIOD, "root_cause") == [("pricing", 2), ("carrier", 1)]
    names = [(name, count) for _id, name, count in kpi.top_complainants(session, PERIOD)]
    assert names == [("Meier", 3), ("Acme", 1), ("Schulz", 1)]
    assert [(t.team, t.created, t.resolved, t.sla_met) for t in kpi.per_team(session, PERIOD)] == [
        ("-", 1, 0, None), ("billing", 3, 2, 50.0), ("second_level", 1, 1, 100.0),
    ]  # fmt: skip


def test_percentile_is_nearest_rank() -> None:
    assert kpi.percentile([5.0, 1.0, 3.0], 0.9) == 5.0
    assert kpi.percentile([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert kpi_series.bucket_starts(START, END, "week") == [date(2026, 11, 2), date(2026, 11, 9)]


def test_a_reopening_in_the_audit_trail_counts_as_reopened(session: Session, now: datetime) -> None:
    """record_reopening clears closed_at and leaves an audit entry; the entry alone marks the complaint reopened."""
    seeded = seed(session, now)
    closed, reopened = (
        session.scalars(select(Complaint).where(Complaint.reference == seeded.complaints[key])).one()
        for key in ("billing", "delivery")
    )
    closed.closed_at = now
    session.add(AuditEntry(at=now, actor="system", action="complaint_reopened", instance_id=reopened.instance_id))
    session.commit()
    window = KpiFilter(now - timedelta(days=7), now + timedelta(days=1))
    assert kpi.kpis(session, window).reopen_rate == 50.0  # delivery reopened, of billing (closed) and delivery
    assert kpi.task_assignment(session, window) == {"assigned": 0, "unassigned": 4}


def test_the_database_picks_median_and_p90_like_python(session: Session) -> None:
    """The window query (kpi_sql) against statistics.median and the nearest-rank percentile, odd and even counts."""
    customer = Customer(name="Rank", email="rank@example.org", created_at=START)
    session.add(customer)
    session.flush()
    opened = datetime(2026, 12, 1, tzinfo=UTC)
    hours = [7.5, 1.0, 3.25, 10.0, 2.0, 2.0, 8.0, 4.0, 9.0, 5.0]
    for number, value in enumerate(hours):
        session.add(
            Complaint(reference=f"C-R-{number}", customer_id=customer.id, channel="web", subject="s", description="d",
                      created_by="test", created_at=opened + timedelta(minutes=number), updated_at=opened,
                      first_response_at=opened + timedelta(minutes=number, hours=value), sla_pauses=[], extra={})
        )  # fmt: skip
    session.commit()
    for count in (10, 9, 1):
        window = KpiFilter(opened, opened + timedelta(minutes=count))
        values = hours[:count]
        expected = Durations(count, round(statistics.fmean(values), 2), statistics.median(values),
                             kpi.percentile(values, 0.9))  # fmt: skip
        assert kpi.durations(session, window)[0] == expected, count


def test_the_dashboard_call_agrees_with_each_figure(session: Session, data: dict[str, int], now: datetime) -> None:
    board = kpi_dashboard.dashboard(session, PERIOD, "week", now)
    assert board.figures == kpi.kpis(session, PERIOD)
    assert board.series == kpi_series.over_time(session, PERIOD, "week")
    assert board.teams == kpi.per_team(session, PERIOD)
    assert board.categories == kpi.top(session, PERIOD, "category") == [("billing", 3), ("delivery", 2)]
    assert board.root_causes == [("pricing", 2), ("carrier", 1)]
    assert board.backlog == kpi.backlog_by_light(session, PERIOD, now)
    assert [(name, n) for _id, name, n in board.complainants] == [("Meier", 3), ("Acme", 1), ("Schulz", 1)]
    assert kpi.top(session, PERIOD, "channel") == [("email", 2), ("web", 2), ("phone", 1)]
