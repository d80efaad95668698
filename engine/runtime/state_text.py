"""The stored instance JSON, written without repeating what cannot have changed since the last save.

SpiffWorkflow serializes a workflow as one dict: every task of the top workflow and of every sub-workflow,
each with its data as a delta to its parent task. Saving an instance converts and encodes all of them on
every step, so an instance with 50 parallel sub-process instances (Camunda's realistic benchmark) pays for
all 50 branches at each job completion: O(n) per step, O(n²) per instance. Two things cut that down:

* **Sub-workflow data as deltas.** A sub-workflow's root task has no parent, so SpiffWorkflow stores its
  data in full: a copy of the calling task's variables per sub-process instance (50 copies of an 11 KB
  payload), plus the sub-workflow's own ``data`` (the variables its paths ended with, another copy). Here
  the root's data is stored as a delta to the calling task's data (``"root_data": "caller_delta"`` on the
  sub-workflow) and the sub-workflow's data as a delta to its root task's data (``"data_delta"``). States
  without these keys (written before) load as they always did.
* **Text of predicted tasks reused.** A task that has not run yet and holds no data of its own (most of a
  sub-process's tasks, predicted) is written from its state, time, children and its parent's variable
  names; its encoded JSON is kept on the task object with those facts and reused while they are the same;
  every other task is encoded fresh (see :func:`_facts` for why finished tasks are not reused). The
  round-trip check the tests apply to every stored state compares this text with a from-scratch dump of the
  restored workflow, so a reused text that no longer matched its task would fail them.

The result is the same JSON shape as before (``tasks`` and ``subprocesses`` written last), loaded by the
stock converters plus :func:`restore_root_data` / :func:`restore_workflow_data`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from copy import deepcopy
from typing import Any

from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

ROOT_DATA_KEY = "root_data"
ROOT_FROM_CALLER = "caller_delta"
DATA_DELTA_KEY = "data_delta"
_FINISHED = TaskState.COMPLETED | TaskState.CANCELLED
_TEXT = "_complaintflow_text"  # attribute on a Task: (facts, children, encoded text)


def data_delta(base: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """What turns ``base`` into ``data``: changed or new keys (sorted) and removed keys (sorted)."""
    updates = {key: data[key] for key in sorted(data, key=str) if key not in base or base[key] != data[key]}
    return {"updates": updates, "deletions": sorted((key for key in base if key not in data), key=str)}


def apply_delta(base: dict[str, Any], delta: dict[str, Any], restore: Callable[[Any], Any]) -> dict[str, Any]:
    """``base`` (deep-copied: the branches must not share mutable values) with the stored delta applied."""
    data = deepcopy(base)
    data.update(restore(delta.get("updates", {})))
    for key in delta.get("deletions", []):
        data.pop(key, None)
    return data


def restore_root_data(dct: dict[str, Any], root: Task, delta: Any, caller: Task, restore: Callable[[Any], Any]) -> None:
    """Give a restored sub-workflow root task its data back from the calling task (see the module docstring).

    Call it before the root's children are restored: their data is a delta to the root's.
    """
    if dct.get(ROOT_DATA_KEY) == ROOT_FROM_CALLER:
        root.data = apply_delta(caller.data, delta, restore)


def restore_workflow_data(dct: dict[str, Any], workflow: Any, restore: Callable[[Any], Any]) -> None:
    """Rebuild a sub-workflow's ``data`` stored as a delta to its root task's data."""
    delta = dct.pop(DATA_DELTA_KEY, None)
    if delta is not None:
        workflow.data = apply_delta(workflow.task_tree.data, delta, restore)


def expand_state(dct: dict[str, Any]) -> dict[str, Any]:
    """The decoded state with sub-workflow data written out in full, as SpiffWorkflow itself stores it.

    Two states that load to the same workflow expand to equal dicts whether their sub-workflow data was
    stored as deltas or not (states from before this module compare equal to their re-saved form). Works on
    the JSON values alone: a task's full data is its parent's with the task's delta applied.
    """
    workflows = [dct, *dct.get("subprocesses", {}).values()]
    tasks = {key: task for workflow in workflows for key, task in workflow.get("tasks", {}).items()}
    callers = {
        workflow["root"]: workflow["parent_task_id"]
        for workflow in workflows[1:]
        if workflow.pop(ROOT_DATA_KEY, None) == ROOT_FROM_CALLER
    }
    full: dict[str, dict[str, Any]] = {}

    def data_of(key: str) -> dict[str, Any]:
        chain = []  # from the task up to the first one whose full data is known or stored in full
        while key not in full:
            chain.append(key)
            task = tasks[key]
            if key in callers:
                key = callers[key]
            elif task.get("parent") is not None and task.get("delta"):
                key = task["parent"]
            else:
                full[key] = task["data"]
                chain.pop()
                break
        for below in reversed(chain):
            task = tasks[below]
            full[below] = _applied(full[key], task["delta"])
            if below in callers:  # written out as SpiffWorkflow stores a root: its data in full, no delta
                task["data"], task["delta"] = full[below], {}
            key = below
        return full[key]

    for workflow in workflows[1:]:
        root = data_of(workflow["root"])
        delta = workflow.pop(DATA_DELTA_KEY, None)
        if delta is not None:
            workflow["data"] = _applied(root, delta)
    return dct


def _applied(base: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    data = dict(base)
    data.update(delta.get("updates", {}))
    for key in delta.get("deletions", []):
        data.pop(key, None)
    return data


class StateWriter:
    """Encodes one top workflow with its sub-workflows; one per dump (it holds the encoder)."""

    def __init__(self, registry: Any, encoder_cls: type[json.JSONEncoder]) -> None:
        self.registry = registry
        self.encode = encoder_cls(separators=(",", ":")).encode

    def text(self, workflow: Any, extra: dict[str, Any]) -> str:
        """The top workflow as JSON: the common workflow fields, ``extra``, tasks and sub-workflows."""
        head = self._workflow_fields(workflow, self.registry.clean(workflow.data)) | extra
        subprocesses = ",".join(
            f"{self.encode(str(key))}:{self._subworkflow(workflow, sub)}" for key, sub in workflow.subprocesses.items()
        )
        return f'{self.encode(head)[:-1]},"tasks":{self._tasks(workflow)},"subprocesses":{{{subprocesses}}}}}'

    def _subworkflow(self, top: Any, sub: Any) -> str:
        root = sub.task_tree
        head = self._workflow_fields(sub, {})
        caller = top.get_task_from_id(sub.parent_task_id)
        root_text = None
        if caller is not None:
            head[ROOT_DATA_KEY] = ROOT_FROM_CALLER
            root_dict = self.registry.convert(root)
            root_dict["data"] = {}
            root_dict["delta"] = self.registry.convert(data_delta(caller.data, root.data))
            root_text = self.encode(root_dict)
        head[DATA_DELTA_KEY] = self.registry.convert(data_delta(root.data, self.registry.clean(sub.data)))
        head["parent_task_id"] = str(sub.parent_task_id)
        head["spec"] = sub.spec.name
        head["typename"] = self.registry.typenames[type(sub)]
        return f'{self.encode(head)[:-1]},"tasks":{self._tasks(sub, root_text)}}}'

    def _workflow_fields(self, workflow: Any, data: dict[str, Any]) -> dict[str, Any]:
        """WorkflowConverter.to_dict without its tasks."""
        return {
            "data": self.registry.convert(data),
            "correlations": workflow.correlations,
            "last_task": str(workflow.last_task.id) if workflow.last_task is not None else None,
            "success": workflow.success,
            "completed": workflow.completed,
            "root": str(workflow.task_tree.id),
        }

    def _tasks(self, workflow: Any, root_text: str | None = None) -> str:
        root = workflow.task_tree
        items = []
        for task in workflow.tasks.values():
            if root_text is not None and task is root:
                items.append(f'"{task.id}":{root_text}')
            else:
                items.append(self._task(task))
        return "{" + ",".join(items) + "}"

    def _task(self, task: Task) -> str:
        """``"id":{...}`` for one task, reused while nothing its text is made of can have changed."""
        facts = _facts(task)
        if facts is None:
            return f'"{task.id}":{self.encode(self.registry.convert(task))}'
        kept = task.__dict__.get(_TEXT)
        if kept is not None and kept[0] == facts and kept[1] == task._children:
            return str(kept[2])
        text = f'"{task.id}":{self.encode(self.registry.convert(task))}'
        setattr(task, _TEXT, (facts, list(task._children), text))
        return text


def _facts(task: Task) -> tuple[Any, ...] | None:
    """What a task's text depends on beyond its children, if that is cheap to compare; else None.

    Only a predicted task with no data of its own qualifies (checked live: empty dicts cannot have changed
    unseen): its text is its state, time, ``triggered``, children and the parent's variable names (its delta
    deletes them all). A finished task's data is not trusted: Camunda 8 variable propagation writes into the
    data of tasks that already ran, in place, so their text is encoded anew each time.
    """
    if task.data or task.internal_data or task.state & _FINISHED:
        return None
    parent = task.parent
    return (task.state, task.last_state_change, task.triggered, tuple(parent.data) if parent is not None else None)
