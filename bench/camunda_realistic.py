"""Camunda's realistic benchmark process (tests/camunda8/realistic) through the Camunda 8 REST API.

Camunda sizes its clusters with this process and payload (50 dispute positions, about 101 tasks per instance)
and publishes about 9 tasks/s per vCPU (1x SaaS: 100 tasks/s on about 11 vCPU). The target here is 27 tasks/s
per core of this machine (3x Camunda).

Each instance is started over ``POST /v2/process-instances`` with the payload; workers activate and complete
every job over ``/v2/jobs`` and the vendors' and customer's messages are published over ``/v2/messages`` (the
refund path: every vendor approves). Everything runs in this one process (the Flask app through its WSGI test
client, the database driver, the workers), so the process CPU time is the CPU of engine, database client and
workers together; with PostgreSQL the server's CPU is added: user + system time of the postmaster and all its
children from ``/proc`` (the server must run on this machine, as with scripts/with-postgres.sh; otherwise the
run says that the figure is client side only). ``--no-postgres`` skips PostgreSQL. Tasks per CPU second is
tasks per core: every core the run used is in the CPU seconds. It prints per database: instances/s,
completed tasks/s (jobs completed plus user tasks), tasks/s per CPU second (= per core), p50/p99 start-to-end,
CPU seconds per instance, stored bytes per running instance (the realistic instance's state column while its
50 refunds are pending, its largest point, and at its end), and the same figures for a baseline in the same
run: a one-job Camunda 8 process (tests/camunda8/diagrams/zeebe_jobs.bpmn) worked the same way. The machine's
load average is printed with each database's figures (other processes share the cores; per-core figures
count only this run's CPU time, wall-clock ones do not).

Usage: ``.venv/bin/python bench/camunda_realistic.py [--instances 3] [--baseline 50] [--no-postgres]``
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import base64  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any  # noqa: E402

from sqlalchemy import func, select, text  # noqa: E402

from complaintflow.context import AppContext  # noqa: E402
from engine.bpmn.resources import Resource  # noqa: E402
from engine.domain.actors import SYSTEM  # noqa: E402
from engine.services.designer import deployment  # noqa: E402
from engine.services.users import accounts as user_service  # noqa: E402
from engine.settings import Settings  # noqa: E402
from engine.store import schema  # noqa: E402
from engine.store.database import make_engine, make_session_factory  # noqa: E402
from engine.store.models import ProcessInstance  # noqa: E402
from webui.app import create_app  # noqa: E402

REALISTIC = ROOT / "tests" / "camunda8" / "realistic"
FILES = ("bankCustomerComplaintDisputeHandling.bpmn", "refundingProcess.bpmn", "determineFraudRatingConfidence.dmn")
BASELINE = ROOT / "tests" / "camunda8" / "diagrams" / "zeebe_jobs.bpmn"
PASSWORD = "bench-password"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"worker:{PASSWORD}".encode()).decode()}
CAMUNDA_PER_VCPU = 100 / 11
TARGET_PER_CORE = 27.0


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid: int, *, with_reaped: bool) -> float:
    """User + system seconds of a process from /proc (with its exited, reaped children if asked)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if with_reaped:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime: backends that ended
    return ticks / os.sysconf("SC_CLK_TCK")


def _server_cpu(postmaster: int | None) -> float:
    """CPU seconds of the PostgreSQL server: the postmaster, its live children and those that ended."""
    if postmaster is None:
        return 0.0
    total = _process_cpu(postmaster, with_reaped=True)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            ppid = int(status.split("PPid:", 1)[1].split()[0])
            if ppid == postmaster:
                total += _process_cpu(int(entry.name), with_reaped=False)
        except (OSError, IndexError, ValueError):
            continue  # a process that ended while we looked
    return total


def _postmaster(sessions: Any) -> int | None:
    """The local PostgreSQL server's main process (the parent of our backend), or None (SQLite, remote)."""
    with sessions() as session:
        if session.get_bind().dialect.name != "postgresql":
            return None
        backend = session.scalar(text("SELECT pg_backend_pid()"))
    try:
        status = Path(f"/proc/{backend}/status").read_text()
    except OSError:
        return None  # not on this machine
    return int(status.split("PPid:", 1)[1].split()[0])


def _client(url: str, instance_dir: Path) -> Any:
    engine = make_engine(url)
    schema.upgrade(engine)
    sessions = make_session_factory(engine)
    now = datetime.now(UTC)
    with sessions() as session:
        people = [user_service.UserData("worker", "Worker", "w@example.org", PASSWORD, "en", (), ("external_workers",))]
        user_service.ensure_users(session, SYSTEM, {"external_workers": ("Workers", False)}, people, now)
        session.commit()
        files = [Resource(name, (REALISTIC / name).read_text(encoding="utf-8")) for name in FILES]
        deployment.deploy(session, SYSTEM, files, now)
        deployment.deploy(session, SYSTEM, [Resource(BASELINE.name, BASELINE.read_text(encoding="utf-8"))], now)
    context = AppContext(Settings(database_url=url, instance_path=instance_dir), engine, sessions)
    app = create_app({"CONTEXT": context, "TESTING": True})
    return app.test_client(), sessions


