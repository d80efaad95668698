"""External-task benchmark: Camunda-style workers against ``complaintflow serve`` over HTTP.

For 1, 4 and 16 concurrent workers (threads here, each with its own HTTP connection, Basic auth as
Camunda's clients send it) it prints

* completed external tasks per second (fetchAndLock + complete, instances started beforehand),
* the delay from a task becoming ready to a long-polling worker receiving it, p50/p99, with "ready" and
  the receipt stamped on this process's clock (see :func:`ready_delays`): for tasks committed by another
  process (the scheduler, another gunicorn process: PostgreSQL's NOTIFY, SQLite's once-a-second poll) and,
  on PostgreSQL, for instances started over HTTP,
* the server's CPU per completed external task (every gunicorn process, HTTP included), next to the CPU of
  completing a user task through the service layer (``engine.services.casework.tasks.complete_task``) in the same
  run on the same database.

Usage (from the repository root)::

    .venv/bin/python bench/external_tasks.py [--tasks 200] [--ready 60] [--no-postgres] [--no-sqlite]

PostgreSQL as in bench/engine.py (``COMPLAINTFLOW_TEST_POSTGRES_URL`` or a temporary server).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

import requests  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from engine.bpmn.resources import Resource  # noqa: E402
from engine.domain.actors import SYSTEM, Actor  # noqa: E402
from engine.services.casework import tasks  # noqa: E402
from engine.services.designer import deployment  # noqa: E402
from engine.services.instances import lifecycle as instances  # noqa: E402
from engine.services.instances.run_cache import RUN_CACHE  # noqa: E402
from engine.services.users import accounts as user_service  # noqa: E402
from engine.store import external_task_signal, schema  # noqa: E402
from engine.store.database import make_engine, make_session_factory  # noqa: E402
from engine.store.models import HumanTask  # noqa: E402
from webui.engine_rest.ids import instance_uuid  # noqa: E402

DIAGRAM = Path(__file__).resolve().parent / "external_tasks.bpmn"
PASSWORD = "bench-password"
AGENT = Actor("agent", groups=frozenset({"agent"}), roles=frozenset({"agent"}))
TOPIC = "bench_work"


def _now() -> datetime:
    return datetime.now(UTC)


def prepare(url: str) -> None:
    engine = make_engine(url)
    schema.upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions() as session:
        groups = {"external_workers": ("Workers", False), "agent": ("Agents", False)}
        people = [
            user_service.UserData("worker", "Worker", "w@example.org", PASSWORD, "en", (), ("external_workers",)),
            user_service.UserData("boss", "Admin", "a@example.org", PASSWORD, "en", ("admin",), ()),
        ]
        user_service.ensure_users(session, SYSTEM, groups, people, _now())
        session.commit()
        deployment.deploy(session, SYSTEM, [Resource(DIAGRAM.name, DIAGRAM.read_text())], _now())
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(url: str, folder: str) -> Iterator[tuple[str, int]]:
    """``complaintflow serve`` (gunicorn, 2 processes x 20 threads) on a free port; yields (base URL, pid)."""
    port = _free_port()
    env = dict(os.environ, COMPLAINTFLOW_DATABASE_URL=url, COMPLAINTFLOW_INSTANCE_PATH=folder, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "complaintflow.cli", "serve", "--workers", "2", "--threads", "20",
               "--bind", f"127.0.0.1:{port}"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/engine-rest"
    try:
        for _ in range(200):
            try:
                if requests.get(f"{base}/external-task/count", auth=("worker", PASSWORD), timeout=20).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) of the server process and its children so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def start_instances(url: str, key: str, count: int) -> None:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        for number in range(count):
            instances.start_instance(session, SYSTEM, key, {"n": number}, _now())
    engine.dispose()


class Worker(threading.Thread):
    """Fetch one task at a time (long polling), complete it; records when each task arrived."""

    def __init__(self, base: str, name: str, stop: threading.Event, wait_ms: int) -> None:
        super().__init__(daemon=True)
        self.base, self.name, self.stop, self.wait_ms = base, name, stop, wait_ms
        self.received: dict[str, float] = {}  # process instance id -> arrival (perf_counter)
        self.http = requests.Session()
        self.http.auth = ("worker", PASSWORD)

    def run(self) -> None:
        body = {"workerId": self.name, "maxTasks": 1, "asyncResponseTimeout": self.wait_ms,
                "topics": [{"topicName": TOPIC, "lockDuration": 60000}]}  # fmt: skip
        while not self.stop.is_set():
            found = self.http.post(f"{self.base}/external-task/fetchAndLock", json=body, timeout=60).json()
            arrived = time.perf_counter()
            for task in found:
                self.received[task["processInstanceId"]] = arrived
                result = {"workerId": self.name, "variables": {"ok": {"value": True}}}
                done = self.http.post(f"{self.base}/external-task/{task['id']}/complete", json=result, timeout=60)
                assert done.status_code == 204, done.text


def throughput(base: str, pid: int, url: str, workers: int, count: int) -> tuple[float, float]:
    """(completed per second, server CPU ms per completed task) draining ``count`` ready tasks."""
    start_instances(url, "bench_external", count)
    stop = threading.Event()
    crew = [Worker(base, f"w{i}", stop, 500) for i in range(workers)]
    cpu, began = server_cpu(pid), time.perf_counter()
    for worker in crew:
        worker.start()
    while sum(len(worker.received) for worker in crew) < count:
        time.sleep(0.01)
    elapsed, used = time.perf_counter() - began, server_cpu(pid) - cpu
    stop.set()
    for worker in crew:
        # Until its last poll ends: a worker still polling would take tasks of the next measurement.
        worker.join(timeout=120)
    return count / elapsed, used / count * 1000


def _stamp_commit(session: Session, marks: dict[str, float]) -> None:
    """Note in ``marks`` when the session sends its COMMIT: from then on its task may be fetched."""
    event.listen(session, "before_commit", lambda _s: marks.__setitem__("ready", time.perf_counter()))


class NotifyClock(threading.Thread):
    """PostgreSQL: a LISTEN connection of this process stamping each announcement on this process's clock.

    NOTIFY is delivered when the announcing transaction commits, to this connection as to the server's
    listeners: the stamp is when a task started over HTTP became fetchable, seen from outside the server.
    """

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url.replace("postgresql+psycopg://", "postgresql://")
        self.stamps: list[float] = []
        self.listening, self.stop = threading.Event(), threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f"LISTEN {external_task_signal.CHANNEL}")
            self.listening.set()
            while not self.stop.is_set():
                for _notify in connection.notifies(timeout=0.5):
                    self.stamps.append(time.perf_counter())

    def first_after(self, moment: float) -> float | None:
        return next((stamp for stamp in list(self.stamps) if stamp >= moment), None)


def ready_delays(base: str, url: str, workers: int, count: int, over_http: bool) -> list[float]:
    """Delays (ms) from a task becoming fetchable to a long-polling worker receiving it.

    The tasks come one at a time, the next once a worker has the previous one: the delay is the wake-up,
    not a queue behind busy workers (the rate measures those). ``over_http=False``: the instances are
    started through the service layer in this process, "ready" is the sending of its COMMIT, and the
    server hears of the task only as another process's commit (PostgreSQL's NOTIFY; on SQLite its
    once-a-second fallback poll, by design), as from the scheduler or another gunicorn process.
    ``over_http=True`` (PostgreSQL): started with ``POST /process-definition/{id}/start``, the server's own
    commit; "ready" is when :class:`NotifyClock` hears the announcement.
    """
    stop = threading.Event()
    crew = [Worker(base, f"lp{i}", stop, 30000) for i in range(workers)]
    for worker in crew:
        worker.start()
    time.sleep(1.0)  # every worker is waiting in fetchAndLock
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    admin = requests.Session()
    admin.auth = ("boss", PASSWORD)
    definition = admin.get(f"{base}/process-definition/key/bench_external", timeout=10).json()["id"]
    clock = NotifyClock(url) if over_http else None
    if clock is not None:
        clock.start()
        clock.listening.wait(10)
    ready: dict[str, float] = {}
    for _ in range(count):
        marks: dict[str, float] = {"ready": time.perf_counter()}
        if over_http:
            key = admin.post(f"{base}/process-definition/{definition}/start", json={}, timeout=10).json()["id"]
        else:
            with sessions() as session:
                _stamp_commit(session, marks)
                key = instance_uuid(instances.start_instance(session, SYSTEM, "bench_external", {}, _now()).id)
        deadline = time.time() + 30
        while not any(key in worker.received for worker in crew) and time.time() < deadline:
            time.sleep(0.002)
        time.sleep(0.05)
        notified = clock.first_after(marks["ready"]) if clock is not None else marks["ready"]
        if notified is not None:
            ready[key] = notified
    stop.set()
    # Wake the idle long polls so the threads end.
    start_instances(url, "bench_external", workers)
    for worker in crew:
        worker.join(timeout=60)
    if clock is not None:
        clock.stop.set()
        clock.join(timeout=10)
    engine.dispose()
    received = {key: value for worker in crew for key, value in worker.received.items()}
    delays = [(received[key] - ready[key]) * 1000 for key in ready if key in received]
    if len(delays) < count:
        print(f"    ({count - len(delays)} of {count} tasks not received within 30 s or not announced)")
    return delays


def user_task_cpu(url: str, count: int) -> float:
    """CPU ms of completing one user task through the service layer (this process, single thread)."""
    start_instances(url, "bench_user", count)
    # The server completes external tasks of instances this process started, so it never has their runs in
    # its run cache; the baseline must not have them either (they would spare it the deserialisation).
    RUN_CACHE.clear()
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        ids = [row.id for row in session.query(HumanTask).filter(HumanTask.status == "open").all()]
    cpu = time.process_time()
    for task_id in ids:
        with sessions() as session:
            tasks.complete_task(session, AGENT, task_id, {}, _now())
    used = time.process_time() - cpu
    engine.dispose()
    return used / len(ids) * 1000


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")


def run_backend(name: str, url: str, count: int, ready: int) -> None:
    print(f"\n{name}  (load average {os.getloadavg()[0]:.1f} at the start)", flush=True)
    prepare(url)
    with tempfile.TemporaryDirectory(prefix="cf-bench-ext-") as folder, server(url, folder) as (base, pid):
        user_cpu = user_task_cpu(url, max(50, count // 2))
        print(f"  user task completed through the service layer: {user_cpu:.1f} ms CPU each", flush=True)
        print("  workers  completed/s  server CPU/task  ready->received p50 / p99: commit elsewhere; start over HTTP")
        for workers in (1, 4, 16):
            rate, cpu = throughput(base, pid, url, workers, count)
            elsewhere = ready_delays(base, url, workers, ready, over_http=False)
            line = (f"  {workers:>7}  {rate:>11.1f}  {cpu:>11.1f} ms ({cpu / user_cpu:.1f}x)"
                    f"  {_percentile(elsewhere, 0.5):>6.1f} / {_percentile(elsewhere, 0.99):>6.1f} ms")  # fmt: skip
            if url.startswith("postgresql"):
                http = ready_delays(base, url, workers, ready, over_http=True)
                line += f";  {_percentile(http, 0.5):>6.1f} / {_percentile(http, 0.99):>6.1f} ms"
            print(f"{line}  (load {os.getloadavg()[0]:.1f})", flush=True)


@contextmanager
def postgres() -> Iterator[str]:
    from tests.support import postgres_server

    admin_url = os.environ.get(postgres_server.ENV_URL)
    started = None
    if not admin_url:
        started = postgres_server.TemporaryPostgres().start()
        admin_url = started.url
    try:
        postgres_server.drop_database_on(admin_url, "cf_bench_external")
        yield postgres_server.create_database_on(admin_url, "cf_bench_external")
        postgres_server.drop_database_on(admin_url, "cf_bench_external")
    finally:
        if started is not None:
            started.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200, help="ready tasks drained per worker count")
    parser.add_argument("--ready", type=int, default=60, help="tasks started one by one for the delay")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    print(f"external tasks: {args.tasks} per worker count for the rate, {args.ready} for the delay")
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="cf-bench-ext-db-") as folder:
            run_backend("SQLite", f"sqlite:///{folder}/bench.sqlite", args.tasks, args.ready)
    if not args.no_postgres:
        with postgres() as url:
            run_backend("PostgreSQL", url, args.tasks, args.ready)


if __name__ == "__main__":
    main()
