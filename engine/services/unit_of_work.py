"""One unit of work per service call: everything commits together, or nothing does.

A lost race can surface at any flush (SQLAlchemy autoflushes before queries), not only at commit, so the
whole service body runs inside :func:`unit_of_work`, which turns concurrency failures into one clear
:class:`Conflict` after rolling back.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.domain.errors import Conflict

CONFLICT_MESSAGE = "someone else changed this at the same time; reload and try again"

P = ParamSpec("P")
R = TypeVar("R")


def _is_lock_failure(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "database is locked" in text or "could not serialize" in text or "deadlock" in text


@contextmanager
def conflicts_as_errors(session: Session, message: str = CONFLICT_MESSAGE) -> Iterator[None]:
    """Roll back on any error; lost races (stale version, duplicate key, lock failure) become Conflict."""
    try:
        yield
    except (StaleDataError, IntegrityError):
        session.rollback()
        raise Conflict(message) from None
    except OperationalError as error:
        session.rollback()
        if _is_lock_failure(error):
            raise Conflict(message) from None
        raise
    except BaseException:
        session.rollback()
        raise


def unit_of_work(function: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Session, P], R]:
    """Decorate a service whose first argument is the session."""

    @functools.wraps(function)
    def wrapper(session: Session, *args: P.args, **kwargs: P.kwargs) -> R:
        with conflicts_as_errors(session):
            return function(session, *args, **kwargs)

    return wrapper


def commit(session: Session, conflict_message: str = CONFLICT_MESSAGE) -> None:
    """Commit the unit of work; a lost race raises Conflict with ``conflict_message``."""
    with conflicts_as_errors(session, conflict_message):
        session.commit()


__all__ = ["commit", "conflicts_as_errors", "unit_of_work"]
