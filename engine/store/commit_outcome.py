"""Whether a PostgreSQL transaction committed, asked after its connection broke during the commit.

A connection that breaks while COMMIT is on its way (the server restarted, the session was killed) leaves the
client not knowing whether the commit happened. Running the work again could do it twice, giving up could
report as failed what was saved. PostgreSQL remembers the outcome of every recent transaction by its id:
``txid_status`` answers ``committed``, ``aborted`` or ``in progress``, from any new connection once the server
is back. The unit of work records the id before committing and asks afterwards (engine.services.unit_of_work).
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

COMMITTED, ABORTED = "committed", "aborted"


def written_transaction_id(session: Session) -> int | None:
    """The id of the session's PostgreSQL transaction if it wrote anything; None elsewhere or when read-only.

    ``txid_current_if_assigned`` gives no id to a transaction that wrote nothing (nothing to lose there).
    """
    if session.get_bind().dialect.name != "postgresql":
        return None
    value = session.execute(text("SELECT txid_current_if_assigned()")).scalar()
    return int(value) if value is not None else None


def outcome(engine: Engine, transaction_id: int) -> str | None:
    """``committed``, ``aborted`` or ``in progress``; None while the server cannot be asked (still down)."""
    try:
        with engine.connect() as connection:
            value = connection.execute(text("SELECT txid_status(:id)"), {"id": transaction_id}).scalar()
    except DBAPIError:
        return None
    return str(value) if value is not None else None


__all__ = ["ABORTED", "COMMITTED", "outcome", "written_transaction_id"]
