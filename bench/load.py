"""Load test of the production topology (docs/production.md): nginx with TLS, two app servers, two schedulers,
two dispatchers, PostgreSQL; simulated customers, agents, team leads and managers over HTTPS, optionally with
faults (kill -9 a web server, a scheduler, a dispatcher; restart PostgreSQL). Afterwards it checks that
nothing was lost or duplicated: complaints, task completions, timers and mails.

    python bench/load.py --users 20 --seconds 120 [--faults]

Bounded: every simulated user stops at the deadline, every request has a timeout, and all traffic goes to
loopback addresses (customers use different 127.x.y.z source addresses, as different people would).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from email import message_from_bytes
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import httpx  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from production_topology import Topology, free_port  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402

from bench import load_cpu  # noqa: E402
from bench.faults import Fault, FaultRunner, kill_and_restart, restart_database  # noqa: E402
from bench.load_checks import check_nothing_lost, percentile  # noqa: E402
from complaintflow.web import DEFAULT_GROUPS, OPERATOR  # noqa: E402
from engine.services.users.accounts import UserData, ensure_users  # noqa: E402
from engine.store.database import make_engine, make_session_factory  # noqa: E402
from tests.support.postgres_server import TemporaryPostgres  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TASK_LINK = re.compile(r'href="/task/([^"/]+)" class="task-link"')
CLAIM = re.compile(r'action="/task/([^"/]+)/claim"')
PASSWORD = "load-password"
DEPARTMENTS = ("agent", "second_level", "technical", "billing", "legal", "quality")


class MailCounter:
    """The mail server the dispatchers deliver to: counts messages by Message-ID."""

    def __init__(self) -> None:
        self.by_message_id: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content)  # type: ignore[attr-defined]
        with self.lock:
            self.by_message_id[str(message.get("Message-ID"))] += len(envelope.rcpt_tos)  # type: ignore[attr-defined]
        return "250 OK"


class Recorder:
    """Latencies and outcomes per request type, from every simulated user."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.accepted_subjects: list[str] = []
        self.completed_tasks: list[str] = []
        self.conflicts = 0
        self.lock = threading.Lock()

    def timed(self, kind: str, call: Callable[..., httpx.Response], *args: Any) -> httpx.Response | None:
        """``call(*args)``, timed and counted under ``kind``; None when the request itself failed."""
        started = time.perf_counter()
        try:
            response = call(*args)
        except httpx.HTTPError as error:
            with self.lock:
                self.errors[kind].append(type(error).__name__)
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.samples[kind].append(elapsed)
            if response.status_code == 409:
                self.conflicts += 1
            elif response.status_code not in (200, 302, 303):
                self.errors[kind].append(str(response.status_code))
        return response


class Desk:
    """The running topology and what the simulated users share."""

    def __init__(self, topology: Topology, recorder: Recorder, deadline: float) -> None:
        self.topology = topology
        self.base = topology.url
        self.recorder = recorder
        self.deadline = deadline

    def client(self, source: str = "127.0.0.1") -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=source, verify=False, retries=0)
        return httpx.Client(base_url=self.base, transport=transport, timeout=30.0, follow_redirects=False)

    def post(self, client: httpx.Client, path: str, data: dict[str, str], token: str) -> httpx.Response:
        return client.post(path, data={"csrf_token": token, **data}, headers={"Referer": self.base + path})

    def sign_in(self, client: httpx.Client, username: str, password: str) -> bool:
        page = self.recorder.timed("sign-in page", client.get, "/sign-in")
        match = CSRF.search(page.text) if page is not None else None
        if match is None:
            return False
        form = {"username": username, "password": password}
        response = self.recorder.timed("sign in", self.post, client, "/sign-in", form, match.group(1))
        return response is not None and response.status_code == 302


