"""The persisted path: complaints through the services, one session per step, timed and counted."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.engine_backends import Backend
from bench.engine_workload import (
    ACTOR,
    APPROVAL_VALUES,
    PROCESS_KEY,
    complaint_data,
    handling_values,
    needs_approval,
    now,
)
from engine.services.casework import tasks
from engine.services.instances import lifecycle as instances
from engine.store.models import INSTANCE_COMPLETED, TASK_OPEN, HumanTask, ProcessInstance

STEPS = ("start", "handle", "approve")


@dataclass
class StepTimes:
    """Seconds and SQL statements of every service call, by step, and the CPU seconds this process spent in them."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: {step: [] for step in STEPS})
    cpu_seconds: float = 0.0
    statements: dict[str, list[int]] = field(default_factory=lambda: {step: [] for step in STEPS})


def _open_task_id(backend: Backend, instance_id: int) -> str | None:
    """The id of the instance's open task (as the URL of the task form would carry it)."""
    with backend.sessions() as session:
        return session.scalars(
            select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.status == TASK_OPEN)
        ).first()


def _timed(backend: Backend, step: str, times: StepTimes, call: Callable[[Session], Any]) -> tuple[Any, float]:
    """Run one service call in a fresh session (as a web request would), timing session + call + close."""
    before = backend.counter.count
    cpu = time.process_time()
    started = time.perf_counter()
    with backend.sessions() as session:
        result = call(session)
    seconds = time.perf_counter() - started
    # Less disturbed by other load than wall time; on PostgreSQL it leaves out the server's own work.
    times.cpu_seconds += time.process_time() - cpu
    times.seconds[step].append(seconds)
    times.statements[step].append(backend.counter.count - before)
    return result, seconds


def _start(session: Session, data: dict[str, Any]) -> int:
    """The "new complaint" request."""
    return instances.start_instance(session, ACTOR, PROCESS_KEY, data, now()).id


def _complete(session: Session, task_id: str, values: dict[str, Any]) -> None:
    """The "submit task form" request."""
    tasks.complete_task(session, ACTOR, task_id, values, now())


def run_persisted(backend: Backend, numbers: range, times: StepTimes) -> float:
    """Run complaints through the services, each step its own session and transaction.

    Returns the seconds spent in the service calls; looking up the next task's id (which a web request
    gets from its URL) and the final status check are not counted.
    """
    elapsed = 0.0
    for number in numbers:
        data = complaint_data(number)
        instance_id, seconds = _timed(backend, "start", times, partial(_start, data=data))
        elapsed += seconds
        steps = [("handle", handling_values(number))] + (
            [("approve", APPROVAL_VALUES)] if needs_approval(number) else []
        )
        for step, values in steps:
            task_id = _open_task_id(backend, instance_id)
            if task_id is None:
                raise RuntimeError(f"complaint {number} has no open task for step {step}")
            _, seconds = _timed(backend, step, times, partial(_complete, task_id=task_id, values=values))
            elapsed += seconds
        with backend.sessions() as session:
            instance = session.get(ProcessInstance, instance_id)
            status = instance.status if instance else "missing"
        if status != INSTANCE_COMPLETED or _open_task_id(backend, instance_id) is not None:
            raise RuntimeError(f"persisted complaint {number} ended as {status}")
    return elapsed
