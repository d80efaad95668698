"""One measurement for bench/request_cpu.py, run in a subprocess against one source tree.

    python bench/request_cpu_measure.py --tree /path/to/checkout --database-url postgresql+psycopg://... \
        [--complaints 60] [--runs 30] [--profile "task page"]

Prepares the desk as docs/production.md does (init-db, deploy processes/, users from the CLI), fills it with
complaints through the portal, then sends each hot request kind of bench/load.py ``--runs`` times through
Flask's test client (over https, with CSRF tokens, signed in) and prints one JSON object: per kind the median
CPU milliseconds of this thread (the app's share; PostgreSQL's own CPU is not in it), the median wall
milliseconds and the median number of SQL statements sent. With ``--profile`` it prints a cProfile listing of
that kind to stderr instead.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TASK_LINK = re.compile(r'href="/task/([^"/]+)" class="task-link"')
CLAIM = re.compile(r'action="/task/([^"/]+)/claim"')
STATUS_LINK = re.compile(r'href="(/portal/status/[^"]+)"')
CASE_LINK = re.compile(r'<p class="crumbs"><a href="(/cases/[^"/?#]+)"')
BASE = "https://desk.example.org"
PASSWORD = "bench-password"
DEPARTMENTS = ("agent", "second_level", "technical", "billing", "legal", "quality")


def cli(tree: Path, env: dict[str, str], *arguments: str) -> None:
    """`complaintflow ARGUMENTS` with the tree's code, as an operator runs it."""
    program = "import sys; from complaintflow.cli import main; sys.argv[0] = 'complaintflow'; main()"
    command = [sys.executable, "-c", program, *arguments]
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"complaintflow {arguments[0]} failed:\n{done.stdout}\n{done.stderr}")


def prepare(tree: Path, env: dict[str, str]) -> None:
    """Schema, the shipped processes and the staff, with the documented commands."""
    cli(tree, env, "init-db")
    processes = sorted(str(path) for pattern in ("*.bpmn", "*.dmn") for path in (tree / "processes").glob(pattern))
    cli(tree, env, "deploy", *processes)
    groups = [argument for group in DEPARTMENTS for argument in ("--group", group)]
    cli(tree, env, "create-user", "agent", "--role", "agent", *groups, "--password", PASSWORD)
    cli(tree, env, "create-user", "lead", "--role", "team_lead", "--group", "team_lead", "--password", PASSWORD)
    cli(tree, env, "create-user", "manager", "--role", "manager", "--password", PASSWORD)