def customer(desk: Desk, number: int) -> None:
    """Submits complaints (a new source address for each, as different people would) and opens the status."""
    sent = 0
    while time.monotonic() < desk.deadline:
        source = f"127.{10 + number // 250}.{number % 250}.{1 + sent % 250}"
        with desk.client(source) as client:
            form_page = desk.recorder.timed("portal form", client.get, "/portal/")
            match = CSRF.search(form_page.text) if form_page is not None else None
            if match is not None:
                subject = f"load-{uuid.uuid4().hex[:12]}"
                form = {"customer_name": "Load Customer", "customer_email": f"{subject}@example.org",
                        "category": "product", "subject": subject,
                        "description": "The kettle stopped working after two days of use."}  # fmt: skip
                token = match.group(1)
                answer = desk.recorder.timed("portal submit", desk.post, client, "/portal/", form, token)
                link = re.search(r'href="(/portal/status/[^"]+)"', answer.text) if answer is not None else None
                if link is not None:
                    with desk.recorder.lock:
                        desk.recorder.accepted_subjects.append(subject)
                    desk.recorder.timed("portal status", client.get, link.group(1))
        sent += 1
        time.sleep(random.uniform(1.0, 3.0))


def _answers(page: str, rng: random.Random) -> dict[str, str] | None:
    """Form values for whichever task of the shipped processes the page shows (fields are named f_<id>)."""
    values = _values(page, rng)
    return None if values is None else {f"f_{name}": value for name, value in values.items()}


def _values(page: str, rng: random.Random) -> dict[str, str] | None:
    if 'name="f_next_step"' in page:
        return {"next_step": "resolve", "customer_message": "Thank you, we are looking into it and will reply.",
                "internal_note": ""}  # fmt: skip
    if 'name="f_resolution_type"' in page:
        amount = "800" if rng.random() < 0.2 else "20"  # some above the approval threshold: team leads approve
        return {"resolution_type": "refund", "resolution_amount": amount, "outcome": "partly_upheld",
                "resolution_summary": "Refund of the price of the broken kettle."}  # fmt: skip
    if 'name="f_approval_decision"' in page:
        return {"approval_decision": "approved", "approval_comment": "Approved, the amount is appropriate."}
    if 'name="f_root_cause"' in page:
        return {"root_cause": "product_defect", "lessons_learned": ""}
    return None


def _why_no_form(page: str, username: str) -> str:
    """The task's name and what its page says instead of a form (who holds it, a notice), for the report."""
    found = {
        name: re.search(pattern, page, flags=re.DOTALL)
        for name, pattern in (("title", r"<h1[^>]*>(.*?)</h1>"), ("holder", r'class="assignee">([^<]*)<'),
                              ("notice", r'<p class="notice[^"]*">(.*?)</p>'))
    }  # fmt: skip
    text = {name: " ".join(match.group(1).split()) if match else "-" for name, match in found.items()}
    return f"{text['title']} (opened by {username}; assignee {text['holder']}; notice {text['notice'][:80]})"


def worker(desk: Desk, username: str, start_page: str) -> None:
    """An agent or team lead: works their own tasks, otherwise claims one from the group list."""
    rng = random.Random(username)
    with desk.client() as client:
        if not desk.sign_in(client, username, PASSWORD):
            return
        while time.monotonic() < desk.deadline:
            mine = desk.recorder.timed("my tasks", client.get, "/tasks/mine")
            task_ids = TASK_LINK.findall(mine.text) if mine is not None else []
            if not task_ids:
                groups = desk.recorder.timed("group tasks", client.get, start_page)
                claimable = CLAIM.findall(groups.text) if groups is not None else []
                token = CSRF.search(groups.text) if groups is not None else None
                if claimable and token is not None:
                    task_id = rng.choice(claimable[:5])
                    # What the list's claim button sends: "I saw it unassigned", so a team lead does not take over
                    # a task a colleague claimed a moment ago (without it, 3 of 100 users' runs ended so).
                    claimed = {"next": "tasks.group_tasks", "seen_unassigned": "1"}
                    desk.recorder.timed("claim", desk.post, client, f"/task/{task_id}/claim", claimed, token.group(1))
                time.sleep(rng.uniform(0.5, 1.5))
                continue
            task_id = task_ids[0]
            page = desk.recorder.timed("task page", client.get, f"/task/{task_id}")
            if page is None or page.status_code != 200:
                continue
            answers, token = _answers(page.text, rng), CSRF.search(page.text)
            if answers is None or token is None:
                with desk.recorder.lock:
                    desk.recorder.errors["unknown task form"].append(_why_no_form(page.text, username))
                time.sleep(1)
                continue
            time.sleep(rng.uniform(0.5, 2.0))  # reading and typing
            path = f"/task/{task_id}/complete"
            done = desk.recorder.timed("complete", desk.post, client, path, answers, token.group(1))
            if done is not None and done.status_code in (302, 303):
                with desk.recorder.lock:
                    desk.recorder.completed_tasks.append(task_id)


