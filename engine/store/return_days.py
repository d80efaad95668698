"""The summary rows of the returns per day (``return_day``) and per month (``return_month``), kept in the same
transaction as the complaints.

Every ORM write of a complaint whose return columns change (engine.domain.return_days.TRACKED: received, settled
by a final response or a closure, reopened, outcome, redress, product, a transfer that changes the product group)
moves its contribution: the row as the database holds it before the write is taken back, the row as it holds it
after the write is added. Both are read from the connection inside the flush, so attributes the session never
loaded are counted right too. The changes of a transaction's flushes are summed and written as upserts in key order
(two transactions touching the same keys lock them in the same order) just before it commits: the summary and the
complaints commit together or not at all.

Why at the commit and not at each flush: every complaint received today adds to the same few rows, and an upsert
holds its row's lock until the transaction ends. Written at the first flush, that lock was held through the rest of
the unit of work (the process run, the mails, the audit), so complaint writes queued behind each other (9 to 13
sessions waiting on the upsert at 100 users); written at the commit, it is held for the commit alone.

Core ``UPDATE``/``INSERT`` statements on ``complaint`` bypass this (only seeding and migrations use them);
:func:`rebuild` recounts the whole summary from the complaints (migrations 0023 and 0024 fill it the same way;
bench seeding).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    Integer,
    Numeric,
    String,
    Table,
    delete,
    event,
    insert,
    inspect,
    select,
)  # fmt: skip
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column, object_session
from sqlalchemy.sql.elements import ColumnElement

from engine.domain.return_days import KEY_FIELDS, TRACKED, DayKey, Tally, by_month, difference, recount, spans
from engine.store.complaints import Complaint
from engine.store.models import Base

_DELTAS = "return_day_deltas"  # session.info: the summed changes of the flush under way
_PENDING = "return_day_pending"  # session.info: [(savepoint or None, changes of one flush)] not yet written
_BEFORE = "return_day_before"  # session.info: complaint id -> its row before the write


class _Summary:
    """The columns of both summaries: the key (engine.domain.return_days.DayKey) and the tally."""

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    event: Mapped[str] = mapped_column(String(8), primary_key=True)
    product_group: Mapped[str] = mapped_column(String(50), primary_key=True)
    product: Mapped[str] = mapped_column(String(200), primary_key=True)
    root_cause: Mapped[str] = mapped_column(String(100), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    band: Mapped[str] = mapped_column(String(12), primary_key=True)
    in_favour: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    complaints: Mapped[int] = mapped_column(Integer, default=0)
    amounts: Mapped[int] = mapped_column(Integer, default=0)  # complaints that recorded a redress amount
    redress: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal("0.00"))


class ReturnDay(_Summary, Base):
    """Complaints received (or settled) on one day with one combination of the returns' dimensions."""

    __tablename__ = "return_day"


class ReturnMonth(_Summary, Base):
    """The same per calendar month (``day`` is the month's first day): a year is twelve of them, not 365 days."""

    __tablename__ = "return_month"


SUMMARIES = (ReturnDay, ReturnMonth)


def pieces(first: date | None, last: date) -> list[tuple[type[_Summary], list[ColumnElement[bool]]]]:
    """The summary rows that make up the days ``[first, last)``: the month rows of its whole months and the day rows
    of the rest (engine.domain.return_days.spans), each piece as (model, conditions on its ``day``)."""
    found: list[tuple[type[_Summary], list[ColumnElement[bool]]]] = []
    for monthly, start, end in spans(first, last):
        model: Any = ReturnMonth if monthly else ReturnDay
        conditions = [model.day < end] if start is None else [model.day >= start, model.day < end]
        found.append((model, conditions))
    return found


_TABLES: dict[Any, Table] = {
    ReturnDay: cast(Table, ReturnDay.__table__),
    ReturnMonth: cast(Table, ReturnMonth.__table__),
}
_COMPLAINT = cast(Table, Complaint.__table__)
_TRACKED_COLUMNS = [_COMPLAINT.c[name] for name in TRACKED]


def _read(connection: Connection, complaint_id: int) -> dict[str, Any] | None:
    row = connection.execute(select(*_TRACKED_COLUMNS).where(_COMPLAINT.c.id == complaint_id)).mappings().first()
    return dict(row) if row is not None else None


def _changed(complaint: Complaint) -> bool:
    attributes = inspect(complaint).attrs
    return any(attributes[name].history.has_changes() for name in TRACKED)


def _remember(complaint: Complaint, connection: Connection) -> None:
    session = object_session(complaint)
    if session is not None:
        session.info.setdefault(_BEFORE, {})[complaint.id] = _read(connection, complaint.id)


