"""A failing database loses nothing (issue 13): a PostgreSQL connection that breaks in the middle of a unit of
work (the server restarted, the session was killed) is retried on a new connection, and the work is done
once. A connection that breaks during the commit itself is not retried: nobody knows whether that commit
happened, and running the service again could do it twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from engine.services.audit import record
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.database import make_engine, make_session_factory
from engine.store.models import AuditEntry

pytestmark = pytest.mark.postgres
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def sessions(postgres_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_entry"))
    yield make_session_factory(engine, write_retry_seconds=5)
    engine.dispose()


def _kill_own_connection(session: Session) -> None:
    session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))


def _kill_from_outside(session: Session) -> None:
    """End the session's server process from another connection and wait until it is gone (PostgreSQL 14+)."""
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    bind = session.get_bind()
    with bind.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})


def test_a_connection_killed_before_the_commit_is_retried_and_the_work_done_once(
    sessions: sessionmaker[Session],
) -> None:
    attempts: list[int] = []

    @unit_of_work
    def note(session: Session) -> None:
        record(session, "tester", "lost_connection_test", NOW)
        attempts.append(1)
        if len(attempts) == 1:
            _kill_own_connection(session)  # as a PostgreSQL restart does to every open session
        commit(session)

    with sessions() as session:
        note(session)
    assert len(attempts) == 2
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_a_connection_killed_during_the_commit_is_an_error_not_a_second_run(
    sessions: sessionmaker[Session],
) -> None:
    attempts: list[int] = []

    @unit_of_work
    def note(session: Session) -> None:
        record(session, "tester", "lost_connection_test", NOW)
        attempts.append(1)
        session.flush()
        event.listen(session, "before_commit", _kill_from_outside, once=True)
        commit(session)

    with sessions() as session, pytest.raises(DBAPIError):
        note(session)
    assert len(attempts) == 1
