"""KPI read queries for the manager cockpit: SQL aggregates over complaint rows, never workflow state.

Every figure is for the complaints *opened* in a period ``[start, end)`` and matching the filters (channel,
category, team = ``responsible_group``), except the backlog and the task assignment counts, which describe
the open work at ``now``. Counts, rates and top lists are ``GROUP BY`` queries; durations are read as two
timestamp columns per complaint and their mean, median and p90 are computed in Python, because percentile
functions differ between SQLite and PostgreSQL and the selection is already narrowed by the indexed filters.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, String, case, cast, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.store.complaints import Complaint, Customer
from engine.store.models import TASK_COMPLETED, TASK_OPEN, AuditEntry, HumanTask
from engine.store.queries import TRAFFIC_LIGHTS
from engine.store.sla_queries import complaint_light_sql

_Q = TypeVar("_Q", bound=Select[*tuple[Any, ...]])  # any select; the filters keep its row type
BUCKETS = ("day", "week", "month")
BACKLOG_STATUSES = ("new", "open", "waiting_customer", "reopened")
TOP_DIMENSIONS = {"category": Complaint.category, "root_cause": Complaint.root_cause, "channel": Complaint.channel}
REOPENED_ACTION = "complaint_reopened"  # the audit action record_reopening writes


@dataclass(frozen=True)
class KpiFilter:
    """The period (opened in ``[start, end)``, aware datetimes) and the optional dimension filters."""

    start: datetime
    end: datetime
    channel: str | None = None
    category: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class Bucket:
    """One day, week (starting Monday) or month: complaints opened and closed in it, open at its end."""

    start: date
    new: int
    closed: int
    open: int


@dataclass(frozen=True)
class Durations:
    """Summary of durations in hours; ``None`` when there is nothing to summarise."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None


@dataclass
class Kpis:
    """All dashboard figures for one filter."""

    created: int = 0
    resolved: int = 0
    resolution_rate: float | None = None  # resolved / opened, percent
    sla_met: float | None = None  # resolution SLA met, percent of complaints with a verdict
    first_response_met: float | None = None
    reopen_rate: float | None = None  # reopened / ever closed, percent
    upheld: float | None = None  # outcome "upheld", percent of complaints with an outcome
    partly_upheld: float | None = None
    csat_average: float | None = None
    csat_distribution: dict[int, int] = field(default_factory=dict)  # score 1..5 -> count
    nps: float | None = None  # promoters (9-10) minus detractors (0-6), percent of answers
    nps_answers: int = 0
    first_response: Durations = Durations(0, None, None, None)
    resolution: Durations = Durations(0, None, None, None)  # net of SLA pauses (waiting for the customer)


def filtered(query: _Q, kpi: KpiFilter, period: bool = True) -> _Q:
    if period:
        query = query.where(Complaint.created_at >= kpi.start, Complaint.created_at < kpi.end)
    if kpi.channel:
        query = query.where(Complaint.channel == kpi.channel)
    if kpi.category:
        query = query.where(Complaint.category == kpi.category)
    if kpi.team:
        query = query.where(Complaint.responsible_group == kpi.team)
    return query


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (the smallest value with at least ``share`` of the values at or below it)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summarise(hours: Sequence[float]) -> Durations:
    """Mean, median and p90 of durations given in hours, rounded to 0.01 h."""
    if not hours:
        return Durations(0, None, None, None)
    return Durations(
        len(hours),
        round(statistics.fmean(hours), 2),
        round(statistics.median(hours), 2),
        round(percentile(hours, 0.9), 2),
    )


def _paused_seconds(pauses: list[list[str | None]] | None, start: datetime, stop: datetime) -> float:
    """Seconds of SLA pauses that fall between ``start`` and ``stop`` (an open pause runs until ``stop``)."""
    total = 0.0
    for entry in pauses or []:
        if not entry or entry[0] is None:
            continue
        begin = max(datetime.fromisoformat(entry[0]), start)
        finish = min(datetime.fromisoformat(entry[1]) if len(entry) > 1 and entry[1] else stop, stop)
        total += max(0.0, (finish - begin).total_seconds())
    return total