def manager(desk: Desk, username: str) -> None:
    """Opens the cockpit dashboard now and then, signing in afresh every few looks (a new browser session, as
    someone coming back to the desk later): sign-in is measured under load, not only in the first second."""
    while time.monotonic() < desk.deadline:
        with desk.client() as client:
            if not desk.sign_in(client, username, PASSWORD):
                time.sleep(1)
                continue
            for _look in range(4):
                if time.monotonic() >= desk.deadline:
                    break
                desk.recorder.timed("dashboard", client.get, "/cockpit/")
                time.sleep(random.uniform(2.0, 5.0))


def _create_users(topology: Topology, agents: int, leads: int, managers: int) -> None:
    """The simulated staff's accounts, in one unit of work (a CLI call per user took seconds each)."""
    people = [UserData(f"agent{i}", f"Agent {i}", None, PASSWORD, "en", ("agent",), DEPARTMENTS) for i in range(agents)]
    people += [UserData(f"lead{i}", f"Lead {i}", None, PASSWORD, "en", ("team_lead",), ("team_lead",))
               for i in range(leads)]  # fmt: skip
    people += [UserData(f"manager{i}", f"Manager {i}", None, PASSWORD, "en", ("manager",), ()) for i in range(managers)]
    engine = make_engine(topology.database_url)
    with make_session_factory(engine)() as session:
        ensure_users(session, OPERATOR, DEFAULT_GROUPS, people, datetime.now(UTC))
    engine.dispose()


def _cpu(topology: Topology, postmaster: int | None) -> dict[str, float]:
    """CPU seconds so far of each part of the topology (bench/load_cpu.py)."""
    sessions: dict[str, list[int]] = defaultdict(list)
    for key, process in topology.processes.items():
        part = key.split("#")[0].removeprefix("complaintflow-").split("@")[0]
        sessions[{"web": "web (app servers)"}.get(part, part)].append(process.pid)
    return load_cpu.snapshot(sessions, {"postgresql": postmaster} if postmaster else {})


def wait_until_started(topology: Topology, postmaster: int | None, limit: float = 120.0) -> float:
    """Seconds until the desk's processes finished starting: nginx answers once gunicorn's master listens, while
    its workers still import and build the app, and so do the schedulers and dispatchers. Measuring from then
    on counted that start-up in the first requests' latency (sign-in p50 1.8 s) and in the CPU per request."""
    started, quiet = time.monotonic(), 0
    previous = _server_cpu(topology, postmaster)
    while quiet < 2 and time.monotonic() - started < limit:
        time.sleep(1.0)
        current = _server_cpu(topology, postmaster)
        quiet = quiet + 1 if current - previous < 0.1 else 0  # under a tenth of a core for two seconds
        previous = current
    return time.monotonic() - started


def _server_cpu(topology: Topology, postmaster: int | None) -> float:
    return sum(value for part, value in _cpu(topology, postmaster).items() if part != "load generator")


