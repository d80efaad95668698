"""Committing a unit of work, with concurrency failures turned into one clear Conflict error."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.domain.errors import Conflict

CONFLICT_MESSAGE = "someone else changed this at the same time; reload and try again"


def _is_lock_failure(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "database is locked" in text or "could not serialize" in text or "deadlock" in text


def commit(session: Session, conflict_message: str = CONFLICT_MESSAGE) -> None:
    """Flush and commit; on a lost race roll everything back and raise Conflict."""
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise Conflict(conflict_message) from None
    except IntegrityError:
        session.rollback()
        raise Conflict(conflict_message) from None
    except OperationalError as error:
        session.rollback()
        if _is_lock_failure(error):
            raise Conflict(conflict_message) from None
        raise
    except BaseException:
        session.rollback()
        raise
