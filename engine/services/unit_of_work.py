"""One unit of work per service call: everything commits together, or nothing does.

A lost race can surface at any flush (SQLAlchemy autoflushes before queries), not only at commit, so the
whole service body runs inside :func:`unit_of_work`, which turns concurrency failures into one clear
:class:`Conflict` after rolling back.

A database that is locked or busy (SQLite "database is locked", PostgreSQL serialization failures, deadlocks
and lock timeouts), or whose connection broke before the commit (PostgreSQL restarted or killed the
session), is not a conflict: nobody changed the data, so the outermost unit of work rolls back and
runs the whole service again, with backoff, for up to the session's retry window
(``engine.store.database.WRITE_RETRY_SECONDS``). After that it raises :class:`DatabaseBusy`, with nothing
written, and the caller asks the user to send the same request again.

A connection that breaks during the commit itself leaves open whether the commit happened. On PostgreSQL the
commit asks the server, once it answers again, what became of the transaction (engine.store.commit_outcome):
committed, the service goes on as if nothing happened; aborted, it runs again like any retry. Never twice.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.exc import StaleDataError

from engine.domain.errors import Conflict, DatabaseBusy
from engine.store import commit_outcome
from engine.store.database import DEFAULT_WRITE_RETRY_SECONDS, WRITE_RETRY_SECONDS

CONFLICT_MESSAGE = "someone else changed this at the same time; reload and try again"
BUSY_MESSAGE = "the database is busy; nothing was saved, please try again in a moment"
UNKNOWN_MESSAGE = (
    "the connection to the database broke while saving and the database did not answer again in time; "
    "please check in a moment whether it was saved before sending it again"
)

# SQLSTATEs of PostgreSQL that mean "try the same transaction again": serialization failure, deadlock,
# lock timeout (lock_not_available).
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
# SQLSTATEs of a connection the server ended or refused: admin shutdown, crash shutdown, cannot connect now
# (starting up or shutting down), and the connection exception class.
_DISCONNECT_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006"})
_DISCONNECT_TEXTS = ("server closed the connection", "terminating connection", "connection refused",
                     "connection is closed", "the database system is")  # fmt: skip
_FIRST_PAUSE, _LONGEST_PAUSE = 0.05, 1.0

# Session.info keys: the nesting depth of units of work, whether the outermost one has committed, and
# whether the session flushed changes not yet committed (set by the listeners below).
_DEPTH = "complaintflow.uow_depth"
_COMMITTED = "complaintflow.uow_committed"
_COMMITTING = "complaintflow.uow_committing"
_FLUSHED = "complaintflow.uow_flushed"
_DEADLINE = "complaintflow.uow_deadline"

P = ParamSpec("P")
R = TypeVar("R")


def is_lock_failure(error: DBAPIError) -> bool:
    """The database refused the statement because of a lock or a concurrent transaction, not the data."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in _RETRYABLE_SQLSTATES:
        return True
    text = str(error.orig).lower()
    return "is locked" in text or "could not serialize" in text or "deadlock" in text


def is_disconnect(error: DBAPIError) -> bool:
    """The connection to the database broke or could not be opened (a restart, a killed session)."""
    if error.connection_invalidated or getattr(error.orig, "sqlstate", None) in _DISCONNECT_SQLSTATES:
        return True
    text = str(error.orig).lower()
    return any(fragment in text for fragment in _DISCONNECT_TEXTS)


@contextmanager
def conflicts_as_errors(session: Session, message: str = CONFLICT_MESSAGE) -> Iterator[None]:
    """Roll back on any error; lost races become Conflict, a locked or busy database DatabaseBusy."""
    try:
        yield
    except (StaleDataError, IntegrityError):
        session.rollback()
        raise Conflict(message) from None
    except DBAPIError as error:
        session.rollback()
        if is_lock_failure(error):
            raise DatabaseBusy(BUSY_MESSAGE) from error
        # A connection lost before the commit took nothing with it. Lost during the commit, nobody knows
        # whether the commit happened: running the service again could do it twice, so that stays an error.
        if is_disconnect(error) and not session.info.get(_COMMITTING):
            raise DatabaseBusy(BUSY_MESSAGE) from error
        raise
    except BaseException:
        session.rollback()
        raise