def _reopened_sql() -> ColumnElement[bool]:
    """A complaint counts as reopened when its status says so or its instance has a reopening audit entry.

    The audit side is an uncorrelated ``IN``: the database builds the (small) set of reopened instances once,
    instead of probing the audit log for every complaint of the period.
    """
    audited = select(AuditEntry.instance_id).where(
        AuditEntry.action == REOPENED_ACTION, AuditEntry.instance_id.is_not(None)
    )
    return or_(Complaint.status == "reopened", Complaint.instance_id.in_(audited))


def kpis(session: Session, kpi: KpiFilter) -> Kpis:
    """The headline figures: rates in one aggregate query, then CSAT, NPS and the durations."""
    reopened = _reopened_sql()
    row = session.execute(
        filtered(
            select(
                func.count(Complaint.id),
                func.count(Complaint.resolved_at),
                func.sum(case((Complaint.resolution_met.is_(True), 1), else_=0)),
                func.count(Complaint.resolution_met),
                func.sum(case((Complaint.first_response_met.is_(True), 1), else_=0)),
                func.count(Complaint.first_response_met),
                func.sum(case((reopened, 1), else_=0)),
                func.sum(case((or_(Complaint.closed_at.is_not(None), reopened), 1), else_=0)),
                func.sum(case((Complaint.outcome == "upheld", 1), else_=0)),
                func.sum(case((Complaint.outcome == "partly_upheld", 1), else_=0)),
                func.count(Complaint.outcome),
            ),
            kpi,
        )
    ).one()
    created, resolved, met, judged, fr_met, fr_judged, reopen, ever_closed, upheld, partly, decided = (
        int(value or 0) for value in row
    )
    result = Kpis(
        created=created,
        resolved=resolved,
        resolution_rate=_percent(resolved, created),
        sla_met=_percent(met, judged),
        first_response_met=_percent(fr_met, fr_judged),
        reopen_rate=_percent(reopen, ever_closed),
        upheld=_percent(upheld, decided),
        partly_upheld=_percent(partly, decided),
    )
    csat = session.execute(
        filtered(select(Complaint.csat, func.count()), kpi).where(Complaint.csat.is_not(None)).group_by(Complaint.csat)
    ).all()
    result.csat_distribution = {score: 0 for score in range(1, 6)} | {int(s or 0): int(n) for s, n in csat}
    answers = sum(result.csat_distribution.values())
    if answers:
        weighted = sum(score * count for score, count in result.csat_distribution.items())
        result.csat_average = round(weighted / answers, 2)
    nps = session.execute(
        filtered(
            select(
                func.count(Complaint.nps),
                func.sum(case((Complaint.nps >= 9, 1), else_=0)),
                func.sum(case((Complaint.nps <= 6, 1), else_=0)),
            ),
            kpi,
        )
    ).one()
    result.nps_answers = int(nps[0] or 0)
    if result.nps_answers:
        result.nps = round(100.0 * (int(nps[1] or 0) - int(nps[2] or 0)) / result.nps_answers, 1)
    result.first_response, result.resolution = durations(session, kpi)
    return result


def _hours_sql(start: Any, stop: Any, dialect: str) -> ColumnElement[Any]:
    """Hours from ``start`` to ``stop`` as a float computed by the database (no datetime parsing in Python)."""
    if dialect == "postgresql":
        return func.extract("epoch", stop - start) / 3600.0
    return (func.julianday(stop) - func.julianday(start)) * 24.0


