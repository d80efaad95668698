"""Timer execution: one APScheduler job per pending timer row, at its exact due time.

The ``timer`` rows are the truth; the scheduler only mirrors them. Every ``poll_interval`` seconds it
reads the ids and due times of the pending timers due within ``horizon`` (one indexed query) and makes
its jobs match: new timers get a job, cancelled or elsewhere-fired timers lose theirs, moved timers are
rescheduled. That poll is also the sweep: a pending timer whose due time has passed and that has no job
(it fell due while no scheduler ran, or its firing lost a race) gets a job that runs at once.

Why a poll and not LISTEN/NOTIFY: it works the same on SQLite and PostgreSQL, needs no trigger or
change in the services that write timers, and cannot miss a notification while the scheduler is down
or reconnecting. A new timer reaches the scheduler within one poll interval; a timer due sooner than
that after its creation fires up to one interval late.

Firing goes through :func:`engine.services.instances.timers.fire_timer`, which claims the row with a conditional
UPDATE in the workflow step's transaction: any number of schedulers (threads or processes) fire a timer
exactly once, and a crash before the commit leaves the row pending, to be fired by the next poll.
A timer whose firing failed is retried with a growing pause (0.25 s doubling up to ``max_backoff``).

Two lanes, so that a backlog never delays the timers that are on time: a timer already overdue when it
gets its job (it fell due while no scheduler ran, was found late, or is retried) runs on the *backlog*
executor, with ``backlog_workers`` threads; timers scheduled ahead of their due time run on the *on-time*
executor. A backlog firing also waits, at most ``_YIELD_AT_MOST``, while all on-time workers are taken
(on-time firings queued or running): after a restart with thousands of overdue timers, the timers falling
due meanwhile still find a free worker and the CPU, and the backlog drains in the gaps, oldest first. Both
lanes claim rows the same way, so exactly-once and nothing-lost do not depend on the lane.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, EVENT_JOB_SUBMITTED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.domain.errors import Conflict, DatabaseBusy
from engine.services.instances.timers import fire_timer
from engine.services.regulation.clock import sweep as sweep_regulatory_deadlines
from engine.store.models import TIMER_PENDING, PendingTimerRow

log = logging.getLogger("complaintflow.scheduler")

# Above this many job changes in one poll the scheduler thread is paused while they are made: each
# add_job on a running APScheduler wakes its thread, which would otherwise re-sort the jobs every time.
_BULK_CHANGES = 50
# A job whose run time passed this long ago without its firing starting is considered lost.
_LOST_AFTER = timedelta(seconds=5)
# The executors (lanes); see the module docstring.
_ON_TIME = "default"
_BACKLOG = "backlog"
# A backlog firing waits at most this long for the on-time lane to be idle. When on-time firings keep that
# lane busy all the time (an overloaded machine, everything is late anyway), the backlog still drains at
# several firings per second and takes only a few per cent of the on-time lane's CPU.
_YIELD_AT_MOST = 0.1


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SchedulerOptions:
    """How the scheduler polls and fires; ``workers`` None means 1 on SQLite, 4 on other databases.

    ``workers`` fire the timers that are on time, ``backlog_workers`` the overdue ones (see the module).
    """

    poll_interval: float = 1.0
    horizon: timedelta = timedelta(hours=1)
    workers: int | None = None
    max_backoff: float = 60.0
    backlog_workers: int = 1
    # How often the legal deadlines of the regulation packs are swept (reminders, breaches): minutes matter, not ms.
    regulation_interval: float = 30.0

    def __post_init__(self) -> None:
        if self.poll_interval <= 0:
            raise ValueError("poll_interval must be positive")
        if self.horizon <= timedelta(0):
            raise ValueError("horizon must be positive")
        if self.workers is not None and self.workers < 1:
            raise ValueError("workers must be at least 1")
        if self.backlog_workers < 1:
            raise ValueError("backlog_workers must be at least 1")


@dataclass
class SchedulerStats:
    """Counters since start, for logs and the benchmark."""

    fired: int = 0
    fired_backlog: int = 0  # of ``fired``: by the backlog lane
    not_fired: int = 0  # claimed by someone else first, or no longer due
    conflicts: int = 0
    errors: int = 0
    polls: int = 0
    poll_errors: int = 0
    last_poll_seconds: float = 0.0


@dataclass
class _Attempt:
    due_at: datetime
    count: int
    finished: float  # time.monotonic()


@dataclass
class _Job:
    due_at: datetime
    run_at: datetime
    lane: str


class TimerScheduler:
    """Mirror of the pending timer rows as APScheduler date jobs, plus the poll that keeps it current."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        options: SchedulerOptions | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.sessions = sessions
        self.options = options or SchedulerOptions()
        self.clock = clock
        self.stats = SchedulerStats()
        backend = sessions.kw["bind"].dialect.name if sessions.kw.get("bind") is not None else "sqlite"
        # SQLite has one writer at a time: more threads would only queue on its lock.
        workers = self.options.workers or (1 if backend == "sqlite" else 4)
        self._aps = BackgroundScheduler(
            timezone=UTC,
            executors={
                _ON_TIME: ThreadPoolExecutor(workers),
                _BACKLOG: ThreadPoolExecutor(self.options.backlog_workers),
            },
            job_defaults={"misfire_grace_time": None, "coalesce": False, "max_instances": 1},
        )
        self._aps.add_listener(self._on_submitted, EVENT_JOB_SUBMITTED)
        self._aps.add_listener(self._on_skipped, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
        self._lock = threading.Lock()
        self._jobs: dict[str, _Job] = {}
        self._busy: set[str] = set()  # submitted to the worker pool or firing
        self._on_time_busy: set[str] = set()  # the same, on-time lane only
        self._on_time_idle = threading.Condition(self._lock)  # notified when an on-time worker is free
        self._attempts: dict[str, _Attempt] = {}
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        self.workers = workers
        # SQLite has one writer: firings of the two lanes take turns on this lock, which hands over at once,
        # instead of on SQLite's busy handler, which sleeps 1, 2, 5, 10 ... ms before it tries again.
        self._writer: contextlib.AbstractContextManager[object] = (
            threading.Lock() if backend == "sqlite" else contextlib.nullcontext()
        )

    # -- life cycle ------------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the pending timers, schedule them and start polling (returns at once)."""
        if self._poller is not None:
            raise RuntimeError("the scheduler is already running")
        # Paused while the start-up jobs are added, so that overdue timers are submitted in one go.
        self._aps.start(paused=True)
        try:
            self.sync()
        except Exception:  # noqa: BLE001 - the database may come later; the poll retries
            log.exception("could not read the timers at start-up; retrying every %.1f s", self.options.poll_interval)
        self._aps.resume()
        self._poller = threading.Thread(target=self._poll_loop, name="timer-poll", daemon=True)
        self._poller.start()

    def stop(self, wait: bool = True) -> None:
        """Stop polling and scheduling; with ``wait``, firings in progress finish (and commit) first."""
        self._stop.set()
        with self._on_time_idle:
            self._on_time_idle.notify_all()  # backlog firings waiting for their turn give up
        if self._poller is not None and self._poller is not threading.current_thread():
            self._poller.join(timeout=max(5.0, self.options.poll_interval * 3))
        if self._aps.running:
            self._aps.shutdown(wait=wait)

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self._poller is not None and not self._stop.is_set()

    def scheduled(self) -> dict[str, datetime]:
        """Timer id -> due time of every timer that has a job or is being fired (for tests and logs)."""
        with self._lock:
            return {timer_id: job.due_at for timer_id, job in self._jobs.items()}

    def _poll_loop(self) -> None:
        next_regulation = 0.0
        while not self._stop.wait(self.options.poll_interval):
            try:
                self.sync()
                if time.monotonic() >= next_regulation:
                    next_regulation = time.monotonic() + self.options.regulation_interval
                    self.sweep_regulation()
            except Exception:  # noqa: BLE001 - keep polling through database outages
                self.stats.poll_errors += 1
                log.exception("polling the timers failed; retrying in %.1f s", self.options.poll_interval)

    def sweep_regulation(self) -> tuple[int, int]:
        """Remind before and escalate after the regulation packs' legal deadlines (engine.services.regulation)."""
        with self._writer, self.sessions() as session:
            reminded, breached = sweep_regulatory_deadlines(session, self.clock())
        if reminded or breached:
            log.info("legal deadlines: %d reminded, %d breached", reminded, breached)
        return reminded, breached

    # -- mirroring the rows ----------------------------------------------------------------------------
    def _pending(self, now: datetime) -> dict[str, datetime]:
        with self.sessions() as session:
            rows = session.execute(
                select(PendingTimerRow.id, PendingTimerRow.due_at).where(
                    PendingTimerRow.status == TIMER_PENDING,
                    PendingTimerRow.due_at.is_not(None),
                    PendingTimerRow.due_at <= now + self.options.horizon,
                )
            ).all()
        return {timer_id: due_at for timer_id, due_at in rows if due_at is not None}

    def _retry_at(self, timer_id: str, due_at: datetime, started: float, now: datetime) -> datetime | None:
        """When to (re)try a timer: its due time, later after failed attempts; None to wait for the next poll."""
        attempt = self._attempts.get(timer_id)
        if attempt is None or attempt.due_at != due_at:
            return due_at
        if attempt.finished > started:
            # The attempt ended after this poll read the rows: the row may already be fired.
            return None
        delay = min(self.options.max_backoff, 0.25 * 2 ** (attempt.count - 1))
        return max(due_at, now + timedelta(seconds=delay))

    def sync(self) -> int:
        """Make the jobs match the pending rows once; returns how many jobs were added or changed."""
        started = time.monotonic()
        now = self.clock()
        pending = self._pending(now)
        changes: list[tuple[str, _Job]] = []
        removals: list[str] = []
        with self._lock:
            for timer_id in list(self._jobs):
                if timer_id in self._busy:
                    continue
                job = self._jobs[timer_id]
                lost = job.run_at < now - _LOST_AFTER and self._aps.get_job(timer_id) is None
                if timer_id not in pending or pending[timer_id] != job.due_at or lost:
                    del self._jobs[timer_id]
                    removals.append(timer_id)
            for timer_id in list(self._attempts):
                if timer_id not in pending:
                    del self._attempts[timer_id]
            for timer_id, due_at in pending.items():
                if timer_id in self._jobs or timer_id in self._busy:
                    continue
                run_at = self._retry_at(timer_id, due_at, started, now)
                if run_at is not None:
                    # Overdue already when we learn of it: the backlog lane, never ahead of on-time timers.
                    job = _Job(due_at, run_at, _BACKLOG if due_at <= now else _ON_TIME)
                    self._jobs[timer_id] = job
                    changes.append((timer_id, job))
        self._apply(removals, changes)
        self.stats.polls += 1
        self.stats.last_poll_seconds = time.monotonic() - started
        if changes or removals:
            log.debug("sync: %d pending, %d scheduled, %d removed", len(pending), len(changes), len(removals))
        return len(changes)

    def _apply(self, removals: list[str], changes: list[tuple[str, _Job]]) -> None:
        bulk = len(removals) + len(changes) > _BULK_CHANGES and self._aps.state == STATE_RUNNING
        if bulk:
            self._aps.pause()
        try:
            for timer_id in removals:
                # Already submitted? Then fire_timer finds the row no longer pending.
                with contextlib.suppress(JobLookupError):
                    self._aps.remove_job(timer_id)
            for timer_id, job in changes:
                self._aps.add_job(
                    self._fire,
                    trigger=DateTrigger(run_date=job.run_at, timezone=UTC),
                    args=(timer_id, job.due_at, job.lane),
                    id=timer_id,
                    executor=job.lane,
                    name=f"timer {timer_id}",
                    replace_existing=True,
                )
        finally:
            if bulk:
                self._aps.resume()

    def _on_submitted(self, event: JobEvent) -> None:
        # Runs in APScheduler's thread just after the submission; the firing may already have ended (then
        # it removed the job from _jobs and nothing is added here).
        with self._lock:
            job = self._jobs.get(event.job_id)
            if job is not None:
                self._busy.add(event.job_id)
                if job.lane == _ON_TIME:
                    self._on_time_busy.add(event.job_id)

    def _on_skipped(self, event: JobEvent) -> None:
        # The job will not run: forget it so that the next poll schedules the timer again.
        with self._lock:
            self._jobs.pop(event.job_id, None)

    # -- firing ----------------------------------------------------------------------------------------
    def _yield_to_on_time(self) -> None:
        """Wait (briefly) while every on-time worker is taken, so that a timer falling due finds one free."""
        deadline = time.monotonic() + _YIELD_AT_MOST
        with self._on_time_idle:
            while len(self._on_time_busy) >= self.workers and not self._stop.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._on_time_idle.wait(remaining)

    def _forget(self, timer_id: str) -> None:
        """Called with the lock held when a job has ended: it is no longer scheduled, queued or firing."""
        self._busy.discard(timer_id)
        self._jobs.pop(timer_id, None)
        if timer_id in self._on_time_busy:
            self._on_time_busy.discard(timer_id)
            if len(self._on_time_busy) < self.workers:
                self._on_time_idle.notify_all()

    def _fire(self, timer_id: str, due_at: datetime, lane: str = _ON_TIME) -> None:
        if lane == _BACKLOG:
            self._yield_to_on_time()
        if self._stop.is_set():
            # Queued before a stop: leave the row pending for the next start instead of delaying the exit.
            with self._lock:
                self._forget(timer_id)
            return
        with self._lock:
            self._busy.add(timer_id)
        outcome = "errors"
        try:
            with self._writer, self.sessions() as session:
                now = self.clock()  # after any wait for the writer lock: the firing starts now
                fired = fire_timer(session, timer_id, now)
            outcome = "fired" if fired else "not_fired"
            if fired:
                late = _late(due_at, now)
                log.info("fired timer %s (due %s, %.3f s late, %s)", timer_id, due_at.isoformat(), late, lane)
        except (Conflict, DatabaseBusy):
            # Someone changed the instance at the same moment, or the database stayed busy for the whole
            # retry window: nothing was written, the row is still pending and is retried.
            outcome = "conflicts"
            log.info("timer %s lost a race with another change; retrying", timer_id)
        except Exception:  # noqa: BLE001 - one broken timer must not stop the others
            log.exception("firing timer %s failed; retrying", timer_id)
        finally:
            with self._lock:
                setattr(self.stats, outcome, getattr(self.stats, outcome) + 1)
                if outcome == "fired" and lane == _BACKLOG:
                    self.stats.fired_backlog += 1
                self._forget(timer_id)
                previous = self._attempts.get(timer_id)
                count = previous.count + 1 if previous is not None and previous.due_at == due_at else 1
                self._attempts[timer_id] = _Attempt(due_at, count, time.monotonic())


def _late(due_at: datetime, now: datetime) -> float:
    return max(0.0, (now - due_at).total_seconds())


__all__ = ["SchedulerOptions", "SchedulerStats", "TimerScheduler"]
