"""``complaintflow scheduler`` (production: its own process) and the in-process scheduler of ``run``.

See docs/scheduler.md. Any number of scheduler processes may run against one database: each timer row is
claimed by exactly one of them. SIGTERM and SIGINT stop the process gracefully: no new firings start,
those in progress commit, and whatever was not fired stays pending for the next start.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import sys
import threading
from datetime import timedelta
from types import FrameType
from typing import Protocol

import click
from sqlalchemy.exc import SQLAlchemyError

from complaintflow.context import AppContext, make_context, utcnow
from complaintflow.privacy_cli import start_retention_job
from engine.scheduler import SchedulerOptions, TimerScheduler
from engine.services.instances.timers import fire_due_timers

log = logging.getLogger("complaintflow.scheduler")

# Set by Werkzeug in the child process its reloader starts (and restarts on every code change).
RELOADER_CHILD_ENV = "WERKZEUG_RUN_MAIN"


class SchedulerHandle(Protocol):
    """What the web server keeps: something to stop at shutdown."""

    def stop(self, wait: bool = True) -> None: ...


class _NotStarted:
    """The handle in the reloader child: the parent process already runs the scheduler."""

    def stop(self, wait: bool = True) -> None:
        """Nothing to stop."""


_background: TimerScheduler | None = None
_background_lock = threading.Lock()


def start_background_scheduler(context: AppContext, options: SchedulerOptions | None = None) -> SchedulerHandle:
    """Run the timer scheduler in this process, once (the development server, ``complaintflow run``).

    Call it before starting the server. Under the Werkzeug reloader it runs in the parent process, which
    lives across code reloads; the reloader child gets a handle that does nothing, so timers never have
    two schedulers in one server. A second call in the same process returns the running scheduler.
    """
    global _background
    if os.environ.get(RELOADER_CHILD_ENV) == "true":
        return _NotStarted()
    with _background_lock:
        if _background is None or not _background.running:
            scheduler = TimerScheduler(context.sessions, options)
            scheduler.start()
            atexit.register(scheduler.stop)
            _background = scheduler
            log.info("timer scheduler started in-process (%d worker(s))", scheduler.workers)
        return _background


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # APScheduler and SpiffWorkflow log every job run and task state at INFO; our own lines say what matters.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("spiff").setLevel(logging.WARNING)


def _fire_all_due(context: AppContext) -> int:
    total = 0
    with context.session() as session:
        while True:
            fired = fire_due_timers(session, utcnow())
            total += fired
            if not fired:
                return total


@click.command("scheduler")
@click.option("--poll-interval", default=1.0, show_default=True, help="Seconds between reads of the timer rows.")
@click.option("--horizon", default=3600.0, show_default=True, help="Schedule timers due within this many seconds.")
@click.option("--workers", type=click.IntRange(min=1), help="Parallel firings (default: 1 on SQLite, 4 otherwise).")
@click.option(
    "--backlog-workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Parallel firings of overdue timers, which never hold up the timers that are on time.",
)
@click.option("--once", is_flag=True, help="Fire every timer that is due now, then exit (cron, maintenance).")
@click.option("--log-level", default="INFO", show_default=True, type=click.Choice(["DEBUG", "INFO", "WARNING"]))
def scheduler_command(
    poll_interval: float, horizon: float, workers: int | None, backlog_workers: int, once: bool, log_level: str
) -> None:
    """Fire timers (reminders, escalations) on time; runs until SIGTERM or Ctrl+C."""
    _configure_logging(log_level)
    try:
        options = SchedulerOptions(poll_interval, timedelta(seconds=horizon), workers, backlog_workers=backlog_workers)
        context = make_context()
    except (ValueError, SQLAlchemyError) as error:
        # Bad settings (calendars file, database URL) stop the start with one line; nothing is touched.
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    if once:
        click.echo(f"fired {_fire_all_due(context)} due timer(s)")
        return
    stopping = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s: stopping after the firings in progress", signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    scheduler = TimerScheduler(context.sessions, options)
    scheduler.start()
    start_retention_job(context)  # daily data protection clean-up, its own APScheduler (docs/data-protection.md)
    log.info(
        "scheduler running (pid %d, %d worker(s)): %d timer(s) within the next %.0f s scheduled",
        os.getpid(),
        scheduler.workers,
        len(scheduler.scheduled()),
        horizon,
    )
    while not stopping.wait(0.5):
        pass
    scheduler.stop(wait=True)
    stats = scheduler.stats
    log.info(
        "scheduler stopped: %d fired (%d of them overdue when scheduled), %d conflicts, %d errors",
        stats.fired,
        stats.fired_backlog,
        stats.conflicts,
        stats.errors,
    )
