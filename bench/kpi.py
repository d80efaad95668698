"""KPI dashboard benchmark: 100,000 complaints over a year, the cockpit's aggregates and the whole page; and the
complaint register and the regulators' returns on the same data (bench/kpi_returns.py), against the dashboard page
measured in the same run.

Prints p50/p95 of each aggregate of engine.store.kpi and of the dashboard page (Flask, signed in as a
manager, templates and SVG charts rendered), for the default 30-day period and for a whole year, on SQLite
and PostgreSQL. Target (issue 8): dashboard p95 <= 200 ms at 100,000 complaints.

Usage (from the repository root)::

    .venv/bin/python bench/kpi.py [--complaints 100000] [--runs 30] [--no-postgres] [--no-sqlite]

PostgreSQL as in bench/engine.py: ``COMPLAINTFLOW_TEST_POSTGRES_URL`` or a temporary server. A benchmark,
not a test: it only fails if the page does not answer 200.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ would come first on sys.path and bench/engine.py would shadow the engine package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

from sqlalchemy import Engine, insert, text  # noqa: E402

from bench.engine_backends import PostgresUnavailable, postgres_url, sqlite_url  # noqa: E402
from bench.kpi_returns import register_fields, return_rows  # noqa: E402
from bench.tasklist import percentiles, timed  # noqa: E402
from complaintflow.context import AppContext  # noqa: E402
from complaintflow.web import DEFAULT_GROUPS, DEMO_USERS, OPERATOR  # noqa: E402
from engine.domain.kpi_hours import first_response_hours, resolution_net_hours  # noqa: E402
from engine.services.users import accounts as user_service  # noqa: E402
from engine.settings import Settings  # noqa: E402
from engine.store import kpi, kpi_dashboard, kpi_series, return_days, schema  # noqa: E402
from engine.store.complaints import CHANNELS, Complaint, Customer  # noqa: E402
from engine.store.database import make_engine, make_session_factory  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CATEGORIES = ("billing", "delivery", "product", "service", "contract", "privacy")
TEAMS = ("agent", "second_level", "billing", "technical", "legal")
CAUSES = ("pricing", "carrier", "defect", "process", "communication", None)
OUTCOMES = ("upheld", "partly_upheld", "rejected")


def _complaint(number: int, rng: random.Random, customers: int) -> dict[str, Any]:
    created = NOW - timedelta(minutes=rng.randrange(365 * 24 * 60))
    responded = created + timedelta(hours=rng.uniform(0.2, 30)) if rng.random() < 0.95 else None
    resolved = created + timedelta(hours=rng.uniform(2, 400)) if rng.random() < 0.85 else None
    if resolved is not None and resolved > NOW:
        resolved = None
    closed = resolved + timedelta(days=3) if resolved is not None and NOW - resolved > timedelta(days=3) else None
    due = created + timedelta(days=10)
    pauses = [[(created + timedelta(hours=5)).isoformat(), (created + timedelta(hours=29)).isoformat()]]
    return {
        "reference": f"C-BENCH-{number:07d}",
        "customer_id": rng.randrange(1, customers + 1),
        "channel": rng.choice(CHANNELS),
        "explicit": True,
        "subject": "Benchmark complaint",
        "description": "Seeded for bench/kpi.py",
        "currency": "EUR",
        "language": "en",
        "category": rng.choice(CATEGORIES),
        "priority": "normal",
        "handling_level": 1,
        "responsible_group": rng.choice(TEAMS),
        "status": "closed" if closed else ("resolved" if resolved else "open"),
        "created_at": created,
        "created_by": "bench",
        "updated_at": created,
        "first_response_at": responded,
        "resolved_at": resolved,
        "closed_at": closed,
        "resolution_due_at": due,
        "resolution_amber_at": due - timedelta(days=2),
        "sla_pauses": pauses if rng.random() < 0.2 else [],
        "first_response_met": None if responded is None else responded - created < timedelta(hours=24),
        "resolution_met": None if resolved is None else resolved < due,
        "outcome": rng.choice(OUTCOMES) if resolved else None,
        "root_cause": rng.choice(CAUSES) if resolved else None,
        "csat": rng.randint(1, 5) if resolved and rng.random() < 0.4 else None,
        "nps": rng.randint(0, 10) if resolved and rng.random() < 0.3 else None,
        "extra": {},
        **register_fields(rng, created, resolved),
    }


def _with_hours(row: dict[str, Any]) -> dict[str, Any]:
    """The stored durations the model fills on ORM writes (Core inserts bypass it)."""
    row["first_response_hours"] = first_response_hours(row["created_at"], row["first_response_at"])
    row["resolution_net_hours"] = resolution_net_hours(row["created_at"], row["resolved_at"], row["sla_pauses"])
    return row


def seed(engine: Engine, count: int) -> None:
    """Customers and ``count`` complaints in batches of 5,000 (Core inserts: seeding is not what is measured)."""
    rng = random.Random(8)
    customers = max(1, count // 5)
    with engine.begin() as connection:
        connection.execute(
            insert(Customer),
            [{"name": f"Customer {n}", "email": f"c{n}@example.org", "segment": "standard", "created_at": NOW}
             for n in range(1, customers + 1)],
        )  # fmt: skip
        for start in range(0, count, 5000):
            rows = [_with_hours(_complaint(n, rng, customers)) for n in range(start, min(count, start + 5000))]
            connection.execute(insert(Complaint), rows)
        # Core inserts bypass the ORM listeners that keep the returns' per-day summary: recount it as migration
        # 0023 does for the complaints already there.
        return_days.rebuild(connection)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # As autovacuum would have by then: statistics, and the visibility map that index-only scans need.
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def _aggregates(criteria: kpi.KpiFilter, bucket: str) -> dict[str, Callable[[Any], object]]:
    """The dashboard's aggregate queries, each a function of a session, and all of them as the page asks."""
    return {
        "period pass (groups)": lambda s: kpi.period_groups(s, criteria),
        "durations": lambda s: kpi.durations(s, criteria),
        f"over_time ({bucket})": lambda s: kpi_series.over_time(s, criteria, bucket),
        "backlog_by_light": lambda s: kpi.backlog_by_light(s, criteria, NOW),
        "top_complainants": lambda s: kpi.top_complainants(s, criteria),
        "all figures (kpi_dashboard.dashboard)": lambda s: kpi_dashboard.dashboard(s, criteria, bucket, NOW),
    }


