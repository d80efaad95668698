"""Everything the cockpit's dashboard page shows, each figure computed once from the KPI read queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from engine.store.kpi import (
    KpiFilter,
    Kpis,
    TeamRow,
    backlog_by_light,
    kpis,
    per_agent,
    per_team,
    period_groups,
    task_assignment,
    top,
    top_complainants,
)
from engine.store.kpi_series import Bucket, over_time


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard page shows, each figure computed once."""

    figures: Kpis
    series: list[Bucket]
    backlog: dict[str, int]
    assignment: dict[str, int]
    categories: list[tuple[str, int]]
    root_causes: list[tuple[str, int]]
    complainants: list[tuple[int, str, int]]
    teams: list[TeamRow]
    agents: list[tuple[str, int]]


def dashboard(session: Session, kpi: KpiFilter, bucket: str, now: datetime) -> Dashboard:
    """The dashboard's figures: one pass over the period for the counts, then the series, durations and lists."""
    groups = period_groups(session, kpi)
    return Dashboard(
        figures=kpis(session, kpi, groups),
        series=over_time(session, kpi, bucket),
        backlog=backlog_by_light(session, kpi, now),
        assignment=task_assignment(session, kpi),
        categories=top(session, kpi, "category", groups=groups),
        root_causes=top(session, kpi, "root_cause", groups=groups),
        complainants=top_complainants(session, kpi),
        teams=per_team(session, kpi, groups),
        agents=per_agent(session, kpi),
    )
