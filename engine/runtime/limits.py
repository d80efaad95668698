"""How much work one unit of work may ask of the engine: element executions, script CPU time, data size.

The limits are per process (web worker, scheduler, CLI) and set once at start-up by the composition root
(``complaintflow.context.make_context``) from the settings; tests set them with :func:`configured`.
They exist so that a diagram can never make the engine report what did not happen: an endless loop or
an endless script becomes an incident at the element that caused it, never a hung request or an
instance marked completed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

# SpiffWorkflow walks its task tree with a depth limit of 1,000 (tasks deeper are invisible: an instance
# looks completed) and removes or cancels subtrees recursively (Python's recursion limit of 1,000 frames,
# of which a web request already uses a hundred or so). An instance whose token passed this many elements
# since it started is stopped before either can bite.
MAX_TASK_DEPTH = 700
# Elements one token may pass within one unit of work, i.e. without a wait state: a loop beyond this is
# endless in practice (a bounded repetition of a few hundred rounds belongs in a multi-instance activity).
MAX_LOOP_STEPS = 400


@dataclass(frozen=True)
class EngineLimits:
    """The limits one process runs the engine under."""

    # Element executions (tasks, gateways, events) one unit of work may run before it is an incident.
    step_budget: int = 10_000
    # CPU seconds one script or expression may use (counted inside the restricted code).
    script_cpu_seconds: float = 2.0
    # Bytes of data one script or expression may create (strings, lists, numbers it builds).
    script_memory_bytes: int = 256 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.step_budget < 1:
            raise ValueError("the step budget must be at least 1")
        if self.script_cpu_seconds <= 0:
            raise ValueError("the script CPU limit must be positive")
        if self.script_memory_bytes < 1024:
            raise ValueError("the script memory limit must be at least 1 KiB")


_CURRENT = EngineLimits()


def current() -> EngineLimits:
    """The limits in force in this process."""
    return _CURRENT


def configure(limits: EngineLimits) -> None:
    """Set this process's limits (the composition root does, from the settings)."""
    global _CURRENT
    _CURRENT = limits


@contextmanager
def configured(**changes: float | int) -> Iterator[EngineLimits]:
    """Run the enclosed code with some limits changed (tests), then restore the previous ones."""
    previous = _CURRENT
    configure(replace(previous, **changes))  # type: ignore[arg-type]
    try:
        yield _CURRENT
    finally:
        configure(previous)