def _has_unsaved_changes(session: Session) -> bool:
    return bool(session.new or session.dirty or session.deleted or session.info.get(_FLUSHED))


def _pause(attempt: int, remaining: float) -> None:
    # Exponential backoff with jitter, so writers that collided do not collide again in lockstep.
    pause = min(_LONGEST_PAUSE, _FIRST_PAUSE * 2**attempt) * random.uniform(0.5, 1.0)  # noqa: S311
    time.sleep(max(0.0, min(pause, remaining)))


def unit_of_work(function: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Session, P], R]:
    """Decorate a service whose first argument is the session.

    Only the outermost unit of work of a session retries: it runs the whole service again from a clean
    session. It does not retry when the caller left changes in the session before calling (a rollback
    would drop them and a retry would commit without them) or when the service already committed part
    of its work; then DatabaseBusy is raised at once.
    """

    @functools.wraps(function)
    def wrapper(session: Session, *args: P.args, **kwargs: P.kwargs) -> R:
        if session.info.get(_DEPTH) or _has_unsaved_changes(session):
            with conflicts_as_errors(session):
                return function(session, *args, **kwargs)
        window = float(session.info.get(WRITE_RETRY_SECONDS, DEFAULT_WRITE_RETRY_SECONDS))
        deadline = time.monotonic() + window
        attempt = 0
        while True:
            session.info[_DEPTH] = 1
            session.info[_DEADLINE] = deadline
            session.info[_COMMITTED] = False
            session.info[_COMMITTING] = False
            try:
                with conflicts_as_errors(session):
                    return function(session, *args, **kwargs)
            except DatabaseBusy:
                remaining = deadline - time.monotonic()
                if session.info.get(_COMMITTED) or remaining <= 0:
                    raise
            finally:
                session.info[_DEPTH] = 0
                session.info.pop(_DEADLINE, None)
            _pause(attempt, remaining)
            attempt += 1

    return wrapper


def commit(session: Session, conflict_message: str = CONFLICT_MESSAGE) -> None:
    """Commit the unit of work; a lost race raises Conflict with ``conflict_message``."""
    with conflicts_as_errors(session, conflict_message):
        session.flush()  # before asking for the transaction id: the flush is what gives the transaction one
        transaction_id = commit_outcome.written_transaction_id(session)
    # Stays set when the commit fails: the enclosing unit of work must see that the failure came from the
    # commit itself (reset when it starts its next attempt, or when the commit is known not to have happened).
    session.info[_COMMITTING] = True
    try:
        with conflicts_as_errors(session, conflict_message):
            session.commit()
    except DBAPIError as error:
        if transaction_id is None or not is_disconnect(error):
            raise
        _settle(session, transaction_id, error)
    session.info[_COMMITTING] = False
    session.info[_COMMITTED] = True


def _settle(session: Session, transaction_id: int, error: DBAPIError) -> None:
    """The connection broke during the commit: return if it committed, else DatabaseBusy (retried if aborted)."""
    engine = session.get_bind().engine
    window = float(session.info.get(WRITE_RETRY_SECONDS, DEFAULT_WRITE_RETRY_SECONDS))
    deadline = float(session.info.get(_DEADLINE) or time.monotonic() + window)
    attempt = 0
    while True:
        status = commit_outcome.outcome(engine, transaction_id)
        if status == commit_outcome.COMMITTED:
            return
        if status == commit_outcome.ABORTED:
            session.info[_COMMITTING] = False  # nothing was written: the unit of work may run again
            raise DatabaseBusy(BUSY_MESSAGE) from error
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise DatabaseBusy(UNKNOWN_MESSAGE) from error
        _pause(attempt, remaining)
        attempt += 1


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context: Any) -> None:
    session.info[_FLUSHED] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_flush(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_FLUSHED, None)


__all__ = ["commit", "conflicts_as_errors", "is_disconnect", "is_lock_failure", "unit_of_work"]
