"""Read queries for the global audit view: filter by user, action, period, complaint or instance; newest first."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from engine.store.complaints import Complaint
from engine.store.models import AuditEntry

_Q = TypeVar("_Q", bound=Select[*tuple[Any, ...]])  # any select; the filters keep its row type
# An export is one response; above this many entries the filter has to be narrowed.
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class AuditFilter:
    """Each field narrows the entries; ``start``/``end`` are aware datetimes, ``end`` exclusive."""

    actor: str | None = None
    action: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    reference: str | None = None  # complaint reference, e.g. C-2026-000042
    instance_id: int | None = None


@dataclass(frozen=True)
class AuditRow:
    """One entry with the reference of its complaint (None for entries about no complaint)."""

    entry: AuditEntry
    reference: str | None


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filtered(query: _Q, criteria: AuditFilter) -> _Q:
    if criteria.actor:
        query = query.where(AuditEntry.actor == criteria.actor)
    if criteria.action:
        query = query.where(AuditEntry.action == criteria.action)
    if criteria.start is not None:
        query = query.where(AuditEntry.at >= criteria.start)
    if criteria.end is not None:
        query = query.where(AuditEntry.at < criteria.end)
    if criteria.instance_id is not None:
        query = query.where(AuditEntry.instance_id == criteria.instance_id)
    if criteria.reference:
        instance = select(Complaint.instance_id).where(Complaint.reference == criteria.reference.strip())
        query = query.where(AuditEntry.instance_id.in_(instance.scalar_subquery()))
    return query


def _with_reference() -> Select[AuditEntry, str]:
    return select(AuditEntry, Complaint.reference).outerjoin(
        Complaint, (Complaint.instance_id == AuditEntry.instance_id) & AuditEntry.instance_id.is_not(None)
    )


def search(session: Session, criteria: AuditFilter, page: int = 1, per_page: int = 50) -> AuditPage:
    """One page of matching entries, newest first (ties by id, so paging is stable)."""
    total = session.scalar(_filtered(select(func.count(AuditEntry.id)), criteria)) or 0
    page = max(1, page)
    query = (
        _filtered(_with_reference(), criteria)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    rows = [AuditRow(entry, reference) for entry, reference in session.execute(query)]
    return AuditPage(rows, total, page, per_page)


def export_rows(session: Session, criteria: AuditFilter, limit: int = EXPORT_LIMIT) -> Iterator[AuditRow]:
    """Every matching entry (up to ``limit``), newest first, streamed for CSV and JSON exports."""
    query = _filtered(_with_reference(), criteria).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    for entry, reference in session.execute(query.execution_options(yield_per=1000)):
        yield AuditRow(entry, reference)


def count(session: Session, criteria: AuditFilter) -> int:
    return session.scalar(_filtered(select(func.count(AuditEntry.id)), criteria)) or 0


def distinct_values(session: Session, column: Any) -> Sequence[str]:
    """The actors or actions that occur, for the filter's choices."""
    return session.scalars(select(column).distinct().order_by(column)).all()


def actions(session: Session) -> Sequence[str]:
    return distinct_values(session, AuditEntry.action)


def actors(session: Session) -> Sequence[str]:
    return distinct_values(session, AuditEntry.actor)
