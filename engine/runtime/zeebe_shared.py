"""Camunda 8 variable scopes shared by every token, on SpiffWorkflow's per-token data.

SpiffWorkflow gives each task a copy of its parent's data and merges the copies where parallel branches
join, so a variable set on one branch stays invisible to the others until the join, and the join's deep
merge lets a stale copy win. Zeebe keeps variables in scopes instead: a variable an element sets (a job's
result, a form, a message, an output mapping) goes to the nearest enclosing scope that has a local
variable of that name (an input mapping, a multi-instance item), else to the process instance, and every
token in that scope sees it at once.

Here, when a task of a Camunda 8 process completes, what it changed (its data against its parent's, after
its own locals were dropped) is written into every unfinished task of the scope that owns each variable,
and into those tasks' parents (a waiting event re-reads its parent's data each time it is updated). A task
whose own scope shadows the variable keeps its local: the outer value it restores when it completes is
updated instead. A called process is a scope of its own (its variables reach the caller when it ends, as
``propagateAllChildVariables`` says). A parallel or inclusive join then needs no merge: the token that
arrives last already sees every branch's variables.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.control import _EndJoin
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.util.task import TaskState

from engine.runtime.calls import BoundCallActivity
from engine.runtime.zeebe_scopes import SCOPE_KEY

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
_MISSING = object()


def _shadowed(task: Any) -> dict[str, list[Any]]:
    """Variables the task's own scope holds locally (with the outer values it restores), while it runs."""
    state = task.internal_data.get(SCOPE_KEY)
    return state["shadowed"] if state else {}


def _changes(task: Any, before: dict[str, Any]) -> dict[str, Any]:
    changes = {}
    for name, value in task.data.items():
        old = before.get(name, _MISSING)
        if old is not value and old != value:
            changes[name] = value
    return changes


def _parent_task(workflow: Any) -> Any:
    parent_workflow = getattr(workflow, "parent_workflow", None)
    return None if parent_workflow is None else parent_workflow.get_task_from_id(workflow.parent_task_id)


def _owner(task: Any, name: str) -> Any:
    """The workflow whose scope owns ``name`` as seen from ``task``: the nearest local, else the process."""
    workflow = task.workflow
    while True:
        holder = _parent_task(workflow)
        if holder is None or isinstance(holder.task_spec, BoundCallActivity) or name in _shadowed(holder):
            return workflow
        workflow = holder.workflow


def _workflows_under(owner: Any) -> list[tuple[Any, frozenset[str]]]:
    """``owner`` and the embedded sub-workflows below it (no call activity between), each with the names
    that scopes on the way down hold locally (those do not reach it)."""
    top = owner.top_workflow
    blocked: dict[int, frozenset[str] | None] = {id(owner): frozenset()}

    def names_blocked(workflow: Any) -> frozenset[str] | None:  # None: not under owner
        key = id(workflow)
        if key not in blocked:
            holder = _parent_task(workflow)
            if holder is None or isinstance(holder.task_spec, BoundCallActivity):
                blocked[key] = None
            else:
                above = names_blocked(holder.workflow)
                blocked[key] = None if above is None else above | frozenset(_shadowed(holder))
        return blocked[key]

    found: list[tuple[Any, frozenset[str]]] = [(owner, frozenset())]
    for workflow in top.subprocesses.values():
        if workflow is not owner:
            names = names_blocked(workflow)
            if names is not None:
                found.append((workflow, names))
    return found


def _set(task: Any, name: str, value: Any) -> None:
    shadowed = _shadowed(task)
    if name in shadowed:
        shadowed[name] = [True, value]  # the task's local stays; the value it restores is the new one
    else:
        task.data[name] = value


def share_changes(task: Any, before: dict[str, Any]) -> None:
    """Write what ``task`` changed (against ``before``, its parent's data) into every unfinished task that
    shares the scope of each variable."""
    changes = _changes(task, before)
    if not changes:
        return
    by_owner: dict[int, tuple[Any, dict[str, Any]]] = {}
    for name, value in changes.items():
        owner = _owner(task, name)
        by_owner.setdefault(id(owner), (owner, {}))[1][name] = value
    for owner, values in by_owner.values():
        for workflow, blocked in _workflows_under(owner):
            reaching = [(name, value) for name, value in values.items() if name not in blocked]
            if not reaching:
                continue
            for other in list(workflow.tasks.values()):
                if other is task or not other.state & ACTIVE:
                    continue
                parent = other.parent
                stale = parent is not None and parent is not task and not parent.state & ACTIVE
                for name, value in reaching:
                    _set(other, name, value)
                    if stale:
                        parent.data[name] = value


class SharedScope:
    """Mixin for every task spec of a Camunda 8 process: share what the task changed when it completes."""

    def _on_complete_hook(self, my_task: Any) -> None:
        # The parent's data as it is now: a multi-instance body takes its inner instance's changes over
        # while the inner instance completes.
        parent = my_task.parent
        before = dict(parent.data) if parent is not None and self.bpmn_id is not None else None  # type: ignore[attr-defined]
        super()._on_complete_hook(my_task)  # type: ignore[misc]  # the task's own locals are dropped first
        if before is not None:
            share_changes(my_task, before)


class SharedJoin(SharedScope):
    """A parallel or inclusive join (or a process's end) of a Camunda 8 process: the data of the token that
    arrived last, not a deep merge of every branch's copy (which lets a stale copy win, or edits a nested
    value other tasks share). The rest is what SpiffWorkflow's join, inclusive gateway and end do."""

    def _run_hook(self, my_task: Any) -> bool:
        for other in list(my_task.workflow.tasks.values()):
            if (
                other.task_spec is self
                and other is not my_task
                and other.has_state(TaskState.COMPLETED)
                and not my_task.is_descendant_of(other)
            ):
                other._drop_children(force=True)  # what SpiffWorkflow does after a reset inside a branch
        my_task.data = dict(my_task.parent.data)
        if isinstance(self, InclusiveGateway):
            matches, defaults = self._get_matching_outputs(my_task)
            if not matches + defaults:
                raise WorkflowTaskException("No conditions satisfied on gateway", task=my_task)
            my_task._sync_children(matches or defaults, TaskState.FUTURE)
            for child in my_task.children:
                child.task_spec._predict(child, mask=TaskState.FUTURE | TaskState.PREDICTED_MASK)
        elif isinstance(self, _EndJoin):
            my_task.workflow.data.update(my_task.data)
        return True


_SHARED: dict[type, type] = {}


def make_shared(spec: Any) -> None:
    """Give one task spec of a Camunda 8 process the shared-scope hooks (in place, once)."""
    cls = type(spec)
    if issubclass(cls, SharedScope):
        return
    if cls not in _SHARED:
        mixin = SharedJoin if issubclass(cls, UnstructuredJoin) else SharedScope
        _SHARED[cls] = type(cls.__name__, (mixin, cls), {"__module__": cls.__module__})
    spec.__class__ = _SHARED[cls]


def apply_shared_scopes(specs: list[Any], scopes: set[str]) -> None:
    """Give the task specs of the Camunda 8 processes and sub-processes among ``specs`` shared scopes."""
    for spec in specs:
        if spec.name in scopes:
            for task_spec in list(spec.task_specs.values()):
                make_shared(task_spec)
