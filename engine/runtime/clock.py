"""The engine's clock, injected into SpiffWorkflow's timer code.

SpiffWorkflow reads ``datetime.now(timezone.utc)`` inside its timer module to compute due times and to
decide whether a timer has fired. complaintflow passes ``now`` down from the edge (request, scheduler
job, test) instead, so that timer due times agree with every other timestamp the services write, and
tests can move time without sleeping. The module's ``datetime`` is replaced once by a subclass whose
``now()`` returns the time set for the current operation (a context variable: safe across threads).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

_ENGINE_NOW: ContextVar[datetime | None] = ContextVar("complaintflow_engine_now", default=None)


class EngineDatetime(datetime):
    """``datetime`` whose ``now()`` honours the injected engine time."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> EngineDatetime:
        injected = _ENGINE_NOW.get()
        if injected is None:
            return super().now(tz)
        return cls.fromtimestamp(injected.timestamp(), tz)


def install() -> None:
    """Point SpiffWorkflow's timer module at the injectable clock (idempotent)."""
    if spiff_timer.datetime is not EngineDatetime:
        spiff_timer.datetime = EngineDatetime  # type: ignore[misc]


def current_time() -> datetime:
    """The engine time of the running operation (the real clock outside of one)."""
    injected = _ENGINE_NOW.get()
    return injected if injected is not None else datetime.now().astimezone()


@contextmanager
def engine_time(now: datetime) -> Iterator[None]:
    """Run the enclosed engine steps as if the clock showed ``now`` (timezone-aware)."""
    if now.tzinfo is None:
        raise ValueError("engine time must be timezone-aware")
    token = _ENGINE_NOW.set(now)
    try:
        yield
    finally:
        _ENGINE_NOW.reset(token)


install()
