"""A failing database loses nothing (issue 13): a PostgreSQL connection that breaks in the middle of a unit of
work (the server restarted, the session was killed) is retried on a new connection, and the work is done
once. A connection that breaks during the commit itself leaves open whether the commit happened: the unit of
work asks the server (txid_status) and runs the service again only when it did not."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from engine.domain.errors import DatabaseBusy
from engine.services.audit import record
from engine.services.unit_of_work import commit, unit_of_work
from engine.store import commit_outcome
from engine.store.database import WRITE_RETRY_SECONDS, make_engine, make_session_factory
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


def _audit_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_a_connection_killed_during_the_commit_before_it_happened_runs_the_work_again(
    sessions: sessionmaker[Session],
) -> None:
    attempts: list[int] = []

    @unit_of_work
    def note(session: Session) -> str:
        record(session, "tester", "lost_connection_test", NOW)
        attempts.append(1)
        session.flush()
        if len(attempts) == 1:
            event.listen(session, "before_commit", _kill_from_outside, once=True)
        commit(session)
        return "done"

    with sessions() as session:
        assert note(session) == "done"
    assert len(attempts) == 2  # the server reported the first transaction aborted
    assert _audit_count(sessions) == 1


def test_a_connection_lost_after_the_server_committed_is_not_a_second_run(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The COMMIT reached the server, the answer did not: the server says committed, so it is done, once."""
    dialect = sessions.kw["bind"].dialect
    real_commit = dialect.do_commit
    broken: list[int] = []

    def commit_then_lose_the_answer(dbapi_connection: object) -> None:
        real_commit(dbapi_connection)
        if not broken:
            broken.append(1)
            raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(dialect, "do_commit", commit_then_lose_the_answer)
    attempts: list[int] = []

    @unit_of_work
    def note(session: Session) -> str:
        record(session, "tester", "lost_connection_test", NOW)
        attempts.append(1)
        commit(session)
        return "done"

    with sessions() as session:
        assert note(session) == "done"
    assert broken and len(attempts) == 1
    assert _audit_count(sessions) == 1


def test_a_commit_that_cannot_be_settled_is_busy_not_a_second_run(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the server cannot say what became of the commit, the work is not run again: DatabaseBusy."""
    dialect = sessions.kw["bind"].dialect
    monkeypatch.setattr(commit_outcome, "outcome", lambda _engine, _id: None)  # the server stays unreachable
    real_commit = dialect.do_commit

    def lose_the_answer(dbapi_connection: object) -> None:
        real_commit(dbapi_connection)
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(dialect, "do_commit", lose_the_answer)
    attempts: list[int] = []

    @unit_of_work
    def note(session: Session) -> None:
        record(session, "tester", "lost_connection_test", NOW)
        attempts.append(1)
        commit(session)

    session = sessions()
    session.info[WRITE_RETRY_SECONDS] = 0.5
    with session, pytest.raises(DatabaseBusy, match="check in a moment whether it was saved"):
        note(session)
    assert len(attempts) == 1
