"""The complaint register: one row per complaint with the fields the complaint rules name, filterable, read-only.

DISP 1.9 (records), the Joint Committee guidelines (JC 2014 43, guideline 3) and MaComp BT 12 ask for a
register of complaints with the measures taken; docs/regulation.md lists the fields and their sources. The
redress is ``resolution_amount`` in ``resolution_currency``, or in the complaint's currency when the process did
not name one (the shipped forms take amounts in EUR).

Reads only: who looked at the register is audited by ``engine.services.reporting``. A return's figure lists
its complaints through the same rows (``condition``), so a click-through shows exactly what was counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Select, func, literal, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.domain.return_days import RECEIVED, utc_day, whole_days
from engine.store.complaints import Complaint, Customer
from engine.store.return_days import pieces
from engine.store.types import UTCDateTime

_Q = TypeVar("_Q", bound=Select[*tuple[Any, ...]])
STATE_OPEN = "open"
STATE_CLOSED = "closed"
STATES = (STATE_OPEN, STATE_CLOSED)
COLUMNS = (
    "reference", "received_at", "channel", "customer", "product", "product_group", "category", "root_cause",
    "outcome", "redress_amount", "redress_currency", "acknowledged_at", "holding_response_at",
    "final_response_at", "legal_deadline_at", "within_legal_deadline", "status", "closed_at",
)  # fmt: skip
# Filters offered on the register page: query key -> complaint column.
DIMENSIONS = {
    "channel": Complaint.channel,
    "product_group": Complaint.product_group,
    "category": Complaint.category,
    "root_cause": Complaint.root_cause,
    "outcome": Complaint.outcome,
}


@dataclass(frozen=True)
class RegisterFilter:
    """Complaints received in ``[start, end)`` (either open-ended) and matching every given value."""

    start: datetime | None = None
    end: datetime | None = None
    values: tuple[tuple[str, str], ...] = ()  # (DIMENSIONS key, value)
    state: str | None = None  # STATE_OPEN / STATE_CLOSED (closed_at set)
    within_legal_deadline: bool | None = None
    reference: str | None = None

    def described(self) -> dict[str, Any]:
        """The filter as plain values, for the audit entry of an access."""
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            **dict(self.values),
            "state": self.state,
            "within_legal_deadline": self.within_legal_deadline,
            "reference": self.reference,
        }


@dataclass(frozen=True)
class RegisterRow:
    """One line of the register (COLUMNS, in order)."""

    complaint_id: int
    instance_id: int | None
    values: tuple[Any, ...]

    def __getitem__(self, name: str) -> Any:
        return self.values[COLUMNS.index(name)]


@dataclass(frozen=True)
class RegisterPage:
    rows: list[RegisterRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def cursor(self) -> str | None:
        """The keyset of the next page (after this page's last row), as a query value; None on an empty page."""
        if not self.rows:
            return None
        last = self.rows[-1]
        return f"{last['received_at'].isoformat()}|{last.complaint_id}"


def parse_cursor(value: str) -> tuple[datetime, int]:
    """A :meth:`RegisterPage.cursor` back into its values; ValueError when it is not one."""
    moment, _, row_id = value.partition("|")
    received = datetime.fromisoformat(moment)
    if received.tzinfo is None or not row_id.isdigit():
        raise ValueError(f"not a register cursor: {value!r}")
    return received, int(row_id)


def _filtered(query: _Q, criteria: RegisterFilter) -> _Q:
    if criteria.start is not None:
        query = query.where(Complaint.created_at >= criteria.start)
    if criteria.end is not None:
        query = query.where(Complaint.created_at < criteria.end)
    for key, value in criteria.values:
        query = query.where(DIMENSIONS[key] == value)
    if criteria.state == STATE_OPEN:
        query = query.where(Complaint.closed_at.is_(None))
    elif criteria.state == STATE_CLOSED:
        query = query.where(Complaint.closed_at.is_not(None))
    if criteria.within_legal_deadline is not None:
        query = query.where(Complaint.within_legal_deadline.is_(criteria.within_legal_deadline))
    if criteria.reference:
        query = query.where(Complaint.reference == criteria.reference)
    return query


_SELECTED = (
    Complaint.id, Complaint.instance_id, Complaint.reference, Complaint.created_at, Complaint.channel, Customer.name,
    Complaint.product, Complaint.product_group, Complaint.category, Complaint.root_cause, Complaint.outcome,
    Complaint.resolution_amount, func.coalesce(Complaint.resolution_currency, Complaint.currency),
    Complaint.acknowledged_at, Complaint.holding_response_at, Complaint.final_response_at,
    Complaint.legal_deadline_at, Complaint.within_legal_deadline, Complaint.status, Complaint.closed_at,
)  # fmt: skip


def _query(criteria: RegisterFilter, condition: ColumnElement[bool] | None) -> Select[*tuple[Any, ...]]:
    query = _filtered(select(*_SELECTED).join(Customer, Customer.id == Complaint.customer_id), criteria)
    return query.where(condition) if condition is not None else query


def _row(values: Any) -> RegisterRow:
    complaint_id, instance_id, *rest = values
    redress = rest[COLUMNS.index("redress_amount")]
    if redress is None:  # no amount: no currency either
        rest[COLUMNS.index("redress_currency")] = None
    elif not isinstance(redress, Decimal):
        rest[COLUMNS.index("redress_amount")] = Decimal(str(redress))
    return RegisterRow(complaint_id, instance_id, tuple(rest))


def _counted_by_summary(session: Session, criteria: RegisterFilter) -> int | None:
    """The number of complaints received in the filter's period (and product group) from the returns' summary rows
    (engine.store.return_days), when that is all the filter asks and the period is whole UTC days; else None."""
    if criteria.start is None or criteria.end is None or not whole_days(criteria.start, criteria.end):
        return None
    if criteria.state or criteria.within_legal_deadline is not None or criteria.reference:
        return None
    if any(key != "product_group" for key, _value in criteria.values):
        return None
    total = 0
    for model, conditions in pieces(utc_day(criteria.start), utc_day(criteria.end)):
        query = select(func.sum(model.complaints)).where(model.event == RECEIVED, *conditions)
        for _key, value in criteria.values:
            query = query.where(model.product_group == value)
        total += int(session.scalar(query) or 0)
    return total


def page(
    session: Session,
    criteria: RegisterFilter,
    number: int,
    per_page: int,
    condition: ColumnElement[bool] | None = None,
    total: int | None = None,
    after: tuple[datetime, int] | None = None,
) -> RegisterPage:
    """Page ``number`` (from 1) of the register, newest received first, with the total count (counted here unless
    the caller knows it: a return figure is the number of complaints its condition lists).

    ``after`` (received time and id of the previous page's last row) reads the page by keyset, from the index,
    however deep it is; without it the page is found by ``OFFSET`` (a link to a page number)."""
    if total is None and condition is None:
        total = _counted_by_summary(session, criteria)
    if total is None:
        count_query = _filtered(select(func.count(Complaint.id)), criteria)
        if condition is not None:
            count_query = count_query.where(condition)
        total = session.scalar(count_query) or 0
    keyed = criteria
    if after is not None and (criteria.end is None or after[0] < criteria.end):
        # The cursor is the tighter upper bound: the only one given, so the index range starts at the cursor
        # (with both, SQLite may start at the period's end and walk down to it).
        keyed = replace(criteria, end=None)
    query = _query(keyed, condition).order_by(Complaint.created_at.desc(), Complaint.id.desc())
    if after is not None:
        received = literal(after[0], UTCDateTime())
        query = query.where(Complaint.created_at <= received)
        query = query.where(tuple_(Complaint.created_at, Complaint.id) < tuple_(received, after[1]))
    else:
        query = query.offset((number - 1) * per_page)
    rows = session.execute(query.limit(per_page)).all()
    return RegisterPage([_row(row) for row in rows], total, number, per_page)


def export_rows(
    session: Session, criteria: RegisterFilter, condition: ColumnElement[bool] | None = None
) -> Iterator[RegisterRow]:
    """Every register row matching ``criteria``, oldest received first, streamed in batches."""
    query = _query(criteria, condition).order_by(Complaint.created_at, Complaint.id)
    for values in session.execute(query.execution_options(yield_per=2000)):
        yield _row(values)
