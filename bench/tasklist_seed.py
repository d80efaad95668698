"""Bulk seeding for the task list benchmark: complaints with their instance, task and candidate rows.

Task rows carry the complaint's copied columns (category, channel, priority, customer name) as
engine.services.instances.complaint_sync writes them.

Rows are written with Core executemany in chunks (no services, no workflow runs): the benchmark measures
reading, and seeding 1.1 million complaints through the engine would take hours.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, text

from engine.domain.tasks import amber_at
from engine.store.complaints import CHANNELS, Complaint, Customer
from engine.store.models import HumanTask, ProcessDefinition, ProcessInstance, TaskCandidate

CATEGORIES = ("billing", "delivery", "product_defect", "service", "contract", "technical", "privacy", "other")
GROUPS = ("agent",) * 7 + ("second_level", "billing", "technical")
PRIORITY_WEIGHTS = (("low", 3), ("normal", 5), ("high", 2), ("critical", 1))
WORDS = [
    "invoice",
    "router",
    "parcel",
    "refund",
    "late",
    "broken",
    "charge",
    "twice",
    "contract",
    "cancel",
    "delivery",
    "missing",
    "damaged",
    "password",
    "account",
    "tariff",
    "upgrade",
    "modem",
    "signal",
    "outage",
    "technician",
    "appointment",
    "address",
    "letter",
    "reminder",
]
CHUNK = 5_000


def _chunks(rows: Iterator[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(engine: Engine, open_count: int, closed_count: int, now: datetime, customers: int = 50_000) -> None:
    """Insert ``open_count`` open and ``closed_count`` closed complaints (ids 1..n) with their rows."""
    rng = random.Random(42)
    started = time.perf_counter()
    priorities = [name for name, weight in PRIORITY_WEIGHTS for _ in range(weight)]
    with engine.begin() as connection:
        definition_id = connection.execute(
            insert(ProcessDefinition).returning(ProcessDefinition.id),
            {"process_key": "complaint_basic", "version": 1, "name": "Complaint (basic)", "checksum": "bench",
             "deployed_at": now - timedelta(days=400), "deployed_by": "bench"},
        ).scalar_one()  # fmt: skip
        names = {i: f"Customer {i} {rng.choice(WORDS).capitalize()}" for i in range(1, customers + 1)}
        for batch in _chunks(
            {"id": i, "name": names[i], "email": f"c{i}@example.org",
             "phone": None, "segment": "standard", "created_at": now - timedelta(days=500)}
            for i in range(1, customers + 1)
        ):  # fmt: skip
            connection.execute(insert(Customer), batch)
    total = open_count + closed_count
    for first in range(1, total + 1, 50_000):
        last = min(total, first + 50_000 - 1)
        instances, complaints, tasks, candidates = [], [], [], []
        for i in range(first, last + 1):
            is_open = i <= open_count
            due = (
                now + timedelta(minutes=rng.randint(-3 * 24 * 60, 6 * 24 * 60))
                if is_open
                else now - timedelta(days=rng.randint(10, 700))
            )
            created = due - timedelta(days=3)
            group = rng.choice(GROUPS)
            instances.append(
                {"id": i, "definition_id": definition_id, "business_key": f"C-B-{i:07d}",
                 "status": "running" if is_open else "completed", "state": b"", "serializer_version": "bench",
                 "variables": {}, "started_at": created, "started_by": "bench", "updated_at": created,
                 "completed_at": None if is_open else due, "lock_version": 1}
            )  # fmt: skip
            complaints.append(
                {"id": i, "reference": f"C-B-{i:07d}", "customer_id": rng.randint(1, customers), "instance_id": i,
                 "channel": rng.choice(CHANNELS), "explicit": True,
                 "subject": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}",
                 "description": " ".join(rng.choice(WORDS) for _ in range(25)), "currency": "EUR", "language": "de",
                 "category": rng.choice(CATEGORIES), "priority": rng.choice(priorities), "handling_level": 1,
                 "responsible_group": group, "status": "open" if is_open else "closed", "created_at": created,
                 "created_by": "bench", "updated_at": created, "resolution_due_at": due,
                 "resolution_amber_at": amber_at(created, due), "sla_pauses": [], "extra": {},
                 "closed_at": None if is_open else due}
            )  # fmt: skip
            task_id = f"00000000-0000-4000-8000-{i:012d}"
            assignee = (
                (rng.choice(("agent", "agent2", "agent3", "agent4")) if rng.random() < 0.2 else None)
                if is_open
                else "agent2"
            )
            complaint = complaints[-1]
            tasks.append(
                {"category": complaint["category"], "channel": complaint["channel"],
                 "complaint_priority": complaint["priority"], "customer_name": names[complaint["customer_id"]],
                 "id": task_id, "instance_id": i, "element_id": "handle_complaint", "process_key": "complaint_basic",
                 "title": "Handle complaint", "documentation": None, "lane": "Agent", "assignee": assignee,
                 "priority": 50, "status": "open" if is_open else "completed", "form": [], "created_at": created,
                 "due_at": due, "amber_at": amber_at(created, due), "claimed_at": None,
                 "completed_at": None if is_open else due, "completed_by": None if is_open else "agent2"}
            )  # fmt: skip
            candidates.append({"task_id": task_id, "kind": "group", "name": group})
        with engine.begin() as connection:
            for table, rows in (
                (ProcessInstance, instances), (Complaint, complaints), (HumanTask, tasks), (TaskCandidate, candidates)
            ):  # fmt: skip
                for batch in _chunks(iter(rows)):
                    connection.execute(insert(table), batch)
        print(f"    {last:>9,} complaints seeded ({time.perf_counter() - started:.0f} s)", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # PostgreSQL: VACUUM as autovacuum would have by the time a real database holds a million complaints;
        # it also merges the GIN (pg_trgm) pending lists that a bulk load leaves behind, which slow every search.
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
