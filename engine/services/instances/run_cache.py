"""Saved workflow runs kept in memory, so that the next step of an instance need not deserialize it again.

Restoring a workflow from its stored state is the largest single cost of loading an instance. After a
unit of work has saved a run and *committed*, the run object is exactly what its stored bytes describe
(the round-trip check the tests apply to every dump proves that the two cannot be told apart), so the
next step of the same instance in this process can take the object instead of restoring it.

Why a stale or foreign entry can never be used:

* an entry is only kept after its transaction committed (rolled back: dropped), with the
  ``lock_version`` the row got in that flush; every save of the row increments it;
* taking an entry also requires the row's ``state`` bytes to equal the bytes dumped from the object and
  the run to use the very same parsed definition, so a state written another way (redaction, another
  process, another database with the same ids, a restored backup) is a miss, never a wrong hit;
* an entry is taken *out* of the cache while a unit of work uses it: two threads never share a run;
* a run changed after its save (a task changed state) is not kept.

Entries are held per process (threads share them under a lock), at most :data:`CAPACITY`, least
recently saved first out.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from engine.runtime.serialization import ParsedDefinition
from engine.runtime.workflow import WorkflowRun
from engine.store.models import ProcessInstance

CAPACITY = 256
_PENDING = "complaintflow.saved_runs"  # key in Session.info: runs saved in the open transaction


@dataclass
class _Entry:
    run: WorkflowRun
    state: bytes
    lock_version: int | None = None


class RunCache:
    """Instance id -> the run last saved for it, with the ``lock_version`` and state bytes it was saved as."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self.enabled = True
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[int, _Entry] = OrderedDict()
        self._lock = Lock()

    def take(
        self, instance_id: int, lock_version: int, state: bytes, definition: ParsedDefinition
    ) -> WorkflowRun | None:
        """Remove and return the run saved as exactly this row version and state, or None."""
        with self._lock:
            entry = self._items.pop(instance_id, None)
            usable = (
                entry is not None
                and entry.lock_version == lock_version
                and entry.run.definition is definition
                and entry.state == state
            )
            if usable:
                self.hits += 1
            else:
                self.misses += 1
        return entry.run if usable and entry is not None else None

    def put(self, instance_id: int, entry: _Entry) -> None:
        with self._lock:
            self._items[instance_id] = entry
            self._items.move_to_end(instance_id)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def discard(self, instance_id: int) -> None:
        with self._lock:
            self._items.pop(instance_id, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


RUN_CACHE = RunCache()


def take_run(instance: ProcessInstance, definition: ParsedDefinition) -> WorkflowRun | None:
    """The run saved last for ``instance`` if it is exactly the stored one (see the module docstring)."""
    if not RUN_CACHE.enabled or instance.id is None:
        return None
    return RUN_CACHE.take(instance.id, instance.lock_version, instance.state, definition)


def remember_saved_run(session: Session, instance: ProcessInstance, run: WorkflowRun, state: bytes) -> None:
    """Note that ``run`` was saved as ``state`` in this transaction; it is cached only if the commit succeeds."""
    if not RUN_CACHE.enabled:
        return
    pending: dict[int, tuple[ProcessInstance, _Entry]] = session.info.setdefault(_PENDING, {})
    pending[id(instance)] = (instance, _Entry(run, state))


@event.listens_for(Session, "after_flush_postexec")
def _note_lock_versions(session: Session, _context: Any) -> None:
    """The row version each saved run was written as (SQLAlchemy set it during this flush)."""
    for instance, entry in session.info.get(_PENDING, {}).values():
        # Read from the loaded attributes only: a flush hook must not send queries.
        entry.lock_version = inspect(instance).dict.get("lock_version")


@event.listens_for(Session, "after_commit")
def _keep_committed(session: Session) -> None:
    pending: dict[int, tuple[ProcessInstance, _Entry]] = session.info.pop(_PENDING, {})
    for instance, entry in pending.values():
        values = inspect(instance).dict
        instance_id = values.get("id")
        if instance_id is None:
            continue
        # The row must still hold what was dumped (nothing wrote another state after save_run) and the run
        # must still be what was dumped (nobody ran it on without saving again).
        if (
            entry.lock_version is not None
            and entry.lock_version == values.get("lock_version")
            and values.get("state") is entry.state
            and entry.run.unchanged_since_save()
        ):
            RUN_CACHE.put(instance_id, entry)
        else:
            RUN_CACHE.discard(instance_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_soft_rolled_back(session: Session, _previous_transaction: Any) -> None:
    session.info.pop(_PENDING, None)
