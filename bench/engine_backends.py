"""Databases for the benchmark: temporary SQLite/PostgreSQL URLs and a migrated, deployed Backend."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from bench.engine_workload import ACTOR, load_resources, now
from engine.services.designer import deployment
from engine.store import schema
from engine.store.database import make_engine, make_session_factory

PG_DATABASE = "cf_bench"


class StatementCounter:
    """Counts statements the engine sends to the database (one round-trip each)."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


@dataclass
class Backend:
    """A migrated database with the example deployed."""

    name: str
    engine: Engine
    sessions: sessionmaker[Session]
    counter: StatementCounter


def prepare_backend(name: str, url: str) -> Backend:
    """Create the schema and deploy the example (outside the measurement)."""
    engine = make_engine(url)
    schema.upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions() as session:
        deployment.deploy(session, ACTOR, load_resources(), now())
    return Backend(name, engine, sessions, StatementCounter(engine))


@contextmanager
def sqlite_url() -> Iterator[str]:
    """A SQLite file in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="cf-bench-") as folder:
        yield f"sqlite:///{folder}/bench.sqlite"


class PostgresUnavailable(Exception):
    """No PostgreSQL server could be started or reached; the PostgreSQL figures are skipped."""


@contextmanager
def postgres_url() -> Iterator[str]:
    """A fresh ``cf_bench`` database on the given or a temporary server; dropped (and stopped) afterwards."""
    from tests.support import postgres_server

    admin_url = os.environ.get(postgres_server.ENV_URL)
    server = None
    if not admin_url:
        print("  (COMPLAINTFLOW_TEST_POSTGRES_URL not set: starting a temporary PostgreSQL server)", flush=True)
        try:
            server = postgres_server.TemporaryPostgres().start()
        except (RuntimeError, OSError) as error:
            raise PostgresUnavailable(str(error).splitlines()[0]) from None
        admin_url = server.url
    try:
        try:
            postgres_server.drop_database_on(admin_url, PG_DATABASE)  # a leftover of an interrupted run
            url = postgres_server.create_database_on(admin_url, PG_DATABASE)
        except Exception as error:
            raise PostgresUnavailable(f"cannot create {PG_DATABASE}: {error}") from None
        try:
            yield url
        finally:
            postgres_server.drop_database_on(admin_url, PG_DATABASE)
    finally:
        if server is not None:
            server.stop()