def durations(session: Session, kpi: KpiFilter) -> tuple[Durations, Durations]:
    """First response time and time to resolution (net of SLA pauses) of the complaints opened in the period.

    The database hands back hours as floats; only paused complaints are read with timestamps, to subtract
    the pauses (their JSON is not portable to take apart in SQL).
    """
    dialect = session.get_bind().dialect.name
    first_hours = _hours_sql(Complaint.created_at, Complaint.first_response_at, dialect)
    gross_hours = _hours_sql(Complaint.created_at, Complaint.resolved_at, dialect)
    rows = session.execute(
        filtered(select(Complaint.id, first_hours, gross_hours), kpi).where(
            or_(Complaint.first_response_at.is_not(None), Complaint.resolved_at.is_not(None))
        )
    ).all()
    paused = session.execute(
        filtered(select(Complaint.id, Complaint.created_at, Complaint.resolved_at, Complaint.sla_pauses), kpi).where(
            Complaint.resolved_at.is_not(None), cast(Complaint.sla_pauses, String) != "[]"
        )
    ).all()
    paused_hours = {
        cid: _paused_seconds(pauses, created, resolved) / 3600
        for cid, created, resolved, pauses in paused
        if resolved is not None
    }
    first = [float(hours) for _id, hours, _gross in rows if hours is not None]
    resolution = [float(gross) - paused_hours.get(cid, 0.0) for cid, _first, gross in rows if gross is not None]
    return summarise(first), summarise(resolution)


def _bucket_sql(column: Any, bucket: str, dialect: str) -> ColumnElement[str]:
    """The first day of the column's day/week/month as 'YYYY-MM-DD' text, in UTC, on either database."""
    if dialect == "postgresql":
        return func.to_char(func.date_trunc(bucket, func.timezone("UTC", column)), "YYYY-MM-DD")
    if bucket == "day":
        return func.strftime("%Y-%m-%d", column)
    if bucket == "week":  # SQLite: the coming Sunday (or today), minus six days, is the week's Monday
        return func.date(column, "weekday 0", "-6 days")
    return func.strftime("%Y-%m-01", column)


def bucket_starts(start: datetime, end: datetime, bucket: str) -> list[date]:
    """The first days of all buckets overlapping ``[start, end)``, in order."""
    if bucket not in BUCKETS:
        raise ValueError(f"unknown bucket {bucket!r}; use one of {', '.join(BUCKETS)}")
    day = start.date()
    if bucket == "week":
        day -= timedelta(days=day.weekday())
    elif bucket == "month":
        day = day.replace(day=1)
    starts = []
    while datetime(day.year, day.month, day.day, tzinfo=start.tzinfo) < end:
        starts.append(day)
        if bucket == "day":
            day += timedelta(days=1)
        elif bucket == "week":
            day += timedelta(days=7)
        else:
            day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return starts


def over_time(session: Session, kpi: KpiFilter, bucket: str = "day") -> list[Bucket]:
    """New, closed and (at each bucket's end) open complaints per bucket of the period.

    Open at a bucket's end = open at the start + opened so far − closed so far; open at the start = opened
    before it (index-only count) − closed before it (a bucket of the closed query). "Closed" is ``closed_at``:
    a reopened complaint has it cleared and counts as open again.
    """
    starts = bucket_starts(kpi.start, kpi.end, bucket)
    dialect = session.get_bind().dialect.name
    new_key = _bucket_sql(Complaint.created_at, bucket, dialect)
    new = dict(session.execute(filtered(select(new_key, func.count()), kpi).group_by(new_key)).all())
    # One pass over the closed complaints: those closed before the period fall into the "before" bucket.
    in_period = _bucket_sql(Complaint.closed_at, bucket, dialect)
    closed_key = case((Complaint.closed_at < kpi.start, "before"), else_=in_period)
    closed: dict[Any, Any] = dict(
        session.execute(
            filtered(select(closed_key, func.count()), kpi, period=False)
            .where(Complaint.closed_at < kpi.end)
            .group_by(closed_key)
        ).all()
    )
    opened_before = session.execute(
        filtered(select(func.count(Complaint.id)), kpi, period=False).where(Complaint.created_at < kpi.start)
    ).scalar_one()
    open_now = int(opened_before) - int(closed.get("before", 0))
    series = []
    for day in starts:
        key = day.isoformat()
        opened, shut = int(new.get(key, 0)), int(closed.get(key, 0))
        open_now += opened - shut
        series.append(Bucket(day, opened, shut, open_now))
    return series


