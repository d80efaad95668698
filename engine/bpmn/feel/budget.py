"""FEEL counts its work against the limits that scripts run under (issue 13).

FEEL lives in engine/bpmn, which may not import the runtime; the runtime installs its counters here
(engine.runtime.script_limits) when it is imported, which every process that runs the engine does. Until
then the counters do nothing. FEEL ticks once per iteration item and function call, and counts the data it
is about to create (text joined, lists built, spans of numbers or days) before creating it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any


def _no_tick() -> None:
    return None


def _no_count(size: int) -> None:
    return None


class _Hooks:
    tick: Callable[[], None] = staticmethod(_no_tick)
    create: Callable[[int], None] = staticmethod(_no_count)
    limited: Callable[[], AbstractContextManager[Any]] = staticmethod(nullcontext)


HOOKS = _Hooks()


def install(
    tick: Callable[[], None], create: Callable[[int], None], limited: Callable[[], AbstractContextManager[Any]]
) -> None:
    """Let FEEL use the runtime's counters (called once when engine.runtime.script_limits is imported)."""
    HOOKS.tick, HOOKS.create, HOOKS.limited = tick, create, limited


def tick() -> None:
    """One step of work (an iteration item, a function call)."""
    HOOKS.tick()


def create(size: int) -> None:
    """About ``size`` bytes are about to be created; raises when that passes the data limit."""
    HOOKS.create(size)


def limited() -> AbstractContextManager[Any]:
    """One evaluation under the limits (nested evaluations share the outer budget)."""
    return HOOKS.limited()
