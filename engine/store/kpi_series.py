"""The cockpit's complaints-over-time series: new, closed and open complaints per day, week or month.

Part of the KPI read queries (:mod:`engine.store.kpi`), on the same filters; split off because it is the one
figure that is a series of buckets rather than one aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.store.complaints import Complaint
from engine.store.kpi import BUCKETS, KpiFilter, filtered
from engine.store.kpi_sql import bucket_sql


@dataclass(frozen=True)
class Bucket:
    """One day, week (starting Monday) or month: complaints opened and closed in it, open at its end."""

    start: date
    new: int
    closed: int
    open: int


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
    new_key = bucket_sql(Complaint.created_at, bucket, dialect)
    new = dict(session.execute(filtered(select(new_key, func.count()), kpi).group_by(new_key)).all())
    # One pass over the closed complaints: those closed before the period fall into the "before" bucket.
    in_period = bucket_sql(Complaint.closed_at, bucket, dialect)
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