def _post(client: Any, path: str, body: dict[str, Any]) -> Any:
    response = client.post("/v2" + path, json=body, headers=AUTH, base_url="http://127.0.0.1:5000")
    if response.status_code >= 300:
        raise RuntimeError(f"{path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
    return response.get_json() if response.data else None


def _work(client: Any, job_type: str) -> int:
    body = {"type": job_type, "worker": "bench", "timeout": 60_000, "maxJobsToActivate": 100, "requestTimeout": -1}
    done = 0
    while jobs := _post(client, "/jobs/activation", body)["jobs"]:
        for job in jobs:
            _post(client, f"/jobs/{job['jobKey']}/completion", {"variables": {}})
            done += 1
    return done


def _realistic(client: Any, payload: dict[str, Any], sizes: Any) -> int:
    """One instance along the refund path; returns the tasks completed (jobs).

    ``sizes(key, moment)`` notes the instance's stored state size at a moment of its run.
    """
    started = _post(client, "/process-instances", {"processDefinitionId": "bankDisputeHandling",
                                                   "variables": copy.deepcopy(payload)})  # fmt: skip
    key = int(started["processInstanceKey"])
    tasks = _work(client, "customer_notification")
    _post(client, "/messages/publication", {"name": "dispute_process_receive_documents", "correlationKey": "456-123"})
    tasks += _work(client, "extract_data_from_document")
    tasks += _work(client, "dispute_process_request_proof_from_vendor")
    tasks += _work(client, "dispute_process_request_get_vendor_info")
    for position in payload["disputeDetails"]["disputePositions"]:
        correlation = f"{payload['customerId']}-{position['name']}"
        _post(client, "/messages/publication", {"name": "dispute_process_refund_approved",
                                                "correlationKey": correlation})  # fmt: skip
    sizes(key, "running")
    tasks += _work(client, "refunding")
    tasks += _work(client, "inform_about_successful_claim")
    sizes(key, "completed")
    return tasks


def _baseline(client: Any) -> int:
    _post(client, "/process-instances", {"processDefinitionId": "zeebe_jobs", "variables": {"amount": 5}})
    return _work(client, "charge_card")


class StateSizes:
    """Stored state bytes of instances at named moments of their run."""

    def __init__(self, sessions: Any) -> None:
        self.sessions = sessions
        self.seen: dict[str, list[int]] = {}

    def __call__(self, key: int, moment: str) -> None:
        with self.sessions() as session:
            size = session.scalar(select(func.length(ProcessInstance.state)).where(ProcessInstance.id == key))
        self.seen.setdefault(moment, []).append(int(size or 0))

    def mean(self, moment: str) -> float:
        return statistics.mean(self.seen.get(moment) or [0])


def _measure(name: str, runs: int, one: Any, postmaster: int | None) -> dict[str, float]:
    durations, tasks = [], 0
    cpu, wall = _own_cpu() + _server_cpu(postmaster), time.perf_counter()
    for _ in range(runs):
        start = time.perf_counter()
        tasks += one()
        durations.append(time.perf_counter() - start)
    cpu, wall = _own_cpu() + _server_cpu(postmaster) - cpu, time.perf_counter() - wall
    durations.sort()
    p99 = durations[min(len(durations) - 1, int(len(durations) * 0.99))]
    figures = {"instances/s": runs / wall, "tasks/s": tasks / wall, "tasks/s per core": tasks / cpu,
               "cpu s/instance": cpu / runs, "p50 s": statistics.median(durations), "p99 s": p99,
               "tasks/instance": tasks / runs}  # fmt: skip
    print(f"  {name}: " + ", ".join(f"{key} {value:.3g}" for key, value in figures.items()))
    return figures


def run(url: str, label: str, instances: int, baseline: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        client, sessions = _client(url, Path(folder))
        payload = json.loads((REALISTIC / "realisticPayload.json").read_text(encoding="utf-8"))
        postmaster = _postmaster(sessions)
        server = "" if postmaster is None else f", PostgreSQL server CPU included (postmaster pid {postmaster})"
        if postmaster is None and url.startswith("postgresql"):
            server = ", CLIENT SIDE CPU ONLY: the server is not on this machine"
        print(f"{label} (load average at start {os.getloadavg()[0]:.2f}{server}):")
        sizes = StateSizes(sessions)
        base = _measure("baseline (one job per instance)", baseline, lambda: _baseline(client), postmaster)
        real = _measure("realistic (refund path)", instances, lambda: _realistic(client, payload, sizes), postmaster)
        print(f"  stored bytes per running realistic instance (state column, 50 refunds pending): "
              f"{sizes.mean('running'):.0f}; at its end {sizes.mean('completed'):.0f}; "
              f"load average now {os.getloadavg()[0]:.2f}")  # fmt: skip
        per_core = real["tasks/s per core"]
        print(f"  realistic tasks/s per core {per_core:.3g} vs Camunda {CAMUNDA_PER_VCPU:.3g} per vCPU "
              f"({per_core / CAMUNDA_PER_VCPU:.2f}x), target {TARGET_PER_CORE:g}: "
              f"{'MET' if per_core >= TARGET_PER_CORE else 'NOT MET'}; baseline {base['tasks/s per core']:.3g}"
              " tasks/s per core")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=3)
    parser.add_argument("--baseline", type=int, default=50)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/bench.db", "SQLite", args.instances, args.baseline)
    postgres = os.environ.get("COMPLAINTFLOW_TEST_POSTGRES_URL")
    if not args.no_postgres and postgres:
        run(postgres, "PostgreSQL", args.instances, args.baseline)
    elif not args.no_postgres:
        print("PostgreSQL: skipped (set COMPLAINTFLOW_TEST_POSTGRES_URL, e.g. via scripts/with-postgres.sh)")


if __name__ == "__main__":
    main()