def backlog_by_light(session: Session, kpi: KpiFilter, now: datetime) -> dict[str, int]:
    """Unresolved complaints (any opening date) per traffic light of the resolution clock at ``now``."""
    light = complaint_light_sql(now)
    rows = session.execute(
        filtered(select(light, func.count()), kpi, period=False)
        # The status condition is implied by the other two; it is there so that the status index narrows the scan.
        .where(Complaint.status.in_(BACKLOG_STATUSES), Complaint.resolved_at.is_(None), Complaint.closed_at.is_(None))
        .group_by(light)
    ).all()
    return {colour: 0 for colour in TRAFFIC_LIGHTS} | {str(colour): int(count) for colour, count in rows}


def task_assignment(session: Session, kpi: KpiFilter) -> dict[str, int]:
    """Open human tasks of the filtered complaints (any opening date): assigned to someone or not."""
    assigned = case((HumanTask.assignee.is_(None), "unassigned"), else_="assigned")
    rows = session.execute(
        filtered(select(assigned, func.count()).select_from(Complaint), kpi, period=False)
        .join(HumanTask, HumanTask.instance_id == Complaint.instance_id)
        .where(HumanTask.status == TASK_OPEN)
        .group_by(assigned)
    ).all()
    return {"assigned": 0, "unassigned": 0} | {str(key): int(count) for key, count in rows}


def top(session: Session, kpi: KpiFilter, dimension: str, limit: int = 10) -> list[tuple[str, int]]:
    """The most frequent categories, root causes or channels of the period, most frequent first."""
    column = TOP_DIMENSIONS[dimension]
    rows = session.execute(
        filtered(select(column, func.count().label("n")), kpi)
        .where(column.is_not(None))
        .group_by(column)
        .order_by(func.count().desc(), column)
        .limit(limit)
    ).all()
    return [(str(value), int(count)) for value, count in rows]


def top_complainants(session: Session, kpi: KpiFilter, limit: int = 10) -> list[tuple[int, str, int]]:
    """Customers with the most complaints opened in the period: (customer id, name, count)."""
    rows = session.execute(
        filtered(select(Customer.id, Customer.name, func.count(Complaint.id)).select_from(Complaint), kpi)
        .join(Customer, Customer.id == Complaint.customer_id)
        .group_by(Customer.id, Customer.name)
        .order_by(func.count(Complaint.id).desc(), Customer.name)
        .limit(limit)
    ).all()
    return [(int(cid), str(name), int(count)) for cid, name, count in rows]


@dataclass(frozen=True)
class TeamRow:
    """Per responsible group: opened, resolved and resolution-SLA figures in the period."""

    team: str
    created: int
    resolved: int
    sla_met: float | None


def per_team(session: Session, kpi: KpiFilter) -> list[TeamRow]:
    """Figures per responsible group (``-`` for complaints no group is responsible for yet)."""
    team = func.coalesce(Complaint.responsible_group, "-")
    rows = session.execute(
        filtered(
            select(
                team,
                func.count(Complaint.id),
                func.count(Complaint.resolved_at),
                func.sum(case((Complaint.resolution_met.is_(True), 1), else_=0)),
                func.count(Complaint.resolution_met),
            ),
            kpi,
        )
        .group_by(team)
        .order_by(team)
    ).all()
    return [TeamRow(str(t), int(n), int(r), _percent(int(m or 0), int(j))) for t, n, r, m, j in rows]


def per_agent(session: Session, kpi: KpiFilter, limit: int = 20) -> list[tuple[str, int]]:
    """Human tasks completed per user in the period (of the filtered complaints), most first."""
    rows = session.execute(
        filtered(select(HumanTask.completed_by, func.count(HumanTask.id)).select_from(Complaint), kpi, period=False)
        .join(HumanTask, HumanTask.instance_id == Complaint.instance_id)
        .where(
            HumanTask.status == TASK_COMPLETED,
            HumanTask.completed_by.is_not(None),
            HumanTask.completed_at >= kpi.start,
            HumanTask.completed_at < kpi.end,
        )
        .group_by(HumanTask.completed_by)
        .order_by(func.count(HumanTask.id).desc(), HumanTask.completed_by)
        .limit(limit)
    ).all()
    return [(str(user), int(count)) for user, count in rows]
