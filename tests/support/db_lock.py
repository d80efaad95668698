"""Another writer holding the whole database's write lock for a while, on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from engine.store.all_models import Base
from engine.store.database import make_engine, make_session_factory
from tests.conftest import DatabaseUnderTest


@dataclass
class ImpatientDatabase:
    """The test database with a short lock wait per statement and a short retry window (seconds)."""

    engine: Engine
    sessions: sessionmaker[Session]
    retry_seconds: float


def impatient(database: DatabaseUnderTest, retry_seconds: float, lock_wait_ms: int = 100) -> ImpatientDatabase:
    engine = make_engine(database.url, lock_wait_ms=lock_wait_ms)
    return ImpatientDatabase(engine, make_session_factory(engine, retry_seconds), retry_seconds)


@contextmanager
def write_lock_held(database: DatabaseUnderTest, seconds: float) -> Iterator[None]:
    """Hold the write lock of every table for ``seconds`` from entering the block (in a thread).

    SQLite: a BEGIN IMMEDIATE transaction (readers go on in WAL mode, writers wait). PostgreSQL: LOCK TABLE
    ... IN EXCLUSIVE MODE on every table, which lets readers through and stops every writer.
    """
    locked, failed = threading.Event(), []

    def hold() -> None:
        try:
            if database.backend == "sqlite":
                raw = sqlite3.connect(make_url(database.url).database or "", isolation_level=None)
                raw.execute("BEGIN IMMEDIATE")
                locked.set()
                time.sleep(seconds)
                raw.execute("COMMIT")
                raw.close()
                return
            engine = create_engine(database.url)
            with engine.connect() as connection:
                tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
                connection.exec_driver_sql(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
                locked.set()
                time.sleep(seconds)
                connection.rollback()
            engine.dispose()
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            failed.append(error)
            locked.set()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert locked.wait(10), "the lock holder did not start"
    assert not failed, failed
    try:
        yield
    finally:
        thread.join(seconds + 10)
        assert not failed, failed
