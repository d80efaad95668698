"""Shared fixtures: a real database per test, on SQLite and on PostgreSQL.

SQLite: each test gets its own file, copied from a template the worker migrated once with Alembic.
PostgreSQL: one database per xdist worker on the throwaway server (started by scripts/with-postgres.sh or,
when pytest runs alone, by this conftest); tables are emptied between tests. A PostgreSQL test that cannot
get a server fails; it is never skipped.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from engine.services.sla import business_calendars
from engine.store import schema
from engine.store.all_models import Base
from engine.store.database import make_engine, make_session_factory
from engine.store.external_task_signal import stop_listening
from tests.support import postgres_server

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

_started_server: postgres_server.TemporaryPostgres | None = None


def pytest_configure(config: pytest.Config) -> None:
    # Only the xdist controller (or a plain run) starts a server; workers inherit the URL.
    global _started_server
    if hasattr(config, "workerinput"):
        return
    if os.environ.get("COMPLAINTFLOW_TEST_SQLITE_ONLY") == "1":
        return
    _started_server = postgres_server.ensure_postgres_url_env()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _started_server is not None:
        _started_server.stop()


@dataclass
class DatabaseUnderTest:
    """A migrated database for one test."""

    backend: str
    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    def session(self) -> Session:
        return self.sessions()


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    admin_url = os.environ.get(postgres_server.ENV_URL)
    if not admin_url:
        pytest.fail(f"no PostgreSQL server: {postgres_server.ENV_URL} is not set (run scripts/with-postgres.sh)")
    name = f"cf_test_{_worker()}"
    postgres_server.drop_database_on(admin_url, name)
    url = postgres_server.create_database_on(admin_url, name)
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    yield url
    # The long-poll listener of this process would otherwise keep reconnecting to the dropped database.
    stop_listening()
    postgres_server.drop_database_on(admin_url, name)


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(autouse=True)
def every_stored_state_round_trips(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each workflow state a test stores is restored and compared first (DESIGN.md, convention 7)."""
    from engine.runtime.workflow import WorkflowRun
    from tests.engine.round_trip import checked_dump

    monkeypatch.setattr(WorkflowRun, "dump", checked_dump(WorkflowRun.dump))


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DatabaseUnderTest]:
    if request.param == "sqlite":
        path = tmp_path / "complaintflow.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
    else:
        url = request.getfixturevalue("postgres_url")
        engine = make_engine(url)
        _truncate_all(engine)
    db = DatabaseUnderTest(request.param, url, engine, make_session_factory(engine))
    yield db
    from tests.engine.round_trip import assert_every_instance_round_trips

    with db.session() as session:
        assert_every_instance_round_trips(session)
    engine.dispose()


@pytest.fixture(autouse=True)
def _stored_calendars_forgotten() -> Iterator[None]:
    """Business calendars from one test's database must not leak into the next test's registry."""
    yield
    business_calendars.forget_stored()


@pytest.fixture
def session(database: DatabaseUnderTest) -> Iterator[Session]:
    with database.session() as db_session:
        yield db_session


@pytest.fixture
def now() -> datetime:
    """The injected clock: Monday 2026-11-23 09:00 UTC."""
    return datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