def drive(
    topology: Topology, users: int, seconds: float, plan: list[tuple[float, Fault]], postmaster: int | None = None
) -> Recorder:
    """Create the simulated users' accounts, run them and the fault plan for ``seconds``; print the figures."""
    customers, agents, leads = users // 2, max(1, users * 3 // 10), max(1, users // 10)
    managers = max(1, users - customers - agents - leads)
    _create_users(topology, agents, leads, managers)
    print(f"desk started and idle after {wait_until_started(topology, postmaster):.0f} s of waiting")
    recorder = Recorder()
    desk = Desk(topology, recorder, time.monotonic() + seconds)
    threads = [threading.Thread(target=customer, args=(desk, i)) for i in range(customers)]
    threads += [threading.Thread(target=worker, args=(desk, f"agent{i}", "/tasks/groups")) for i in range(agents)]
    threads += [threading.Thread(target=worker, args=(desk, f"lead{i}", "/tasks/groups")) for i in range(leads)]
    threads += [threading.Thread(target=manager, args=(desk, f"manager{i}")) for i in range(managers)]
    load_before = " ".join(f"{value:.2f}" for value in os.getloadavg())
    cpu_before, started = _cpu(topology, postmaster), time.monotonic()
    runner = FaultRunner(plan).start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    runner.stop()
    cpu_used, elapsed = load_cpu.difference(cpu_before, _cpu(topology, postmaster)), time.monotonic() - started
    print(f"{users} users ({customers} customers, {agents} agents, {leads} leads, {managers} managers), "
          f"{seconds:.0f} s, {len(plan)} faults; load average before the run {load_before}")  # fmt: skip
    for at, name, error in runner.log:
        print(f"  fault at {at:6.1f} s: {name}{' FAILED ' + error if error else ''}")
    print(f"{'request':<16}{'count':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind, samples in sorted(recorder.samples.items()):
        errors = recorder.errors.get(kind, [])
        print(f"{kind:<16}{len(samples):>7}{len(errors):>8}{percentile(samples, 50):>9.0f}"
              f"{percentile(samples, 95):>9.0f}{percentile(samples, 99):>9.0f}")  # fmt: skip
    print(f"conflicts (409, someone else was first): {recorder.conflicts}")
    print("errors by request:", dict(recorder.errors) or "none")
    load_cpu.report(cpu_used, sum(len(samples) for samples in recorder.samples.values()), elapsed)
    return recorder


def standard_faults(
    topology: Topology, seconds: float, restart_postgres: Callable[[], None] | None
) -> list[tuple[float, Fault]]:
    """kill -9 an app server, a scheduler and a dispatcher (each started again as systemd would), then
    restart PostgreSQL, spread over the run."""
    plan = [(seconds * 0.2, kill_and_restart(topology, "complaintflow-web@8001")),
            (seconds * 0.4, kill_and_restart(topology, "complaintflow-scheduler")),
            (seconds * 0.6, kill_and_restart(topology, "complaintflow-dispatch"))]  # fmt: skip
    if restart_postgres is not None:
        plan.append((seconds * 0.8, restart_database(restart_postgres)))
    return plan


def run(users: int, seconds: float, faults: bool, folder: Path) -> int:
    """Build the topology, run the load, check and print; returns the process exit code."""
    postgres = TemporaryPostgres().start()
    mails = MailCounter()
    smtp_port = free_port()
    smtp = Controller(mails, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    topology = Topology(folder, postgres.url, smtp_port)
    try:
        topology.up()
        plan = standard_faults(topology, seconds, postgres.restart) if faults else []
        recorder = drive(topology, users, seconds, plan, postgres.postmaster_pid())
        engine = create_engine(topology.database_url)
        problems = check_nothing_lost(engine, recorder.accepted_subjects, recorder.completed_tasks, mails.by_message_id)
        engine.dispose()
        error_count = sum(len(errors) for errors in recorder.errors.values())
        print("checks:", "nothing lost or duplicated" if not problems else "; ".join(problems))
        return 1 if problems or error_count else 0
    finally:
        topology.down()
        smtp.stop()
        postgres.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--faults", action="store_true", help="kill -9 web, scheduler, dispatcher; restart PostgreSQL")
    parser.add_argument("--dir", type=Path, default=None, help="folder for the desk (default: a temporary one)")
    arguments = parser.parse_args()
    import tempfile

    folder = arguments.dir or Path(tempfile.mkdtemp(prefix="complaintflow-load-"))
    raise SystemExit(run(arguments.users, arguments.seconds, arguments.faults, folder))


if __name__ == "__main__":
    main()
