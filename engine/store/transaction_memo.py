"""Per-transaction memos: rows and texts one unit of work asks for several times, held until it ends.

The session's identity map holds rows weakly: a complaint an action looked up is garbage once the action
returns, and the next action that asks for it selects it again (a task completion selected its complaint and
customer twice). A memo here holds them strongly, and only for the transaction: the next one may see another
database state.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

_PREFIX = "complaintflow.memo."


def memo(session: Session, name: str) -> dict[Any, Any]:
    """The session's memo called ``name`` for the current transaction (empty at first).

    Tied to the transaction object as well: a memo filled while none was open yet (the query that filled it
    began one) is not carried into that transaction or a later one.
    """
    transaction = session.get_transaction()
    entry: tuple[SessionTransaction | None, dict[Any, Any]] | None = session.info.get(_PREFIX + name)
    if entry is None or entry[0] is not transaction:
        entry = (transaction, {})
        session.info[_PREFIX + name] = entry
    return entry[1]


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return  # a flush's inner transaction or a savepoint: the unit of work goes on
    for key in [key for key in session.info if isinstance(key, str) and key.startswith(_PREFIX)]:
        del session.info[key]
