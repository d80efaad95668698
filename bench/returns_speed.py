"""A year's regulators' returns at 100,000 complaints: the counting of engine.store.returns.compute (one pass, redress
per currency) against the single pass it replaced (redress summed over all currencies), measured in the same run on
the same data, plus the return pages, the register page and the machine's load average.

Target (issue 19): a year's return, register export or cockpit view at 100,000 complaints within 200 ms p95 on both
databases.

Usage (from the repository root)::

    .venv/bin/python bench/returns_speed.py [--complaints 100000] [--runs 20] [--no-postgres] [--no-sqlite]

Seeds with bench/kpi.py's generator. A benchmark, not a test: it only fails if a page does not answer 200 or the
two countings disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from decimal import Decimal  # noqa: E402
from typing import Any  # noqa: E402

from sqlalchemy import case, func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.engine_backends import PostgresUnavailable, postgres_url, sqlite_url  # noqa: E402
from bench.kpi import NOW, seed  # noqa: E402
from bench.tasklist import percentiles, timed  # noqa: E402
from complaintflow.context import AppContext  # noqa: E402
from complaintflow.web import DEFAULT_GROUPS, DEMO_USERS, OPERATOR  # noqa: E402
from engine.services.regulation.library import shipped_return_map  # noqa: E402
from engine.services.users import accounts as user_service  # noqa: E402
from engine.settings import Settings  # noqa: E402
from engine.store import register, returns, returns_by_day, schema  # noqa: E402
from engine.store.complaints import Complaint  # noqa: E402
from engine.store.database import make_engine, make_session_factory  # noqa: E402


def single_pass(session: Session, kind: returns.ReturnKind, start: datetime, end: datetime) -> dict[str, Any]:
    """The counting before this change (the baseline): one CASE sum per measure over every relevant row, redress
    summed over all currencies (kept only to compare counts and time)."""
    relevant = Complaint.created_at < end
    relevant = relevant & ((Complaint.settled_at.is_(None)) | (Complaint.settled_at >= start))
    columns = [
        func.sum(case((returns.MEASURES[m](start, end), Complaint.resolution_amount), else_=0))
        if m in returns.SUMMED
        else func.sum(case((returns.MEASURES[m](start, end), 1), else_=0))
        for m in kind.measures
    ]
    query = select(Complaint.product_group, *columns).where(relevant).group_by(Complaint.product_group)
    totals = dict.fromkeys(kind.measures, 0)
    for _group, *values in session.execute(query):
        for measure, value in zip(kind.measures, values, strict=True):
            totals[measure] += Decimal(str(value or 0)) if measure in returns.SUMMED else int(value or 0)
    return totals


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def bench_backend(name: str, url: str, count: int, runs: int) -> list[tuple[str, ...]]:
    print(f"{name}: seeding {count:,} complaints", flush=True)
    engine = make_engine(url)
    schema.upgrade(engine)
    seed(engine, count)
    sessions = make_session_factory(engine)
    with sessions() as session:
        user_service.ensure_users(session, OPERATOR, DEFAULT_GROUPS, DEMO_USERS, NOW)
    start = (NOW - timedelta(days=364)).replace(hour=0, minute=0)
    end = (NOW + timedelta(days=1)).replace(hour=0, minute=0)
    with sessions() as session:  # same counts every way (redress: the sum over currencies, all EUR here)
        old = single_pass(session, returns.FCA, start, end)
        for new in (returns.compute(session, returns.FCA, start, end),
                    returns_by_day.compute(session, returns.FCA, start, end)):  # fmt: skip
            for measure in returns.FCA.measures:
                figure = new.figures[returns.TOTAL][measure]
                figure = sum(figure.values(), Decimal(0)) if isinstance(figure, dict) else figure
                assert figure == old[measure], (measure, figure, old[measure])

    def store(function: Callable[..., object], kind: returns.ReturnKind) -> Callable[[], None]:
        def run() -> None:
            with sessions() as session:
                function(session, kind, start, end)

        return run

    from webui import create_app

    rows: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory() as instance:
        context = AppContext(Settings(database_url=url, instance_path=Path(instance)), engine, sessions)
        app = create_app({"CONTEXT": context, "CLOCK": lambda: NOW, "SESSION_COOKIE_SECURE": False,
                          "WTF_CSRF_ENABLED": False})  # fmt: skip
        client = app.test_client()
        assert client.post("/sign-in", data={"username": "manager", "password": "demo"}).status_code == 302
        period = {"start": start.date().isoformat(), "end": NOW.date().isoformat()}

        def page(path: str, extra: dict[str, str] | None = None) -> Callable[[], None]:
            def run() -> None:
                response = client.get(path, query_string={**period, **(extra or {})})
                assert response.status_code == 200, (path, response.status_code)

            return run

        def first_bytes(path: str) -> Callable[[], None]:
            """A streamed download: the time until its first 64 KiB (a whole year is a download, not a page)."""

            def run() -> None:
                response = client.get(path, query_string=period, buffered=False)
                assert response.status_code == 200, (path, response.status_code)
                received = 0
                for chunk in response.response:
                    received += len(chunk)
                    if received >= 65536:
                        break
                response.close()

            return run

        mapping = shipped_return_map()
        with sessions() as session:  # the cursor the "Next" link of page 1,499 carries
            criteria = register.RegisterFilter(start=start, end=end)
            deep_cursor = register.page(session, criteria, 1499, 50).cursor() or ""

        def by_category() -> None:
            with sessions() as session:
                returns_by_day.compute(session, returns.BAFIN, start, end, mapping=mapping)

        measured = {
            "FCA return, single pass over the complaints (baseline)": store(single_pass, returns.FCA),
            "FCA return from the complaints (returns.compute)": store(returns.compute, returns.FCA),
            "FCA return from the per-day summary (store)": store(returns_by_day.compute, returns.FCA),
            "BaFin report from the per-day summary (store)": by_category,
            "FCA return page (with the cause table)": page("/returns/fca"),
            "BaFin report page": page("/returns/bafin"),
            "FCA return XLSX": page("/returns/fca/export.xlsx"),
            "a figure's complaints (year, closed, first page)": page(
                "/returns/fca/complaints", {"measure": "closed", "group": "total"}
            ),
            "register page (year, first page)": page("/register/"),
            "register page (year, payment services)": page("/register/", {"product_group": "payment_services"}),
            "register page 1,500 of the year by OFFSET": page("/register/", {"page": "1500"}),
            "register page 1,500 of the year by keyset (its Next link)": page(
                "/register/", {"page": "1500", "after": deep_cursor}
            ),
            "register CSV export (year, first 64 KiB)": first_bytes("/register/export.csv"),
            "root-cause trends (cockpit, year by month)": page("/cockpit/trends/", {"bucket": "month"}),
        }
        baseline = 0.0
        print(f"  {_load()}", flush=True)
        for what, run in measured.items():
            p50, p95 = percentiles(timed(run, runs))
            if "baseline" in what:
                baseline = p95
            rows.append((name, what, f"{p50:.1f}", f"{p95:.1f}", f"{p95 / baseline:.2f}"))
            print(f"  {what}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, p95 / baseline {p95 / baseline:.2f}", flush=True)
        print(f"  {_load()}", flush=True)
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    rows: list[tuple[str, ...]] = []
    if not args.no_sqlite:
        with sqlite_url() as url:
            rows += bench_backend("SQLite", url, args.complaints, args.runs)
    if not args.no_postgres:
        try:
            with postgres_url() as url:
                rows += bench_backend("PostgreSQL", url, args.complaints, args.runs)
        except PostgresUnavailable as error:
            print(f"PostgreSQL skipped: {error}", flush=True)
    print("\n| backend | what (a year, 100k complaints) | p50 ms | p95 ms | p95 / baseline |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
