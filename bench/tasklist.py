"""Task list benchmark: 100,000 open and 1,000,000 closed complaints, a typical agent with a filter.

Prints the task list query time (one page + the capped total and traffic light counts) and the full page
time (Flask, signed in, templates rendered) as p50/p95 on SQLite and PostgreSQL. Target: query p95 <= 20 ms,
page p95 <= 50 ms.

Usage (from the repository root)::

    .venv/bin/python bench/tasklist.py [--open 100000] [--closed 1000000] [--runs 100] [--no-postgres]

PostgreSQL as in bench/engine.py: ``COMPLAINTFLOW_TEST_POSTGRES_URL`` or a temporary server. A benchmark,
not a test: it only fails if a page does not answer 200.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ would come first on sys.path and bench/engine.py would shadow the engine package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

from bench.engine_backends import PostgresUnavailable, postgres_url, sqlite_url  # noqa: E402
from bench.tasklist_seed import seed  # noqa: E402
from complaintflow.context import AppContext  # noqa: E402
from complaintflow.web import DEFAULT_GROUPS, DEMO_USERS, OPERATOR  # noqa: E402
from engine.services.users import accounts as user_service  # noqa: E402
from engine.settings import Settings  # noqa: E402
from engine.store import schema, tasklist  # noqa: E402
from engine.store.database import make_engine, make_session_factory  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SCENARIOS = {
    "groups, category=billing": {"category": "billing"},
    "groups, search 'router'": {"q": "router"},
    "groups, red, unassigned": {"light": "red", "assigned": "unassigned"},
    # A rare word: one complaint's reference (most searches for a case are like this).
    "groups, search reference": {"q": "C-B-0004711"},
}


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def timed(function: Callable[[], object], runs: int) -> list[float]:
    for _ in range(3):
        function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def bench_backend(name: str, url: str, open_count: int, closed_count: int, runs: int) -> list[tuple[str, ...]]:
    print(f"{name}: seeding {open_count:,} open and {closed_count:,} closed complaints", flush=True)
    engine = make_engine(url)
    schema.upgrade(engine)
    seed(engine, open_count, closed_count, NOW)
    sessions = make_session_factory(engine)
    with sessions() as session:
        user_service.ensure_users(session, OPERATOR, DEFAULT_GROUPS, DEMO_USERS, NOW)
    from webui import create_app

    with tempfile.TemporaryDirectory() as instance:
        context = AppContext(Settings(database_url=url, instance_path=Path(instance)), engine, sessions)
        app = create_app({"CONTEXT": context, "CLOCK": lambda: NOW, "SESSION_COOKIE_SECURE": False,
                          "WTF_CSRF_ENABLED": False})  # fmt: skip
        client = app.test_client()
        assert client.post("/sign-in", data={"username": "agent", "password": "demo"}).status_code == 302
        rows = []
        for label, args in SCENARIOS.items():
            criteria = tasklist.TaskListCriteria("agent", ("agent",), "groups", **args)  # type: ignore[arg-type]

            def query(criteria: tasklist.TaskListCriteria = criteria) -> None:
                with sessions() as session:
                    tasklist.list_page(session, criteria, NOW)
                    tasklist.summary(session, criteria, NOW)

            def page(args: dict[str, str] = args) -> None:
                response = client.get("/tasks/groups", query_string=args)
                assert response.status_code == 200, response.status_code

            with sessions() as session:
                matches = tasklist.count(session, criteria, NOW, cap=10**9)
            q50, q95 = percentiles(timed(query, runs))
            p50, p95 = percentiles(timed(page, runs))
            rows.append((name, label, f"{matches:,}", f"{q50:.1f}", f"{q95:.1f}", f"{p50:.1f}", f"{p95:.1f}"))
            load = os.getloadavg()[0]  # the machine is shared: p95 follows the others' load
            print(f"  {label}: query p95 {q95:.1f} ms, page p95 {p95:.1f} ms (load {load:.2f})", flush=True)
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--closed", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    rows: list[tuple[str, ...]] = []
    if not args.no_sqlite:
        with sqlite_url() as url:
            rows += bench_backend("sqlite", url, args.open, args.closed, args.runs)
    if not args.no_postgres:
        try:
            with postgres_url() as url:
                rows += bench_backend("postgres", url, args.open, args.closed, args.runs)
        except PostgresUnavailable as error:
            print(f"postgres skipped: {error}")
    header = ("backend", "scenario", "matches", "query p50", "query p95", "page p50", "page p95")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print()
    for row in [header, *rows]:
        print("  ".join(str(cell).rjust(width) for cell, width in zip(row, widths, strict=True)))
    print("\ntimes in ms; targets: query p95 <= 20 ms, page p95 <= 50 ms")


if __name__ == "__main__":
    main()