class Meter:
    """CPU, wall time and SQL statements of one request at a time."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.statements = 0
        event.listen(engine, "before_cursor_execute", self._count)
        self.samples: dict[str, list[tuple[float, float, int]]] = {}
        self.profile_kind: str | None = None
        self.profiler = cProfile.Profile(time.thread_time)  # CPU, not waiting for PostgreSQL
        self.last_statements: list[str] = []
        self.statements_of: dict[str, list[str]] = {}

    def _count(self, _connection: Any, _cursor: Any, statement: str, _parameters: Any, context: Any, *_: Any) -> None:
        self.statements += 1
        # SQLAlchemy's compiled cache: a statement compiled afresh on every request costs CPU each time.
        hit = str(getattr(context, "cache_hit", "?")).rpartition(".")[2]
        self.last_statements.append(f"[{hit}] " + " ".join(statement.split())[:150])

    def __call__(self, kind: str, call: Callable[..., Any], *args: Any) -> Any:
        self.last_statements = []
        before_statements, cpu, wall = self.statements, time.thread_time(), time.perf_counter()
        if kind == self.profile_kind:
            self.profiler.enable()
        response = call(*args)
        if kind == self.profile_kind:
            self.profiler.disable()
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        if response.status_code >= 400:
            raise RuntimeError(f"{kind}: {response.status_code}\n{response.get_data(as_text=True)[:2000]}")
        self.statements_of[kind] = self.last_statements
        self.samples.setdefault(kind, []).append((cpu * 1000, wall * 1000, self.statements - before_statements))
        return response


class Browser:
    """Flask's test client as one person's browser behind the proxy: https, their address in X-Forwarded-For."""

    def __init__(self, app: Any, address: str = "192.0.2.10") -> None:
        self.client = app.test_client()
        self.headers = {"X-Forwarded-For": address, "X-Forwarded-Proto": "https"}

    def get(self, path: str) -> Any:
        return self.client.get(BASE + path, headers=self.headers)

    def post(self, path: str, form_page: Any, data: dict[str, str]) -> Any:
        headers = {**self.headers, "Referer": BASE + path}
        return self.client.post(BASE + path, data={"csrf_token": token(form_page), **data}, headers=headers)


def token(response: Any) -> str:
    match = CSRF.search(response.get_data(as_text=True))
    if match is None:
        raise RuntimeError(f"no CSRF token in {response.request.path}")
    return match.group(1)


def submit_complaint(app: Any, meter: Meter, number: int, measured: bool = True) -> str:
    """A customer from their own address: form, submit, status page. Returns the status link."""
    customer = Browser(app, f"10.{number // 60000 % 250}.{number // 250 % 240}.{1 + number % 250}")
    kind: Callable[[str], str] = (lambda name: name) if measured else (lambda name: "seed")
    form = meter(kind("portal form"), customer.get, "/portal/")
    data = {"customer_name": "Bench Customer", "customer_email": f"bench{number}@example.org",
            "category": "product", "subject": f"bench-{number}",
            "description": "The kettle stopped working after two days of use."}  # fmt: skip
    answer = meter(kind("portal submit"), customer.post, "/portal/", form, data)
    link = STATUS_LINK.search(answer.get_data(as_text=True))
    if link is None:
        raise RuntimeError("the portal did not confirm the complaint")
    meter(kind("portal status"), customer.get, link.group(1))
    return link.group(1)


def sign_in(browser: Browser, meter: Meter, username: str) -> Browser:
    page = meter("sign-in page", browser.get, "/sign-in")
    done = meter("sign in", browser.post, "/sign-in", page, {"username": username, "password": PASSWORD})
    if done.status_code != 302:
        raise RuntimeError(f"signing in as {username} answered {done.status_code}")
    return browser


def first_task_answers(page: str) -> dict[str, str]:
    if 'name="f_next_step"' not in page:
        raise RuntimeError("the first task of a portal complaint is not the triage form")
    return {"f_next_step": "resolve", "f_customer_message": "Thank you, we are looking into it.", "f_internal_note": ""}


def staff_requests(app: Any, meter: Meter, runs: int) -> None:
    """An agent claims, opens and completes tasks and reads lists and case pages; a manager the cockpit."""
    for number in range(3):
        sign_in(Browser(app, f"192.0.2.{20 + number}"), meter, "agent")
    agent = sign_in(Browser(app), meter, "agent")
    for _ in range(runs):
        groups = meter("group tasks", agent.get, "/tasks/groups")
        claimable = CLAIM.search(groups.get_data(as_text=True))
        if claimable is None:
            raise RuntimeError("no claimable task left: raise --complaints")
        task = f"/task/{claimable.group(1)}"
        meter("claim", agent.post, f"{task}/claim", groups, {})
        meter("my tasks", agent.get, "/tasks/mine")
        page = meter("task page", agent.get, task)
        text = page.get_data(as_text=True)
        case = CASE_LINK.search(text)
        if case is not None:
            meter("case page", agent.get, case.group(1))
        done = meter("complete", agent.post, f"{task}/complete", page, first_task_answers(text))
        if done.status_code not in (302, 303):
            raise RuntimeError(f"completing the task answered {done.status_code}")
    manager = sign_in(Browser(app, "192.0.2.30"), meter, "manager")
    for _ in range(runs):
        meter("dashboard", manager.get, "/cockpit/")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--complaints", type=int, default=60)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", default=None, help="request kind to profile (cProfile listing on stderr)")
    parser.add_argument("--statements", action="store_true", help="print the SQL of the last request of each kind")
    arguments = parser.parse_args()
    tree = arguments.tree.resolve()
    sys.path[:0] = [str(tree)]
    with tempfile.TemporaryDirectory() as instance:
        settings = {"COMPLAINTFLOW_DATABASE_URL": arguments.database_url, "COMPLAINTFLOW_INSTANCE_PATH": instance,
                    "COMPLAINTFLOW_SECRET_KEY": "bench-" + "0" * 58, "COMPLAINTFLOW_PUBLIC_URL": BASE,
                    "COMPLAINTFLOW_PROXY_HOPS": "1"}  # fmt: skip
        os.environ.update(settings)
        env = {**os.environ, "PYTHONPATH": str(tree)}
        prepare(tree, env)
        from webui import create_app

        app = create_app()
        meter = Meter(app.extensions["complaintflow"].engine)
        meter.profile_kind = arguments.profile
        for number in range(arguments.complaints + arguments.runs):
            submit_complaint(app, meter, number, measured=number >= arguments.complaints)
        staff_requests(app, meter, arguments.runs)
        app.extensions["complaintflow"].engine.dispose()
    if arguments.statements:
        for kind, statements in meter.statements_of.items():
            print(f"--- {kind}: {len(statements)} statements", *statements, sep="\n", file=sys.stderr)
    if arguments.profile:
        print("\n".join(meter.statements_of.get(arguments.profile, [])), file=sys.stderr)
        meter.profiler.dump_stats(Path(tempfile.gettempdir()) / "request_cpu.prof")
        listing = io.StringIO()
        pstats.Stats(meter.profiler, stream=listing).sort_stats("cumulative").print_stats(45)
        print(listing.getvalue(), file=sys.stderr)
    figures = {
        kind: {"cpu_ms": statistics.median(s[0] for s in samples), "wall_ms": statistics.median(s[1] for s in samples),
               "statements": statistics.median(s[2] for s in samples), "count": len(samples)}
        for kind, samples in meter.samples.items() if kind != "seed"
    }  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