def _record(complaint: Complaint, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
    session = object_session(complaint)
    if session is None:
        return
    deltas: dict[DayKey, Tally] = session.info.setdefault(_DELTAS, {})
    for key, tally in difference(old, new).items():
        deltas[key] = deltas.get(key, Tally()) + tally


@event.listens_for(Complaint, "after_insert")
def _inserted(_mapper: Any, connection: Connection, complaint: Complaint) -> None:
    _record(complaint, None, _read(connection, complaint.id))


@event.listens_for(Complaint, "before_update")
def _before_update(_mapper: Any, connection: Connection, complaint: Complaint) -> None:
    if _changed(complaint):  # most writes (a task step, a note) leave the return columns alone
        _remember(complaint, connection)


@event.listens_for(Complaint, "before_delete")
def _before_delete(_mapper: Any, connection: Connection, complaint: Complaint) -> None:
    _remember(complaint, connection)


@event.listens_for(Complaint, "after_update")
def _updated(_mapper: Any, connection: Connection, complaint: Complaint) -> None:
    session = object_session(complaint)
    before = session.info.get(_BEFORE, {}) if session is not None else {}
    if complaint.id in before:
        _record(complaint, before.pop(complaint.id), _read(connection, complaint.id))


@event.listens_for(Complaint, "after_delete")
def _deleted(_mapper: Any, _connection: Connection, complaint: Complaint) -> None:
    session = object_session(complaint)
    before = session.info.get(_BEFORE, {}) if session is not None else {}
    if complaint.id in before:
        _record(complaint, before.pop(complaint.id), None)


@event.listens_for(Session, "after_flush")
def _keep_deltas(session: Session, _context: Any) -> None:
    """Keep the flush's changes, with the savepoint they were made in, for the commit."""
    deltas: dict[DayKey, Tally] = session.info.pop(_DELTAS, {})
    session.info.pop(_BEFORE, None)
    if deltas:
        session.info.setdefault(_PENDING, []).append((session.get_nested_transaction(), deltas))


@event.listens_for(Session, "before_commit")
def _write_deltas(session: Session) -> None:
    session.flush()  # the commit's own final flush comes after this event: its changes must be counted too
    pending: list[tuple[SessionTransaction | None, dict[DayKey, Tally]]] = session.info.pop(_PENDING, [])
    summed: dict[DayKey, Tally] = {}
    for _savepoint, deltas in pending:
        for key, tally in deltas.items():
            summed[key] = summed.get(key, Tally()) + tally
    changes = sorted((key, tally) for key, tally in summed.items() if tally)
    if changes:
        apply(session.connection(), changes)


def _within(transaction: SessionTransaction | None, savepoint: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is savepoint:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous: SessionTransaction) -> None:
    """What a rolled-back flush, savepoint or transaction recorded must not reach the commit."""
    session.info.pop(_DELTAS, None)
    session.info.pop(_BEFORE, None)
    if previous.nested:
        kept = [entry for entry in session.info.get(_PENDING, []) if not _within(entry[0], previous)]
        session.info[_PENDING] = kept
    elif previous.parent is None:
        session.info.pop(_PENDING, None)
    # else a flush's own inner transaction: the savepoint or transaction around it is rolled back next


@event.listens_for(Session, "after_transaction_end")
def _end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed (written above) or rolled back: nothing carries over
        session.info.pop(_PENDING, None)


def _values(key: DayKey, tally: Tally) -> dict[str, Any]:
    return {
        **{name: getattr(key, name) for name in KEY_FIELDS},
        "complaints": tally.complaints,
        "amounts": tally.amounts,
        "redress": tally.redress,
    }


def apply(connection: Connection, changes: list[tuple[DayKey, Tally]]) -> None:
    """Add each change to its day row and its month row (upserts: a row is created at its first complaint)."""
    dialect_insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    months = sorted(by_month(dict(changes)).items())
    for model, rows in ((ReturnDay, changes), (ReturnMonth, months)):
        table = _TABLES[model]
        for key, tally in rows:
            statement = dialect_insert(table).values(**_values(key, tally))
            statement = statement.on_conflict_do_update(
                index_elements=list(KEY_FIELDS),
                set_={
                    "complaints": table.c.complaints + statement.excluded.complaints,
                    "amounts": table.c.amounts + statement.excluded.amounts,
                    "redress": table.c.redress + statement.excluded.redress,
                },
            )
            connection.execute(statement)


def recounted(connection: Connection, model: type[_Summary] = ReturnDay) -> dict[DayKey, Tally]:
    """The summary (``model``: per day or per month) as a recount of every complaint from scratch would have it."""
    rows = connection.execute(select(*_TRACKED_COLUMNS).execution_options(yield_per=5000)).mappings()
    totals = recount(rows)
    return by_month(totals) if model is ReturnMonth else totals


def stored(connection: Connection, model: type[_Summary] = ReturnDay) -> dict[DayKey, Tally]:
    """The summary as stored (rows that went back to zero left out)."""
    found = {}
    for row in connection.execute(select(*_TABLES[model].columns)).mappings():
        key = DayKey(**{name: row[name] for name in KEY_FIELDS})
        redress = Decimal(str(row["redress"])).quantize(Decimal("0.01"))
        tally = Tally(int(row["complaints"]), int(row["amounts"]), redress)
        if tally:
            found[key] = tally
    return found


def rebuild(connection: Connection) -> int:
    """Replace both summaries by a recount of every complaint; the number of day rows written."""
    days = recount(connection.execute(select(*_TRACKED_COLUMNS).execution_options(yield_per=5000)).mappings())
    for model, totals in ((ReturnDay, days), (ReturnMonth, by_month(days))):
        connection.execute(delete(_TABLES[model]))
        rows = [_values(key, tally) for key, tally in sorted(totals.items())]
        for start in range(0, len(rows), 5000):
            connection.execute(insert(_TABLES[model]), rows[start : start + 5000])
    return len(days)