def bench_backend(name: str, url: str, count: int, runs: int) -> list[tuple[str, ...]]:
    print(f"{name}: seeding {count:,} complaints", flush=True)
    engine = make_engine(url)
    schema.upgrade(engine)
    seed(engine, count)
    sessions = make_session_factory(engine)
    with sessions() as session:
        user_service.ensure_users(session, OPERATOR, DEFAULT_GROUPS, DEMO_USERS, NOW)
    from webui import create_app

    rows: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory() as instance:
        context = AppContext(Settings(database_url=url, instance_path=Path(instance)), engine, sessions)
        app = create_app({"CONTEXT": context, "CLOCK": lambda: NOW, "SESSION_COOKIE_SECURE": False,
                          "WTF_CSRF_ENABLED": False})  # fmt: skip
        client = app.test_client()
        assert client.post("/sign-in", data={"username": "manager", "password": "demo"}).status_code == 302
        periods = {"30 days": 30, "365 days": 365}
        for label, days in periods.items():
            start = (NOW - timedelta(days=days - 1)).replace(hour=0, minute=0)
            criteria = kpi.KpiFilter(start, (NOW + timedelta(days=1)).replace(hour=0, minute=0))
            bucket = "day" if days <= 31 else "week"
            aggregates = _aggregates(criteria, bucket)
            for what, function in aggregates.items():

                def query(function: Callable[[Any], object] = function) -> None:
                    with sessions() as session:
                        function(session)

                p50, p95 = percentiles(timed(query, runs))
                rows.append((name, label, what, f"{p50:.1f}", f"{p95:.1f}", ""))

            query_string = {"start": start.date().isoformat(), "end": NOW.date().isoformat(), "bucket": bucket}

            def page(query_string: dict[str, str] = query_string) -> None:
                response = client.get("/cockpit/", query_string=query_string)
                assert response.status_code == 200, response.status_code

            p50, p95 = percentiles(timed(page, runs))
            rows.append((name, label, "dashboard page", f"{p50:.1f}", f"{p95:.1f}", "1.00"))
            print(f"  {label}: dashboard page p95 {p95:.1f} ms", flush=True)
            if days == 365:
                rows += return_rows(name, label, client, sessions, start, NOW, runs, baseline_p95=p95)
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    rows: list[tuple[str, ...]] = []
    if not args.no_sqlite:
        with sqlite_url() as url:
            rows += bench_backend("sqlite", url, args.complaints, args.runs)
    if not args.no_postgres:
        try:
            with postgres_url() as url:
                rows += bench_backend("postgres", url, args.complaints, args.runs)
        except PostgresUnavailable as error:
            print(f"postgres skipped: {error}")
    header = ("backend", "period", "what", "p50", "p95", "p95 / dashboard")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print()
    for row in [header, *rows]:
        print("  ".join(str(cell).rjust(width) for cell, width in zip(row, widths, strict=True)))
    print("\ntimes in ms; target: dashboard page, year's returns and register page p95 <= 200 ms")


if __name__ == "__main__":
    main()
