"""Root-cause trends for the cockpit: complaints per product group and root cause, per day, week or month.

The Joint Committee guidelines (JC 2014 43, guideline 7) ask firms to analyse complaints data for recurring or
systemic causes; this is the series behind that analysis. Complaints count in the bucket they were received in,
once they have a root cause (set when they are closed). One grouped query over the per-day summary rows
(engine.store.return_days) for a period of whole UTC days, else over the covering index ``ix_complaint_return``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import DateTime, cast, func, select
from sqlalchemy.orm import Session

from engine.domain.return_days import RECEIVED, utc_day, whole_days
from engine.store.complaints import Complaint
from engine.store.kpi_series import bucket_starts
from engine.store.kpi_sql import bucket_sql
from engine.store.return_days import ReturnDay, pieces


@dataclass(frozen=True)
class Trend:
    """One product group and root cause: its count per bucket (in ``buckets`` order) and in total."""

    product_group: str | None
    root_cause: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Trends:
    buckets: list[date]
    rows: list[Trend]  # most complaints first


def root_cause_trends(session: Session, start: datetime, end: datetime, bucket: str = "month") -> Trends:
    """Complaints received in ``[start, end)`` with a root cause, per (product group, root cause) and bucket."""
    buckets = bucket_starts(start, end, bucket)
    dialect = session.get_bind().dialect.name
    queries = []
    if whole_days(start, end):
        # Month buckets: the month rows of the whole months, day rows for the rest; day and week buckets: day rows.
        chosen = pieces(utc_day(start), utc_day(end)) if bucket == "month" else [
            (ReturnDay, [ReturnDay.day >= utc_day(start), ReturnDay.day < utc_day(end)])
        ]  # fmt: skip
        for model, conditions in chosen:
            day: Any = model.day
            if dialect == "postgresql":  # a date: to a timestamp without zone, so date_trunc stays in calendar days
                day = cast(model.day, DateTime())
            key = bucket_sql(day, bucket, dialect, in_utc=False)
            group: Any = func.nullif(model.product_group, "")
            queries.append(
                select(group, model.root_cause, key, func.sum(model.complaints))
                .where(model.event == RECEIVED, model.root_cause != "", *conditions)
                .group_by(group, model.root_cause, key)
            )
    else:
        key = bucket_sql(Complaint.created_at, bucket, dialect)
        queries.append(
            select(Complaint.product_group, Complaint.root_cause, key, func.count())
            .where(Complaint.created_at >= start, Complaint.created_at < end, Complaint.root_cause.is_not(None))
            .group_by(Complaint.product_group, Complaint.root_cause, key)
        )
    index = {day.isoformat(): position for position, day in enumerate(buckets)}
    found: dict[tuple[str | None, str], list[int]] = {}
    for query in queries:
        for group, cause, bucket_day, count in session.execute(query):
            if not count:  # summary rows that went back to zero
                continue
            counts = found.setdefault((group, str(cause)), [0] * len(buckets))
            if bucket_day in index:
                counts[index[bucket_day]] += int(count)
    rows = [Trend(group, cause, counts) for (group, cause), counts in found.items()]
    rows.sort(key=lambda row: (-row.total, row.product_group or "", row.root_cause))
    return Trends(buckets, rows)
