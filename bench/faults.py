"""Fault injection for the load and chaos benchmarks: kill -9 a service of the production topology and
start it again as systemd's Restart=always would, or restart PostgreSQL under everyone's feet.

A plan is a list of (seconds after the start, fault); `FaultRunner` plays it in a thread and records what it
did, so a report can say what happened when.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


class Restartable(Protocol):
    """What a fault needs of the topology (scripts/production_topology.Topology) and of the database."""

    def kill(self, key: str) -> None: ...

    def restart_unit(self, key: str) -> None: ...


@dataclass(frozen=True)
class Fault:
    """One fault: a name for the report and what to do."""

    name: str
    action: Callable[[], None]


def kill_and_restart(topology: Restartable, key: str, down_seconds: float = 2.0) -> Fault:
    """kill -9 a unit's whole process group, then start it again after ``down_seconds`` (systemd's RestartSec)."""

    def action() -> None:
        topology.kill(key)
        time.sleep(down_seconds)
        topology.restart_unit(key)

    return Fault(f"kill -9 {key}", action)


def restart_database(restart: Callable[[], None]) -> Fault:
    """Restart PostgreSQL (fast shutdown): every open connection breaks at once."""
    return Fault("restart PostgreSQL", restart)


@dataclass
class FaultRunner:
    """Plays a plan of faults in a background thread; ``log`` holds (second, fault, error or '')."""

    plan: list[tuple[float, Fault]]
    log: list[tuple[float, str, str]] = field(default_factory=list)
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> FaultRunner:
        started = time.monotonic()

        def play() -> None:
            for at, fault in sorted(self.plan, key=lambda item: item[0]):
                if self._stop.wait(max(0.0, started + at - time.monotonic())):
                    return
                try:
                    fault.action()
                    self.log.append((round(time.monotonic() - started, 1), fault.name, ""))
                except Exception as error:  # noqa: BLE001 - a failed fault is reported, not fatal
                    self.log.append((round(time.monotonic() - started, 1), fault.name, repr(error)))

        self._thread = threading.Thread(target=play, name="faults", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
