"""``complaintflow scheduler`` as real processes: restarts with overdue timers, and two schedulers on one
database (a SQLite file, a PostgreSQL database) that never escalate a complaint twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.store.models import AuditEntry
from engine.store.outbox import OutboxMessage
from tests.conftest import DatabaseUnderTest
from tests.sla.test_scheduler import TWO_SECONDS, _all_fired, _rows, _start, utcnow, wait_for

ROOT = Path(__file__).resolve().parents[2]


class SchedulerProcess:
    """One ``python -m complaintflow.cli scheduler`` with its log in a file."""

    def __init__(self, database: DatabaseUnderTest, log: Path) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLAINTFLOW_")}
        env["COMPLAINTFLOW_DATABASE_URL"] = database.url
        env["COMPLAINTFLOW_INSTANCE_PATH"] = str(log.parent / "instance")
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "complaintflow.cli", "scheduler", "--poll-interval", "0.5"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self) -> None:
        wait_for(lambda: "scheduler running" in self.output() or self.process.poll() is not None, timeout=30)
        assert self.process.poll() is None, self.output()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=20)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=20)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[list[SchedulerProcess]]:
    started: list[SchedulerProcess] = []
    yield started
    for process in started:
        if process.process.poll() is None:
            process.kill()


def _launch(database: DatabaseUnderTest, tmp_path: Path, processes: list[SchedulerProcess]) -> SchedulerProcess:
    process = SchedulerProcess(database, tmp_path / f"scheduler-{len(processes)}.log")
    processes.append(process)
    process.wait_ready()
    return process


def _count(database: DatabaseUnderTest, action: str) -> Counter[int | None]:
    with database.session() as session:
        return Counter(session.scalars(select(AuditEntry.instance_id).where(AuditEntry.action == action)))


def test_two_scheduler_processes_escalate_every_complaint_exactly_once(
    database: DatabaseUnderTest, tmp_path: Path, processes: list[SchedulerProcess]
) -> None:
    first, second = _launch(database, tmp_path, processes), _launch(database, tmp_path, processes)
    instance_ids = _start(database, count=12)
    wait_for(_all_fired(database, 24), timeout=15)
    assert first.stop() == 0 and second.stop() == 0, first.output() + second.output()

    escalations = _count(database, "complaint_escalated")
    assert escalations == Counter(dict.fromkeys(instance_ids, 1))
    assert _count(database, "task_reminded") == Counter(dict.fromkeys(instance_ids, 1))
    assert _count(database, "timer_fired") == Counter(dict.fromkeys(instance_ids, 2))
    with database.session() as session:
        messages = session.scalar(select(func.count()).where(OutboxMessage.topic == "sla_escalation"))
        assert messages == len(instance_ids)
    # On time as well (the dedicated on-time test holds the one-second target; two processes and a busy
    # test machine get some slack here, the point of this test is exactly-once).
    late = [row.fired_at - row.due_at for row in _rows(database) if row.fired_at and row.due_at]
    assert max(late) < timedelta(seconds=2), late
    for process in (first, second):
        assert "Traceback" not in process.output()
        assert "scheduler stopped" in process.output()


def test_a_restarted_scheduler_fires_what_fell_due_while_it_was_down(
    database: DatabaseUnderTest, tmp_path: Path, processes: list[SchedulerProcess]
) -> None:
    crashed = _launch(database, tmp_path, processes)
    instance_ids = _start(database, count=3, data={**TWO_SECONDS, "resolution_target": "PT1S"})
    crashed.kill()  # no graceful stop: a crash
    wait_for(lambda: all(row.due_at is not None and row.due_at < utcnow() for row in _rows(database)))
    assert {row.status for row in _rows(database)} == {"pending"}

    restarted_at = datetime.now(UTC)
    restarted = _launch(database, tmp_path, processes)
    ready_at = datetime.now(UTC)
    wait_for(_all_fired(database, 6), timeout=10)
    assert restarted.stop() == 0
    # Fired by the restarted process as part of its start-up (a few seconds of slack for a busy machine).
    for row in _rows(database):
        assert row.fired_at is not None and restarted_at < row.fired_at < ready_at + timedelta(seconds=3)
    assert _count(database, "complaint_escalated") == Counter(dict.fromkeys(instance_ids, 1))


def test_sigterm_lets_the_firing_in_progress_commit(
    database: DatabaseUnderTest, tmp_path: Path, processes: list[SchedulerProcess]
) -> None:
    scheduler = _launch(database, tmp_path, processes)
    _start(database, count=5, data={**TWO_SECONDS, "resolution_target": "PT1S"})
    wait_for(lambda: any(row.status == "fired" for row in _rows(database)), timeout=10)
    assert scheduler.stop() == 0
    assert "received SIGTERM" in scheduler.output()
    # Stopped mid-way or not: every fired row belongs to a committed step (audit entry, escalation),
    # every other row is still pending for the next start. Nothing half-done.
    rows = _rows(database)
    assert {row.status for row in rows} <= {"fired", "pending"}
    fired_instances = {row.instance_id for row in rows if row.status == "fired"}
    escalated = {row.instance_id for row in rows if row.status == "fired" and row.element_id == "breached"}
    assert set(_count(database, "timer_fired")) == fired_instances
    assert _count(database, "complaint_escalated") == Counter(dict.fromkeys(escalated, 1))


def test_once_fires_what_is_due_and_exits(database: DatabaseUnderTest, tmp_path: Path) -> None:
    _start(database, count=2, data={**TWO_SECONDS, "resolution_target": "PT1S"})
    wait_for(lambda: all(row.due_at is not None and row.due_at < utcnow() for row in _rows(database)))
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLAINTFLOW_")}
    env["COMPLAINTFLOW_DATABASE_URL"] = database.url
    result = subprocess.run(
        [sys.executable, "-m", "complaintflow.cli", "scheduler", "--once"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # One firing per instance: the step fires both of its due timers.
    assert result.stdout.strip() == "fired 2 due timer(s)"
    assert {row.status for row in _rows(database)} == {"fired"}


def test_bad_settings_stop_the_start_with_one_clear_line(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLAINTFLOW_")}
    env["COMPLAINTFLOW_INSTANCE_PATH"] = str(tmp_path)
    env["COMPLAINTFLOW_CALENDARS_FILE"] = str(tmp_path / "missing.toml")
    result = subprocess.run(
        [sys.executable, "-m", "complaintflow.cli", "scheduler"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"error: cannot read calendars file {tmp_path / 'missing.toml'}" in result.stderr
    assert not (tmp_path / "complaintflow.db").exists()
