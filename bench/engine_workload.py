"""The benchmark's workload: the example process, its complaints and the in-memory baseline run."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.bpmn.resources import Resource
from engine.domain.actors import Actor
from engine.runtime.serialization import ParsedDefinition
from engine.runtime.workflow import WorkflowRun
from engine.services.designer import deployment

ROOT = Path(__file__).resolve().parent.parent
PROCESS_KEY = "complaint_basic"
EXAMPLES = ROOT / "examples"
FILES = ("complaint_basic.bpmn", "complaint_priority.dmn")
ACTOR = Actor("bench", roles=frozenset({"admin"}))
REPETITIONS = 3
WARMUP_COMPLAINTS = 20


def now() -> datetime:
    """The real clock, as the web layer would pass it down."""
    return datetime.now(UTC)


def load_resources() -> list[Resource]:
    """The example BPMN and DMN files, decoded the way an upload is."""
    return [deployment.decode_upload(name, (EXAMPLES / name).read_bytes()) for name in FILES]


def complaint_data(number: int) -> dict[str, Any]:
    """Start data of complaint ``number``; categories alternate so both DMN rules are hit."""
    return {
        "complaint_id": number,
        "customer": f"Customer {number}",
        "category": "billing" if number % 2 else "delivery",
        "amount": 120 + number % 50,
    }


def needs_approval(number: int) -> bool:
    """Every other complaint gets a refund above 200 and therefore the approval step."""
    return number % 2 == 0


def handling_values(number: int) -> dict[str, Any]:
    """Form values of "handle_complaint"."""
    return {"resolution": "refund", "refund_amount": 500 if needs_approval(number) else 50, "reply": "We refund it."}


APPROVAL_VALUES: dict[str, Any] = {"approved": True, "approval_note": "ok"}


# -- in-memory baseline ---------------------------------------------------------------------------------


def _start_run(definition: ParsedDefinition, data: dict[str, Any]) -> WorkflowRun:
    return WorkflowRun.start(definition, data, now())


def _restore_run(definition: ParsedDefinition, state: bytes) -> WorkflowRun:
    return WorkflowRun.restore(definition, state, now())


def run_in_memory(definition: ParsedDefinition, numbers: range, roundtrip: bool = False) -> float:
    """Run complaints with WorkflowRun only; with ``roundtrip`` each step also dumps and restores the state.

    Returns the elapsed seconds.
    """
    started = time.perf_counter()
    for number in numbers:
        run = _start_run(definition, complaint_data(number))
        steps = 0
        while True:
            if roundtrip:
                run = _restore_run(definition, run.dump())
            ready = run.human_tasks()
            if not ready:
                break
            task = ready[0]
            run.complete_task(task.task_id, handling_values(number) if steps == 0 else APPROVAL_VALUES)
            steps += 1
        if not run.workflow.is_completed() or steps != (2 if needs_approval(number) else 1):
            raise RuntimeError(f"in-memory complaint {number} did not finish as expected ({steps} steps)")
    return time.perf_counter() - started
