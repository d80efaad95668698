"""A backlog of overdue timers does not hold up the timers that are on time (real scheduler, both databases)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine import scheduler as scheduler_module
from engine.scheduler import SchedulerOptions, TimerScheduler
from engine.services.instances import lifecycle as instances
from engine.services.instances import timers
from engine.store.models import AuditEntry, PendingTimerRow
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import ADMIN, deploy_paths
from tests.sla.helpers import DIAGRAMS

# escalation_flow: a reminder at 75 % of the resolution target and an escalation at 100 %.
SLA = {"sla_calendar": "24/7", "escalation_group": "second_level"}
BACKLOG_INSTANCES = 30  # two timers each
# Each backlog firing is held up this long before it claims its row: 60 of them keep the backlog lane busy
# for about 3 s, longer than the on-time timers below take to fall due. (A sleep, not CPU: the point
# is the queueing, and a sleep makes it independent of how fast the machine fires.)
BACKLOG_DELAY = 0.05


def utcnow() -> datetime:
    return datetime.now(UTC)


def wait_for(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _start(session: Session, target: str) -> int:
    return instances.start_instance(
        session, ADMIN, "escalation_flow", {**SLA, "resolution_target": target}, utcnow()
    ).id


def _timer_rows(database: DatabaseUnderTest, instance_ids: list[int]) -> list[PendingTimerRow]:
    with database.session() as session:
        return list(session.scalars(select(PendingTimerRow).where(PendingTimerRow.instance_id.in_(instance_ids))))


class SlowBacklog:
    """Timer ids whose firing the scheduler starts only after BACKLOG_DELAY, and when each attempt ended."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.attempts_ended: list[datetime] = []


@pytest.fixture
def slow_backlog(monkeypatch: pytest.MonkeyPatch) -> SlowBacklog:
    slow = SlowBacklog()

    def fire(session: Session, timer_id: str, now: datetime) -> bool:
        if timer_id not in slow.ids:
            return timers.fire_timer(session, timer_id, now)
        time.sleep(BACKLOG_DELAY)
        try:
            return timers.fire_timer(session, timer_id, utcnow())
        finally:
            slow.attempts_ended.append(utcnow())

    monkeypatch.setattr(scheduler_module, "fire_timer", fire)
    return slow


def test_on_time_timers_do_not_wait_behind_overdue_ones(database: DatabaseUnderTest, slow_backlog: SlowBacklog) -> None:
    with database.session() as session:
        deploy_paths(session, utcnow(), DIAGRAMS / "escalation_flow.bpmn")
        backlog_ids = [_start(session, "PT1S") for _ in range(BACKLOG_INSTANCES)]
    backlog = _timer_rows(database, backlog_ids)
    assert len(backlog) == 2 * BACKLOG_INSTANCES
    slow_backlog.ids.update(row.id for row in backlog)
    wait_for(lambda: all(row.due_at is not None and row.due_at < utcnow() for row in backlog), timeout=5)
    with database.session() as session:
        on_time_id = _start(session, "PT2S")  # reminder due in 1.5 s, escalation in 2 s
    # One on-time worker: without the backlog lane, both timers would queue behind 60 x 50 ms.
    scheduler = TimerScheduler(database.sessions, SchedulerOptions(poll_interval=0.5, workers=1))
    try:
        scheduler.start()
        wait_for(lambda: all(row.status == "fired" for row in _timer_rows(database, [on_time_id])), timeout=5)
        wait_for(lambda: all(row.status == "fired" for row in _timer_rows(database, backlog_ids)), timeout=15)
        wait_for(lambda: len(slow_backlog.attempts_ended) == len(backlog), timeout=5)
    finally:
        scheduler.stop()
    on_time = _timer_rows(database, [on_time_id])
    # The backlog lane was still busy when the on-time timers fired ...
    assert max(slow_backlog.attempts_ended) > max(row.fired_at for row in on_time if row.fired_at is not None)
    # ... and they fired on time anyway. The tolerance is the 1 s target: 0.5 s was seen exceeded
    # (0.52 s) on a 2-CPU machine at load 7 while the suite ran; queued behind the backlog they would be
    # about 2 s late, so the test still tells the two apart.
    for row in on_time:
        assert row.fired_at is not None and row.due_at is not None
        assert timedelta(0) <= row.fired_at - row.due_at < timedelta(seconds=1), row.element_id
    # Firing one overdue timer of an instance also fires its other overdue one (the same workflow step),
    # so the backlog lane fires once per instance and finds the second row already fired.
    assert scheduler.stats.fired - scheduler.stats.fired_backlog == 2
    assert scheduler.stats.errors == 0
    with database.session() as session:
        fired_entries = session.scalar(
            select(func.count()).where(AuditEntry.action == "timer_fired", AuditEntry.instance_id.in_(backlog_ids))
        )
    # Each timer that fired is recorded once: the one the lane fired and the one that fired with it.
    assert fired_entries == len(backlog) == 2 * scheduler.stats.fired_backlog


def test_backlog_option_is_checked() -> None:
    with pytest.raises(ValueError, match="backlog_workers"):
        SchedulerOptions(backlog_workers=0)


def test_a_backlog_firing_waits_for_on_time_firings_but_not_for_ever(monkeypatch: pytest.MonkeyPatch) -> None:
    scheduler = TimerScheduler(sessionmaker())  # not started: only the hand-over between the lanes
    with scheduler._lock:
        scheduler._on_time_busy.add("on-time timer")
    monkeypatch.setattr(scheduler_module, "_YIELD_AT_MOST", 0.2)
    started = time.monotonic()
    scheduler._yield_to_on_time()  # the on-time firing never ends: the backlog goes on after the limit
    assert 0.15 <= time.monotonic() - started < 2.0

    def finish() -> None:
        with scheduler._lock:
            scheduler._forget("on-time timer")

    monkeypatch.setattr(scheduler_module, "_YIELD_AT_MOST", 5.0)
    threading.Timer(0.05, finish).start()
    started = time.monotonic()
    scheduler._yield_to_on_time()  # released when the on-time firing ends, long before the limit
    assert time.monotonic() - started < 2.0
    assert not scheduler._on_time_busy

    # With several on-time workers (PostgreSQL), the backlog waits only when all of them are taken.
    several = TimerScheduler(sessionmaker(), SchedulerOptions(workers=2))
    with several._lock:
        several._on_time_busy.add("on-time timer")
    started = time.monotonic()
    several._yield_to_on_time()
    assert time.monotonic() - started < 1.0
