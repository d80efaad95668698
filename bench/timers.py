"""Timer benchmark: 10,000 pending timers due over about a minute, fired by the real scheduler process.

For each database (a SQLite file, PostgreSQL) it runs two scenarios:

* ``steady``: one ``complaintflow scheduler`` process runs from before the first due time to the end.
* ``kill+restart``: the same, but the scheduler is killed with SIGKILL half-way (no graceful stop, firings
  in progress are cut off) and started again ``--down`` seconds later.

It prints the lateness (firing start minus due time) p50 / p99 / max, how many timers fired, double fires
(a timer's step committed more than once) and lost timers (still pending, or an instance not completed,
after the end). Target: p99 <= 1 s, zero double fires, zero lost. A benchmark, not a test.

Usage (from the repository root)::

    .venv/bin/python bench/timers.py [--timers 10000] [--spread 60] [--down 5] [--no-postgres] [--no-sqlite]

PostgreSQL: ``COMPLAINTFLOW_TEST_POSTGRES_URL`` (admin URL) when set, else a temporary server
(tests/support/postgres_server.py). See bench/TIMERS.md for what is measured and how.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/engine.py would shadow the ``engine`` package when this folder comes first on sys.path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402

from sqlalchemy import func, select  # noqa: E402

from bench.timer_setup import create_timers, deploy, seconds_per_instance, utcnow  # noqa: E402
from engine.store.database import make_engine, make_session_factory  # noqa: E402
from engine.store.models import (  # noqa: E402
    INSTANCE_COMPLETED,
    TIMER_PENDING,
    AuditEntry,
    PendingTimerRow,
    ProcessInstance,
)

PG_DATABASE = "cf_bench_timers"


# -- the scheduler process ------------------------------------------------------------------------------
class Scheduler:
    """``python -m complaintflow.cli scheduler`` against the bench database, logging to a file."""

    def __init__(self, url: str, log: Path, workers: int | None, backlog_workers: int | None = None) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLAINTFLOW_")}
        env.update(COMPLAINTFLOW_DATABASE_URL=url, COMPLAINTFLOW_INSTANCE_PATH=str(log.parent))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        # INFO: one line per firing, and "scheduler running" once it has loaded the timers.
        command = [sys.executable, "-m", "complaintflow.cli", "scheduler", "--log-level", "INFO"]
        if workers:
            command += ["--workers", str(workers)]
        if backlog_workers:
            command += ["--backlog-workers", str(backlog_workers)]
        self.log = log
        self.started = utcnow()
        self.log_offset = log.stat().st_size if log.exists() else 0
        with log.open("a") as stream:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stream)

    def wait_ready(self, timeout: float = 120.0) -> datetime:
        """When the process logged that it runs (its timers loaded and scheduled)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            with self.log.open("rb") as stream:
                stream.seek(self.log_offset)
                if b"scheduler running" in stream.read():
                    return utcnow()
            time.sleep(0.05)
        raise RuntimeError(f"the scheduler did not start; see {self.log}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=120)


# -- measuring ------------------------------------------------------------------------------------------
@dataclass
class Restart:
    """When the kill and the restart happened (kill+restart only)."""

    killed_at: datetime
    command_at: datetime  # the new scheduler process was started
    ready_at: datetime  # it logged "scheduler running": rows read, jobs scheduled


@dataclass
class Result:
    backend: str
    scenario: str
    timers: int
    fired: int
    double: int
    lost: int
    lateness: list[float]  # kill+restart: every timer except the backlog
    setup_seconds: float
    note: str = ""
    scheduler_cpu: float = 0.0  # user + system seconds of the scheduler process(es)
    restart: Restart | None = None
    before_kill: list[float] = field(default_factory=list)
    on_time_after_restart: list[float] = field(default_factory=list)  # due after the new process was running
    backlog: list[float] = field(default_factory=list)  # due between the kill and "running"
    backlog_drained_at: datetime | None = None  # the last backlog timer's firing


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _figures(values: list[float]) -> str:
    return (
        f"p50 {_percentile(values, 0.5):.3f} p99 {_percentile(values, 0.99):.3f}"
        f" max {max(values, default=float('nan')):.3f} s"
    )


def _measure(url: str, result: Result) -> None:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        rows = session.execute(select(PendingTimerRow.status, PendingTimerRow.due_at, PendingTimerRow.fired_at)).all()
        fired_per_instance = session.execute(
            select(AuditEntry.instance_id, func.count())
            .where(AuditEntry.action == "timer_fired")
            .group_by(AuditEntry.instance_id)
        ).all()
        completed = session.scalar(select(func.count()).where(ProcessInstance.status == INSTANCE_COMPLETED)) or 0
    engine.dispose()
    result.fired = sum(1 for status, _, _ in rows if status == "fired")
    result.double = sum(number - 1 for _, number in fired_per_instance if number > 1)
    result.lost = max(result.timers - result.fired, result.timers - completed)
    restart = result.restart
    for status, due, fired_at in rows:
        if status != "fired" or fired_at is None or due is None:
            continue
        late = (fired_at - due).total_seconds()
        if restart is None:
            result.lateness.append(late)
        elif due < restart.killed_at and fired_at < restart.killed_at:
            result.before_kill.append(late)
            result.lateness.append(late)
        elif due > restart.ready_at:
            result.on_time_after_restart.append(late)
            result.lateness.append(late)
        else:
            # Overdue when the new process read the rows: due while none ran, during its start-up, or due
            # before the kill and cut off by it.
            result.backlog.append(late)
            if result.backlog_drained_at is None or fired_at > result.backlog_drained_at:
                result.backlog_drained_at = fired_at


def _wait_until_done(url: str, count: int, deadline: datetime) -> None:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    while utcnow() < deadline:
        with sessions() as session:
            pending = session.scalar(select(func.count()).where(PendingTimerRow.status == TIMER_PENDING)) or 0
        if pending == 0:
            break
        time.sleep(0.5)
    engine.dispose()


def run_scenario(backend: str, url: str, args: argparse.Namespace, kill: bool, folder: Path) -> Result:
    scenario = "kill+restart" if kill else "steady"
    print(f"  {backend} {scenario}: creating {args.timers} timers ...", flush=True)
    deploy(url)
    per_instance = seconds_per_instance(url)
    # Building + writing the instances, then the scheduler's start-up; generous, the check below tells.
    lead = args.lead or max(10.0, per_instance * args.timers * 2.0 + 8.0)
    t0 = utcnow() + timedelta(seconds=lead)
    randomness = random.Random(args.seed)
    dues = sorted(t0 + timedelta(seconds=randomness.uniform(0, args.spread)) for _ in range(args.timers))
    setup_started = time.perf_counter()
    create_timers(url, dues)
    setup_seconds = time.perf_counter() - setup_started
    log = (args.logs or folder) / f"scheduler-{backend}-{scenario.replace('+', '-')}.log"
    # The schedulers are this script's only waited-for children: their CPU time, independent of machine load.
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    logs = [log.with_name(f"{log.stem}-{number}.log") for number in range(args.schedulers)]
    schedulers = [Scheduler(url, path, args.workers, args.backlog_workers) for path in logs]
    note = ""
    while utcnow() < t0 and all(s.process.poll() is None for s in schedulers):
        time.sleep(0.1)
    if max(s.started for s in schedulers) > t0 - timedelta(seconds=3):
        note = f"setup overran the lead time ({lead:.0f} s); the first timers may be late for that reason"
    restart: Restart | None = None
    if kill:
        kill_at = t0 + timedelta(seconds=args.spread / 2)
        time.sleep(max(0.0, (kill_at - utcnow()).total_seconds()))
        killed_at = utcnow()
        for scheduler in schedulers:
            scheduler.kill()
        print(f"    killed the scheduler(s) at +{(killed_at - t0).total_seconds():.1f} s", flush=True)
        time.sleep(args.down)
        schedulers = [Scheduler(url, path, args.workers, args.backlog_workers) for path in logs]
        restart = Restart(killed_at, schedulers[0].started, max(s.wait_ready() for s in schedulers))
        print(
            f"    restarted {args.down:.1f} s later; running"
            f" {(restart.ready_at - restart.command_at).total_seconds():.1f} s after that",
            flush=True,
        )
    _wait_until_done(url, args.timers, dues[-1] + timedelta(seconds=args.timeout))
    codes = [scheduler.stop() for scheduler in schedulers]
    if any(codes):
        note += f" scheduler exit codes {codes} (see {log.parent})"
    result = Result(backend, scenario, args.timers, 0, 0, 0, [], setup_seconds, note, restart=restart)
    _measure(url, result)
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result.scheduler_cpu = (children_after.ru_utime - children_before.ru_utime) + (
        children_after.ru_stime - children_before.ru_stime
    )
    return result


# -- databases ------------------------------------------------------------------------------------------
@contextmanager
def sqlite_url(folder: Path, name: str) -> Iterator[str]:
    yield f"sqlite:///{folder / name}.sqlite"


@contextmanager
def postgres_admin_url() -> Iterator[str]:
    from tests.support import postgres_server

    admin_url = os.environ.get(postgres_server.ENV_URL)
    if admin_url:
        yield admin_url
        return
    print("  (COMPLAINTFLOW_TEST_POSTGRES_URL not set: starting a temporary PostgreSQL server)", flush=True)
    server = postgres_server.TemporaryPostgres().start()
    try:
        yield server.url
    finally:
        server.stop()


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    from tests.support import postgres_server

    postgres_server.drop_database_on(admin_url, PG_DATABASE)
    url = postgres_server.create_database_on(admin_url, PG_DATABASE)
    try:
        yield url
    finally:
        postgres_server.drop_database_on(admin_url, PG_DATABASE)


# -- report ---------------------------------------------------------------------------------------------
def report(results: list[Result]) -> None:
    print()
    header = f"{'database':<10} {'scenario':<13} {'timers':>6} {'fired':>6} {'double':>6} {'lost':>5}"
    print(header + f" {'p50 s':>7} {'p99 s':>7} {'max s':>7}  setup s")
    for r in results:
        print(
            f"{r.backend:<10} {r.scenario:<13} {r.timers:>6} {r.fired:>6} {r.double:>6} {r.lost:>5}"
            f" {_percentile(r.lateness, 0.5):>7.3f} {_percentile(r.lateness, 0.99):>7.3f}"
            f" {max(r.lateness, default=float('nan')):>7.3f}  {r.setup_seconds:.1f}"
        )
        if r.restart is not None:
            restart = r.restart
            running = (restart.ready_at - restart.command_at).total_seconds()
            print(f"{'':<10} {len(r.before_kill):>6} due before the kill: {_figures(r.before_kill)}")
            print(
                f"{'':<10} {len(r.on_time_after_restart):>6} due after the restarted process was running:"
                f" {_figures(r.on_time_after_restart)}"
            )
            drained = (
                f"drained {(r.backlog_drained_at - restart.ready_at).total_seconds():.2f} s after it was running"
                if r.backlog_drained_at is not None
                else "none"
            )
            print(
                f"{'':<10} {len(r.backlog):>6} overdue at the restart (down"
                f" {(restart.command_at - restart.killed_at).total_seconds():.1f} s + start-up {running:.1f} s):"
                f" {drained}; lateness {_figures(r.backlog)}"
            )
        if r.fired:
            print(
                f"{'':<10} scheduler CPU {r.scheduler_cpu:.1f} s = {1000 * r.scheduler_cpu / r.fired:.2f} ms per timer"
                f" (one core fires at most ~{r.fired / max(r.scheduler_cpu, 1e-9):.0f}/s)"
            )
        if r.note.strip():
            print(f"{'':<10} note: {r.note.strip()}")
    print()
    print("lateness = when the scheduler started the firing transaction minus the due time;")
    print("the 'kill+restart' row leaves out the backlog: timers overdue when the restarted process was running.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timers", type=int, default=10_000, help="pending timers per scenario (10000)")
    parser.add_argument("--spread", type=float, default=60.0, help="seconds over which they fall due (60)")
    parser.add_argument("--down", type=float, default=5.0, help="seconds the killed scheduler stays down (5)")
    parser.add_argument("--lead", type=float, default=0.0, help="seconds from set-up to the first due time (auto)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds after the last due time to wait (60)")
    parser.add_argument("--workers", type=int, help="scheduler --workers (default: its own)")
    parser.add_argument("--backlog-workers", type=int, help="scheduler --backlog-workers (default: its own)")
    parser.add_argument("--schedulers", type=int, default=1, help="scheduler processes side by side (1)")
    parser.add_argument("--seed", type=int, default=4, help="random seed for the due times")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--only", choices=["steady", "kill"], help="run one scenario only")
    parser.add_argument("--logs", type=Path, help="keep the schedulers' logs (one line per firing) in this folder")
    args = parser.parse_args()
    scenarios = [kill for kill in (False, True) if args.only is None or args.only == ("kill" if kill else "steady")]
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="cf-bench-timers-") as tmp:
        folder = Path(tmp)
        if not args.no_sqlite:
            for kill in scenarios:
                with sqlite_url(folder, f"timers-{int(kill)}") as url:
                    results.append(run_scenario("sqlite", url, args, kill, folder))
        if not args.no_postgres:
            with postgres_admin_url() as admin_url:
                for kill in scenarios:
                    with postgres_database(admin_url) as url:
                        results.append(run_scenario("postgres", url, args, kill, folder))
        report(results)
        for log in sorted((args.logs or folder).glob("scheduler-*.log")):
            errors = [line for line in log.read_text().splitlines() if "ERROR" in line or "Traceback" in line]
            if errors:
                print(f"{log.name}: {len(errors)} error line(s), first: {errors[0]}")
    failed = [r for r in results if r.double or r.lost]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
