"""KPI read queries for the manager cockpit: SQL aggregates over complaint rows, never workflow state.

Every figure is for the complaints *opened* in a period ``[start, end)`` and matching the filters (channel,
category, team = ``responsible_group``), except the backlog and the task assignment counts, which describe
the open work at ``now``.

Speed (bench/kpi.py, issue 8: the dashboard in 200 ms at 100,000 complaints, also for a whole year): the
headline rates, CSAT, NPS, the per-team table and the top categories and root causes all come from ONE pass
over the period, grouped by (team, category, root cause) with a ``CASE`` sum per figure, and are added up
in Python from those few hundred groups (:func:`period_groups`). The pass reads the covering index
``ix_complaint_kpi`` only. The durations are stored on the complaint row (first response hours, resolution
hours net of SLA pauses, kept by the model) and indexed; the database picks mean, median and p90 from those
indexes (:mod:`engine.store.kpi_sql`), so no row per complaint reaches Python.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.store.complaints import Complaint, Customer
from engine.store.kpi_sql import Durations, duration_summary, not_an_index_key
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


def criteria(
    kpi: KpiFilter, period: bool = True, column: Callable[[Any], ColumnElement[Any]] = lambda c: c
) -> list[ColumnElement[bool]]:
    """The conditions of the filter (the period's opening dates unless ``period`` is False), each compared column
    passed through ``column`` first (see :func:`engine.store.kpi_sql.not_an_index_key`)."""
    conditions: list[ColumnElement[bool]] = []
    if period:
        created = column(Complaint.created_at)
        conditions += [created >= kpi.start, created < kpi.end]
    if kpi.channel:
        conditions.append(column(Complaint.channel) == kpi.channel)
    if kpi.category:
        conditions.append(column(Complaint.category) == kpi.category)
    if kpi.team:
        conditions.append(column(Complaint.responsible_group) == kpi.team)
    return conditions


def filtered(query: _Q, kpi: KpiFilter, period: bool = True) -> _Q:
    conditions = criteria(kpi, period)
    return query.where(*conditions) if conditions else query


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (the smallest value with at least ``share`` of the values at or below it)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _reopened_sql() -> ColumnElement[bool]:
    """A complaint counts as reopened when its status says so or its instance has a reopening audit entry.

    The audit side is an uncorrelated ``IN``: the database builds the (small) set of reopened instances once,
    instead of probing the audit log for every complaint of the period.
    """
    audited = select(AuditEntry.instance_id).where(
        AuditEntry.action == REOPENED_ACTION, AuditEntry.instance_id.is_not(None)
    )
    return or_(Complaint.status == "reopened", Complaint.instance_id.in_(audited))


# The figures summed per group of the period pass, in the order of _group_sums.
_FIGURES = ("created", "resolved", "met", "judged", "fr_met", "fr_judged", "reopened", "ever_closed", "upheld",
            "partly", "decided", "csat_1", "csat_2", "csat_3", "csat_4", "csat_5", "nps_answers", "promoters",
            "detractors")  # fmt: skip


def _one_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _group_sums() -> list[ColumnElement[Any]]:
    reopened = _reopened_sql()
    return [
        func.count(),
        func.count(Complaint.resolved_at),
        _one_if(Complaint.resolution_met.is_(True)),
        func.count(Complaint.resolution_met),
        _one_if(Complaint.first_response_met.is_(True)),
        func.count(Complaint.first_response_met),
        _one_if(reopened),
        _one_if(or_(Complaint.closed_at.is_not(None), reopened)),
        _one_if(Complaint.outcome == "upheld"),
        _one_if(Complaint.outcome == "partly_upheld"),
        func.count(Complaint.outcome),
        *(_one_if(Complaint.csat == score) for score in range(1, 6)),
        func.count(Complaint.nps),
        _one_if(Complaint.nps >= 9),
        _one_if(Complaint.nps <= 6),
    ]


@dataclass(frozen=True)
class Group:
    """The period's complaints of one (team, category, root cause) with their summed figures (see _FIGURES)."""

    team: str | None
    category: str | None
    root_cause: str | None
    sums: dict[str, int]


def period_groups(session: Session, kpi: KpiFilter) -> list[Group]:
    """One pass over the period: every count the headline, CSAT, NPS, team and top figures need, per group."""
    keys = (Complaint.responsible_group, Complaint.category, Complaint.root_cause)
    rows = session.execute(filtered(select(*keys, *_group_sums()), kpi).group_by(*keys)).all()
    return [Group(team, category, cause, dict(zip(_FIGURES, (int(v or 0) for v in values), strict=True)))
            for team, category, cause, *values in rows]  # fmt: skip


def _total(groups: Iterable[Group]) -> dict[str, int]:
    total = dict.fromkeys(_FIGURES, 0)
    for group in groups:
        for name, value in group.sums.items():
            total[name] += value
    return total


def headline(groups: Iterable[Group]) -> Kpis:
    """The rates, CSAT and NPS of the period from its groups (durations not included)."""
    t = _total(groups)
    result = Kpis(
        created=t["created"],
        resolved=t["resolved"],
        resolution_rate=_percent(t["resolved"], t["created"]),
        sla_met=_percent(t["met"], t["judged"]),
        first_response_met=_percent(t["fr_met"], t["fr_judged"]),
        reopen_rate=_percent(t["reopened"], t["ever_closed"]),
        upheld=_percent(t["upheld"], t["decided"]),
        partly_upheld=_percent(t["partly"], t["decided"]),
    )
    result.csat_distribution = {score: t[f"csat_{score}"] for score in range(1, 6)}
    answers = sum(result.csat_distribution.values())
    if answers:
        weighted = sum(score * count for score, count in result.csat_distribution.items())
        result.csat_average = round(weighted / answers, 2)
    result.nps_answers = t["nps_answers"]
    if result.nps_answers:
        result.nps = round(100.0 * (t["promoters"] - t["detractors"]) / result.nps_answers, 1)
    return result


def kpis(session: Session, kpi: KpiFilter, groups: list[Group] | None = None) -> Kpis:
    """The headline figures and the durations (``groups``: the period's :func:`period_groups`, if at hand)."""
    result = headline(period_groups(session, kpi) if groups is None else groups)
    result.first_response, result.resolution = durations(session, kpi)
    return result


def durations(session: Session, kpi: KpiFilter) -> tuple[Durations, Durations]:
    """First response time and time to resolution (net of SLA pauses) of the complaints opened in the period.

    Both are stored on the complaint row (``first_response_hours``, ``resolution_net_hours``, kept by the model
    from the SLA columns); the database picks the median and p90 (:func:`engine.store.kpi_sql.duration_summary`).
    """
    # SQLite would otherwise narrow by an index on the filters and sort what it finds; walking the hours index in
    # order and testing the filters on its entries reads the median and p90 in milliseconds, a year or a month.
    sqlite = session.get_bind().dialect.name == "sqlite"
    conditions = criteria(kpi, column=not_an_index_key) if sqlite else criteria(kpi)
    return (
        duration_summary(session, Complaint.first_response_hours, conditions),
        duration_summary(session, Complaint.resolution_net_hours, conditions),
    )


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


def top(
    session: Session, kpi: KpiFilter, dimension: str, limit: int = 10, groups: list[Group] | None = None
) -> list[tuple[str, int]]:
    """The most frequent categories, root causes or channels of the period, most frequent first.

    Categories and root causes are added up from the period's groups (``groups``, if at hand); channels, which
    the dashboard does not chart, are counted by a query of their own.
    """
    if dimension in ("category", "root_cause"):
        counts: dict[str, int] = {}
        for group in period_groups(session, kpi) if groups is None else groups:
            value = getattr(group, dimension)
            if value is not None:
                counts[value] = counts.get(value, 0) + group.sums["created"]
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
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
    """Customers with the most complaints opened in the period: (customer id, name, count).

    Counted per customer id first (from the covering index), so that only the counted customers are joined.
    """
    counted = filtered(select(Complaint.customer_id, func.count().label("n")), kpi).group_by(Complaint.customer_id)
    per_customer = counted.subquery()
    rows = session.execute(
        select(Customer.id, Customer.name, per_customer.c.n)
        .join(per_customer, per_customer.c.customer_id == Customer.id)
        .order_by(per_customer.c.n.desc(), Customer.name)
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


def per_team(session: Session, kpi: KpiFilter, groups: list[Group] | None = None) -> list[TeamRow]:
    """Figures per responsible group (``-`` for complaints no group is responsible for yet)."""
    teams: dict[str, list[Group]] = {}
    for group in period_groups(session, kpi) if groups is None else groups:
        teams.setdefault(group.team if group.team is not None else "-", []).append(group)
    rows = []
    for team in sorted(teams):
        t = _total(teams[team])
        rows.append(TeamRow(team, t["created"], t["resolved"], _percent(t["met"], t["judged"])))
    return rows


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
