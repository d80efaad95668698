"""The complaint register and the regulators' returns at the benchmark's size (called by bench/kpi.py).

For the year: the FCA return and the BaFin report (store query and whole page), the register's first page and the
click-through list of a return figure, each with p50/p95 and the ratio of its p95 to the dashboard page's p95
measured in the same run; the register's CSV export of a month is timed too (a download of every row, not a page).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bench.tasklist import percentiles, timed
from engine.domain.classification import OUTCOMES, PRODUCT_GROUPS, time_to_close_band
from engine.store import register, returns


def register_fields(rng: random.Random, created: datetime, resolved: datetime | None) -> dict[str, Any]:
    """The register's columns of one seeded complaint: the final response when it was resolved, a product group
    for nine in ten, an acknowledgement within the hour, a redress for the upheld ones."""
    outcome = rng.choice(OUTCOMES) if resolved else None
    return {
        "product_group": rng.choice(PRODUCT_GROUPS) if rng.random() < 0.9 else None,
        "acknowledged_at": created + timedelta(minutes=rng.randrange(1, 60)),
        "final_response_at": resolved,
        "settled_at": resolved,
        "settled_band": time_to_close_band(created, resolved) if resolved else None,
        "resolution_amount": Decimal(rng.randrange(0, 50000)) / 100 if outcome in ("upheld", "partly_upheld") else None,
    }


def return_rows(
    name: str,
    label: str,
    client: Any,
    sessions: Callable[[], Any],
    start: datetime,
    now: datetime,
    runs: int,
    baseline_p95: float,
) -> list[tuple[str, ...]]:
    """Rows (backend, period, what, p50, p95, ratio to the dashboard page)."""
    end = (now + timedelta(days=1)).replace(hour=0, minute=0)
    period = {"start": start.date().isoformat(), "end": now.date().isoformat()}

    def store(kind: returns.ReturnKind) -> Callable[[], None]:
        def run() -> None:
            with sessions() as session:
                returns.compute(session, kind, start, end)

        return run

    def page(path: str, query: dict[str, str]) -> Callable[[], None]:
        def run() -> None:
            response = client.get(path, query_string=query)
            assert response.status_code == 200, (path, response.status_code)

        return run

    month = {"start": (now - timedelta(days=30)).date().isoformat(), "end": now.date().isoformat()}
    measured = {
        "FCA return (store)": store(returns.FCA),
        "FCA return page": page("/returns/fca", period),
        "BaFin report page": page("/returns/bafin", period),
        "FCA return XLSX": page("/returns/fca/export.xlsx", period),
        "register page (year, first page)": page("/register/", period),
        "register page (year, payment services)": page("/register/", {**period, "product_group": "payment_services"}),
        "return figure's complaints (year, closed)": page(
            "/returns/fca/complaints", {**period, "measure": "closed", "group": "total"}
        ),
        "register CSV export (30 days, every row)": page("/register/export.csv", month),
    }
    rows = []
    for what, run in measured.items():
        p50, p95 = percentiles(timed(run, runs))
        rows.append((name, label, what, f"{p50:.1f}", f"{p95:.1f}", f"{p95 / baseline_p95:.2f}"))
        print(f"  {label}: {what} p95 {p95:.1f} ms", flush=True)
    with sessions() as session:
        counted = register.page(session, register.RegisterFilter(start=start, end=end), 1, 1).total
    print(f"  {label}: {counted:,} complaints received in the period", flush=True)
    return rows
