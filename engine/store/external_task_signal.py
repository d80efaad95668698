"""Waking long-polling workers when an external task becomes fetchable, across processes.

A write that makes a task fetchable calls :func:`announce` inside its transaction. On PostgreSQL that is
``pg_notify``, delivered when (and only if) the transaction commits, to every process that listens: each
process keeps one listening connection in a background thread. Within the process, the commit also wakes
the waiters directly, which is all SQLite gets (its writers are on this machine; waiters in other
processes fall back to looking again once a second). A waiter never relies on a wake-up alone: expired
locks need none, so :func:`wait_for_announcement` returns after its timeout in any case.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

CHANNEL = "complaintflow_external_task"
_SESSION_FLAG = "external_task_announced"
log = logging.getLogger(__name__)


class _Announcements:
    """A counter bumped on every announcement; waiters sleep until it moves."""

    def __init__(self) -> None:
        self.generation = 0
        self.condition = threading.Condition()

    def bump(self) -> None:
        with self.condition:
            self.generation += 1
            self.condition.notify_all()

    def wait(self, since: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.condition:
            while self.generation == since:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.condition.wait(remaining)
            return True


ANNOUNCEMENTS = _Announcements()


def _bump_after_commit(session: Session) -> None:
    session.info.pop(_SESSION_FLAG, None)
    ANNOUNCEMENTS.bump()


def _forget_after_rollback(session: Session, _transaction: object) -> None:
    session.info.pop(_SESSION_FLAG, None)


def announce(session: Session) -> None:
    """Tell waiting workers, once this transaction commits, that a task may be fetchable now."""
    if session.info.get(_SESSION_FLAG):
        return
    session.info[_SESSION_FLAG] = True
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
    if not event.contains(session, "after_commit", _bump_after_commit):
        event.listen(session, "after_commit", _bump_after_commit)
        event.listen(session, "after_soft_rollback", _forget_after_rollback)


class _Listener(threading.Thread):
    """One LISTEN connection per process and database; every notification bumps the announcements."""

    def __init__(self, url: str) -> None:
        super().__init__(name="external-task-listener", daemon=True)
        self.url = url
        self.ready = threading.Event()
        self.stopping = threading.Event()

    def run(self) -> None:
        import psycopg

        pause = 1.0
        while not self.stopping.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.ready.set()
                    pause = 1.0
                    while not self.stopping.is_set():
                        # Returns after a second without notifications, so that a stop request is seen.
                        for _notify in connection.notifies(timeout=1.0):
                            ANNOUNCEMENTS.bump()
            except Exception as error:  # noqa: BLE001 - a lost connection is retried; waiters poll meanwhile
                self.ready.set()
                if self.stopping.is_set():
                    break
                log.warning("external-task listener: %s; reconnecting in %.0f s", error, pause)
                self.stopping.wait(pause)
                pause = min(pause * 2, 60.0)


_LISTENERS: dict[tuple[int, str], _Listener] = {}
_LISTENERS_LOCK = threading.Lock()


def _libpq_url(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_listening(engine: Engine) -> None:
    """Start this process's listener for the engine's database (PostgreSQL only; forks start their own)."""
    if engine.dialect.name != "postgresql":
        return
    url = _libpq_url(engine)
    key = (os.getpid(), url)
    with _LISTENERS_LOCK:
        listener = _LISTENERS.get(key)
        if listener is None or not listener.is_alive() or listener.stopping.is_set():
            listener = _Listener(url)
            _LISTENERS[key] = listener
            listener.start()
    listener.ready.wait(5.0)


def stop_listening(engine: Engine | None = None, timeout: float = 5.0) -> None:
    """Stop this process's listener for the engine's database (all of them without an engine) and wait for it.

    For whoever is about to drop a database or shut down: the listener would otherwise keep reconnecting.
    A later long poll starts a listener again.
    """
    wanted = None if engine is None else _libpq_url(engine)
    with _LISTENERS_LOCK:
        stopping = [
            _LISTENERS.pop(key)
            for key in list(_LISTENERS)
            if key[0] == os.getpid() and (wanted is None or key[1] == wanted)
        ]
    for listener in stopping:
        listener.stopping.set()
    for listener in stopping:
        listener.join(timeout)


def poll_interval(engine: Engine) -> float:
    """How long a waiter sleeps at most before it looks again without a wake-up."""
    # SQLite: writers in other processes cannot wake us; PostgreSQL: only expired locks and retry timeouts.
    return 1.0 if engine.dialect.name != "postgresql" else 5.0


def current_generation() -> int:
    return ANNOUNCEMENTS.generation


def wait_for_announcement(since: int, timeout: float) -> bool:
    """Sleep until an announcement after ``since`` or the timeout; True when woken."""
    return ANNOUNCEMENTS.wait(since, max(0.0, timeout))
