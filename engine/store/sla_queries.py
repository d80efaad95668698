"""SLA read queries on complaints: the traffic light of the resolution clock, in SQL.

A complaint's light is computed from ``resolution_due_at`` and ``resolution_amber_at`` (both written by
the SLA system actions) at the moment its clock last ran: now for a running clock, the pause start while
it waits for the customer (a standing clock does not turn red), the resolution time once resolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.store.complaints import Complaint
from engine.store.queries import TRAFFIC_LIGHTS, traffic_light_sql
from engine.store.types import UTCDateTime


def complaint_light_sql(now: datetime) -> ColumnElement[str]:
    """'green' / 'amber' / 'red' of each complaint's resolution clock at ``now`` (no due time: green)."""
    clock_time: Any = func.coalesce(Complaint.resolved_at, Complaint.sla_paused_at, literal(now, UTCDateTime()))
    return traffic_light_sql(Complaint.resolution_due_at, Complaint.resolution_amber_at, clock_time)


def complaints_by_light(
    session: Session, now: datetime, light: str | None = None, open_only: bool = True, limit: int = 200
) -> Sequence[tuple[Complaint, str]]:
    """Complaints with their light, red first, then amber, then green, each by resolution due time."""
    if light is not None and light not in TRAFFIC_LIGHTS:
        raise ValueError(f"unknown traffic light {light!r}; use one of {', '.join(TRAFFIC_LIGHTS)}")
    colour = complaint_light_sql(now).label("light")
    query = select(Complaint, colour)
    if open_only:
        query = query.where(Complaint.resolved_at.is_(None))
    if light is not None:
        query = query.where(colour == light)
    query = query.order_by(
        case({"red": 0, "amber": 1}, value=colour, else_=2),
        Complaint.resolution_due_at.is_(None),
        Complaint.resolution_due_at,
        Complaint.id,
    )
    return [(complaint, str(value)) for complaint, value in session.execute(query.limit(limit))]
