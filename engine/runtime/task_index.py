"""Every task of an instance, its sub-processes' included, without walking the task tree.

SpiffWorkflow's ``get_tasks`` walks the tree with a Python iterator that filters each node; an instance of
Camunda's benchmark process (50 sub-process instances, then 50 called processes) has thousands of tasks and
the engine asked for them several times per save. Each workflow already keeps its tasks in a dict by id
(the top workflow holds every sub-workflow, nested ones included), so reading those is a plain loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def all_tasks(workflow: Any) -> Iterator[Any]:
    """The tasks of the workflow and of all its sub-workflows (in no particular order)."""
    top = workflow.top_workflow
    yield from top.tasks.values()
    for subworkflow in top.subprocesses.values():
        yield from subworkflow.tasks.values()


def tasks_in(workflow: Any, states: int, spec_class: type | None = None) -> list[Any]:
    """The tasks whose state is one of ``states`` (a TaskState mask), optionally of one spec class."""
    return [
        task
        for task in all_tasks(workflow)
        if task.state & states and (spec_class is None or isinstance(task.task_spec, spec_class))
    ]


def drop_orphan_subworkflows(workflow: Any) -> None:
    """Forget sub-workflows whose task is gone (an escalation that interrupted a multi-instance sub-process
    leaves its inner instances' sub-workflows behind); a restore drops them anyway, so the state is the same."""
    top = workflow.top_workflow
    while True:
        known = set(top.tasks)
        for subworkflow in top.subprocesses.values():
            known.update(subworkflow.tasks)
        orphans = [key for key in top.subprocesses if key not in known]
        if not orphans:
            return
        for key in orphans:
            del top.subprocesses[key]
