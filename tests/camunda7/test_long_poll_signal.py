"""Long polling is woken by a notification, not by looking at the database again and again (both databases).

The waiters' fallback poll is set to a minute here, longer than their wait: a waiter that gets its task
was woken by the signal. On PostgreSQL the task is made fetchable by a plain connection that only sends
``pg_notify`` (no in-process signal), so only LISTEN/NOTIFY can wake it.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, select, update

from complaintflow.context import utcnow
from engine.services.external_tasks import locking
from engine.services.instances import lifecycle as instances
from engine.store import external_task_signal as signal
from engine.store.database import make_engine
from engine.store.external_tasks import ExternalTask
from tests.camunda7.test_external_engine import CHARGE, WORKER
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import ADMIN, deploy_paths
from tests.support import postgres_server

DIAGRAMS = Path(__file__).resolve().parent / "diagrams"


class Waiter(threading.Thread):
    """fetchAndLock with a long poll in its own session; counts the fetch attempts it sends."""

    def __init__(self, database: DatabaseUnderTest, timeout_ms: int) -> None:
        super().__init__(daemon=True)
        self.database, self.timeout_ms = database, timeout_ms
        self.found: list[Any] = []
        self.attempts = 0
        self.waiting = threading.Event()

    def run(self) -> None:
        with self.database.session() as session:
            self.found = locking.fetch_and_lock_waiting(
                session, WORKER, "waiter", CHARGE, 1, utcnow, self.timeout_ms
            )  # fmt: skip

    def count(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "UPDATE external_task SET worker_id" in statement and threading.current_thread() is self:
            self.attempts += 1


@pytest.fixture
def slow_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(locking, "poll_interval", lambda _engine: 60.0)
    real_wait = locking.wait_for_announcement

    def wait(since: int, timeout: float) -> bool:
        thread = threading.current_thread()
        if isinstance(thread, Waiter):
            thread.waiting.set()
        return real_wait(since, timeout)

    monkeypatch.setattr(locking, "wait_for_announcement", wait)


def _start(database: DatabaseUnderTest, now: datetime) -> int:
    with database.session() as session:
        deploy_paths(session, now, DIAGRAMS / "external_flow.bpmn")
        return instances.start_instance(session, ADMIN, "external_flow", {"prio": 1, "amount": 30}, now).id


def _wait_with(database: DatabaseUnderTest, make_fetchable: Any) -> Waiter:
    waiter = Waiter(database, 60_000)
    event.listen(database.engine, "before_cursor_execute", waiter.count)
    try:
        waiter.start()
        assert waiter.waiting.wait(20), "the waiter never waited"
        make_fetchable()
        # Not woken, it would look again only when its minute is up (and then find the task).
        waiter.join(timeout=30)
        assert not waiter.is_alive(), "the waiter was not woken"
    finally:
        event.remove(database.engine, "before_cursor_execute", waiter.count)
    return waiter


@pytest.mark.usefixtures("slow_fallback")
def test_a_commit_in_this_process_wakes_the_waiter(database: DatabaseUnderTest, now: datetime) -> None:
    waiter = _wait_with(database, lambda: _start(database, utcnow()))
    assert [row.topic for row, _ in waiter.found] == ["charge"]
    # Once when it began, once when woken: no look in between.
    assert waiter.attempts == 2


@pytest.mark.usefixtures("slow_fallback")
def test_postgres_notify_from_another_connection_wakes_the_waiter(database: DatabaseUnderTest, now: datetime) -> None:
    if database.backend != "postgres":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    _start(database, utcnow())
    with database.session() as session:  # held by another worker for an hour: nothing to fetch
        session.execute(
            update(ExternalTask).values(worker_id="other", lock_expires_at=datetime(2100, 1, 1, tzinfo=UTC))
        )
        session.commit()
        task_id = session.scalar(select(ExternalTask.id))

    def release_elsewhere() -> None:
        # Another process's commit, as far as this one can tell: a plain connection, no session events.
        with psycopg.connect(database.engine.url.set(drivername="postgresql").render_as_string(False)) as conn:
            conn.execute("UPDATE external_task SET worker_id = NULL, lock_expires_at = NULL WHERE id = %s", [task_id])
            conn.execute("SELECT pg_notify(%s, '')", [signal.CHANNEL])

    waiter = _wait_with(database, release_elsewhere)
    assert [row.id for row, _ in waiter.found] == [task_id]
    assert waiter.attempts == 2


def test_the_listener_stops_when_told_and_when_its_database_is_dropped(database: DatabaseUnderTest) -> None:
    if database.backend != "postgres":
        pytest.skip("SQLite has no listener thread")
    signal.ensure_listening(database.engine)
    listeners = [thread for thread in threading.enumerate() if thread.name == "external-task-listener"]
    assert listeners and all(thread.is_alive() for thread in listeners)
    signal.stop_listening(database.engine)
    assert not any(thread.is_alive() for thread in listeners)

    # Its database dropped under it, the listener retries (a restarted server comes back); told to stop
    # while waiting to retry, it stops at once instead of trying on into a database that is gone.
    admin_url = os.environ[postgres_server.ENV_URL]
    name = f"cf_test_listener_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    postgres_server.drop_database_on(admin_url, name)
    engine = make_engine(postgres_server.create_database_on(admin_url, name))
    try:
        signal.ensure_listening(engine)
        listener = next(thread for thread in threading.enumerate() if thread.name == "external-task-listener")
        postgres_server.drop_database_on(admin_url, name)  # disconnects the listener
        signal.stop_listening(engine, timeout=20)
        assert not listener.is_alive()
    finally:
        engine.dispose()
        signal.stop_listening()


@pytest.mark.usefixtures("slow_fallback")
def test_waiters_woken_together_look_again_one_at_a_time(
    database: DatabaseUnderTest, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One announcement wakes every waiter of the process; they look again in turn, never two at once, so the
    first takes the task without sharing the CPU with the others' locking transactions."""
    with database.session() as session:
        deploy_paths(session, now, DIAGRAMS / "external_flow.bpmn")
    real_fetch = locking.fetch_and_lock
    guard = threading.Lock()
    looking = [0]
    at_once: list[int] = []

    def slow_fetch(*args: Any, **kwargs: Any) -> Any:
        thread = threading.current_thread()
        again = isinstance(thread, Waiter) and thread.waiting.is_set()
        if again:
            with guard:
                looking[0] += 1
                at_once.append(looking[0])
            time.sleep(0.05)  # long enough that looks running side by side would overlap
        try:
            return real_fetch(*args, **kwargs)
        finally:
            if again:
                with guard:
                    looking[0] -= 1

    monkeypatch.setattr(locking, "fetch_and_lock", slow_fetch)
    waiters = [Waiter(database, 5_000) for _ in range(4)]
    for waiter in waiters:
        waiter.start()
    for waiter in waiters:
        assert waiter.waiting.wait(20), "a waiter never waited"
    with database.session() as session:
        instances.start_instance(session, ADMIN, "external_flow", {"prio": 1, "amount": 30}, utcnow())
    for waiter in waiters:
        waiter.join(timeout=30)
    assert not any(waiter.is_alive() for waiter in waiters)
    assert sorted(len(waiter.found) for waiter in waiters) == [0, 0, 0, 1]
    assert len(at_once) >= 4 and max(at_once) == 1, at_once
