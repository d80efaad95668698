"""Set-up for bench/timers.py: a fresh database with N instances each waiting for one timer."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select, text

from engine.domain.actors import Actor
from engine.runtime.serialization import SERIALIZER_VERSION
from engine.runtime.workflow import WorkflowRun
from engine.services.audit import _jsonable
from engine.services.designer import deployment
from engine.services.instances import lifecycle as instances
from engine.store import schema
from engine.store.database import make_engine, make_session_factory
from engine.store.models import TIMER_PENDING, PendingTimerRow, ProcessInstance
from engine.store.queries import latest_definition

ROOT = Path(__file__).resolve().parent.parent
PROCESS = "timer_wait"
DIAGRAM = ROOT / "bench" / "timer_wait.bpmn"
BENCH = Actor("bench", roles=frozenset({"admin"}))


def utcnow() -> datetime:
    return datetime.now(UTC)


def deploy(url: str) -> None:
    engine = make_engine(url)
    schema.upgrade(engine)
    with make_session_factory(engine)() as session:
        upload = deployment.decode_upload(DIAGRAM.name, DIAGRAM.read_bytes())
        deployment.deploy(session, BENCH, [upload], utcnow())
    engine.dispose()


def seconds_per_instance(url: str) -> float:
    """Time to build and dump one instance in memory, measured on 200 (to choose the lead time)."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        definition = latest_definition(session, PROCESS)
        assert definition is not None
        parsed = deployment.parsed_definition(definition)
    engine.dispose()
    started = time.perf_counter()
    for _ in range(200):
        WorkflowRun.start(parsed, {"due_at": "2100-01-01T00:00:00+00:00"}, utcnow()).dump()
    return (time.perf_counter() - started) / 200


def create_timers(url: str, dues: list[datetime]) -> None:
    """One instance per due time. The first goes through ``start_instance``; the others are built by the
    same runtime and written in bulk (the service costs several ms each), and checked against the first."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        first = instances.start_instance(session, BENCH, PROCESS, {"due_at": dues[0].isoformat()}, utcnow())
        definition = latest_definition(session, PROCESS)
        assert definition is not None
        parsed = deployment.parsed_definition(definition)
        [reference] = session.scalars(select(PendingTimerRow).where(PendingTimerRow.instance_id == first.id)).all()
        shape = (first.status, reference.element_id, reference.interrupting, reference.status)
        next_id = first.id + 1
        instance_rows, timer_rows = [], []
        for offset, due in enumerate(dues[1:]):
            now = utcnow()
            run = WorkflowRun.start(parsed, {"due_at": due.isoformat()}, now)
            snapshot = run.snapshot()
            [timer] = snapshot.timers
            instance_id = next_id + offset
            instance_rows.append(
                {
                    "id": instance_id,
                    "definition_id": definition.id,
                    "business_key": None,
                    "status": first.status,
                    "state": run.dump(),
                    "serializer_version": SERIALIZER_VERSION,
                    "variables": _jsonable(snapshot.data),
                    "started_at": now,
                    "started_by": BENCH.username,
                    "updated_at": now,
                    "lock_version": 1,
                }
            )
            timer_rows.append(
                {
                    "id": timer.task_id,
                    "instance_id": instance_id,
                    "element_id": timer.element_id,
                    "due_at": timer.due_at,
                    "interrupting": timer.interrupting,
                    "status": TIMER_PENDING,
                }
            )
            assert (first.status, timer.element_id, timer.interrupting, TIMER_PENDING) == shape
            assert timer.due_at == due
        for start in range(0, len(instance_rows), 1000):
            session.execute(insert(ProcessInstance), instance_rows[start : start + 1000])
            session.execute(insert(PendingTimerRow), timer_rows[start : start + 1000])
        if engine.dialect.name == "postgresql":
            session.execute(text("SELECT setval('process_instance_id_seq', (SELECT max(id) FROM process_instance))"))
        session.commit()
    engine.dispose()
