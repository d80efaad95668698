"""Rows one unit of work asks for several times are held for its transaction, and only for it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from engine.services.intake.complaints import NewComplaint, open_complaint
from engine.store.complaints import complaint_of_instance
from engine.store.transaction_memo import memo
from tests.engine.helpers import ANNA, BASIC, deploy_paths


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_complaint_looked_up_by_its_instance_is_selected_once_per_transaction(
    session: Session, now: datetime
) -> None:
    deploy_paths(session, now, *BASIC)
    new = NewComplaint("Erika", "Rechnung", "Doppelt abgebucht.", "email", amount_disputed=Decimal(10))
    instance_id = open_complaint(session, ANNA, new, "complaint_basic", now).instance_id
    assert instance_id is not None
    session.expunge_all()  # committed: a fresh unit of work, holding nothing
    with counted(session) as statements:
        first_id = complaint_of_instance(session, instance_id).id  # type: ignore[union-attr]
        gc.collect()  # the identity map's reference alone would let the row go here
        assert complaint_of_instance(session, instance_id).id == first_id  # type: ignore[union-attr]
    assert len(statements) == 1
    session.commit()  # a new transaction may see another state: asked afresh
    with counted(session) as statements:
        assert complaint_of_instance(session, instance_id) is not None
    assert len(statements) == 1


def test_a_memo_lasts_until_the_transaction_ends_not_past_a_flush(session: Session) -> None:
    session.connection()
    memo(session, "example")["key"] = "value"
    session.flush()  # a flush's inner transaction ends; the unit of work goes on
    assert memo(session, "example") == {"key": "value"}
    session.rollback()
    assert memo(session, "example") == {}


def test_a_memo_filled_outside_a_transaction_is_not_carried_into_the_next(session: Session) -> None:
    session.commit()
    memo(session, "outside")["key"] = "value"
    session.connection()  # a statement begins a transaction
    assert memo(session, "outside") == {}
