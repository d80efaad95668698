"""Moving a running instance onto another version of its process (SpiffWorkflow's spec diff).

SpiffWorkflow aligns the old and the new spec by element id (``SpecDiff``). An instance can move when
every element it has passed or waits at still exists; its waiting tasks keep their ids, data and timer
due times, and what comes after them is predicted again from the new version, so a step inserted after
the current one is taken. Variables the new version starts to read, that the instance does not have
and that nothing in the new version sets, are reported as missing data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.util.diff import diff_workflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.expressions import assigned_names, free_names, juel_to_python
from engine.domain.errors import InvalidState
from engine.runtime.clock import engine_time
from engine.runtime.scripting import default_helpers
from engine.runtime.serialization import _SERIALIZER, ParsedDefinition
from engine.runtime.workflow import WorkflowRun

_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_BUILTIN_NAMES = {"True", "False", "None", "len", "min", "max", "sum", "any", "all", "str", "int", "float", "abs"}


@dataclass(frozen=True)
class MigrationCheck:
    """Whether an instance can move, why not, and where it stands (element ids)."""

    can_move: bool
    reasons: tuple[str, ...]
    active_elements: tuple[str, ...]


def _element(task: Any) -> str:
    return getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name


def _expressions(spec: Any) -> list[tuple[str, str]]:
    """(element id, Python source) of every script, condition and timer of a process spec."""
    found = []
    for task_spec in spec.task_specs.values():
        element = getattr(task_spec, "bpmn_id", None) or task_spec.name
        script = getattr(task_spec, "script", None)
        if isinstance(script, str):
            found.append((element, script))
        for condition, _target in getattr(task_spec, "cond_task_specs", None) or []:
            expression = condition.args[0] if getattr(condition, "args", None) else None
            if isinstance(expression, str):
                found.append((element, juel_to_python(expression)))
        timer = getattr(getattr(task_spec, "event_definition", None), "expression", None)
        if isinstance(timer, str):
            found.append((element, juel_to_python(timer)))
    return found


def _reads(definition: ParsedDefinition) -> dict[str, str]:
    names: dict[str, str] = {}
    for spec in (definition.spec, *definition.subprocess_specs.values()):
        for element, source in _expressions(spec):
            for name in free_names(source):
                names.setdefault(name, element)
    return names


def _sets(definition: ParsedDefinition) -> set[str]:
    names: set[str] = set()
    for spec in (definition.spec, *definition.subprocess_specs.values()):
        for task_spec in spec.task_specs.values():
            form = getattr(task_spec, "form", None)
            names.update(field.id for field in getattr(form, "fields", None) or [])
            script = getattr(task_spec, "script", None)
            if isinstance(script, str):
                names |= assigned_names(script)
    return names


def _missing_data(run: WorkflowRun, old: ParsedDefinition, new: ParsedDefinition) -> list[str]:
    old_reads, new_reads = _reads(old), _reads(new)
    known = set(run.variables()) | _sets(new) | set(default_helpers()) | _BUILTIN_NAMES
    return [
        f"the new version reads {name!r} (at {element}), which the instance does not have"
        for name, element in sorted(new_reads.items())
        if name not in old_reads and name not in known
    ]


def _diffs(workflow: Any, new: ParsedDefinition) -> tuple[Any, dict[Any, Any]]:
    """The workflow's diff to ``new``; sub-workflows running a called version keep it and are left out."""
    top, subprocess_diffs = diff_workflow(_SERIALIZER.registry, workflow, new.spec, new.subprocess_specs)
    called = workflow.in_called_version
    return top, {key: diff for key, diff in subprocess_diffs.items() if not called(workflow.subprocesses[key])}


def check_migration(run: WorkflowRun, old: ParsedDefinition, new: ParsedDefinition) -> MigrationCheck:
    """Can ``run`` (on ``old``) move to ``new``? Lists every reason it cannot."""
    workflow = run.workflow
    active = tuple(sorted({_element(t) for t in workflow.get_tasks(state=_ACTIVE | TaskState.ERROR)}))
    if workflow.is_completed():
        return MigrationCheck(False, ("the instance is completed",), active)
    top, subprocess_diffs = _diffs(workflow, new)
    reasons = []
    for diff in (top, *subprocess_diffs.values()):
        if diff is None:
            reasons.append("a running call activity calls a process the new version does not call")
            continue
        for task in diff.removed:
            element = _element(task)
            if task.has_state(_ACTIVE | TaskState.ERROR):
                reasons.append(f"the instance waits at {element!r}, which the new version no longer has")
            elif task.has_state(TaskState.COMPLETED):
                reasons.append(f"the instance has passed {element!r}, which the new version no longer has")
            elif task.has_state(TaskState.CANCELLED):
                reasons.append(f"the instance cancelled {element!r}, which the new version no longer has")
    reasons.extend(_missing_data(run, old, new))
    return MigrationCheck(not reasons, tuple(dict.fromkeys(reasons)), active)


def migrate_run(run: WorkflowRun, old: ParsedDefinition, new: ParsedDefinition) -> WorkflowRun:
    """Move ``run`` onto ``new`` (InvalidState when it cannot); returns the run restored on the new specs."""
    check = check_migration(run, old, new)
    if not check.can_move:
        raise InvalidState("; ".join(check.reasons))
    workflow = run.workflow
    top, subprocess_diffs = _diffs(workflow, new)
    pairs = [(workflow, top, new.spec)]
    for subprocess_id, diff in subprocess_diffs.items():
        subworkflow = workflow.subprocesses[subprocess_id]
        pairs.append((subworkflow, diff, new.subprocess_specs[subworkflow.spec.name]))
    with engine_time(run.now):
        for target, diff, spec in pairs:
            target.spec = spec
            for task in target.tasks.values():
                aligned = diff.alignment.get(task)
                if aligned is not None:
                    task.task_spec = aligned
            for task in list(target.get_tasks(state=_ACTIVE, skip_subprocesses=True)):
                _predict_again(task)
            _prune_stale_predictions(target, spec)
    # Restoring from the dump rebuilds the event manager and proves every task refers to the new specs.
    run.definition = new
    return WorkflowRun.restore(new, run.dump(), run.now, run.workflow.calls)


def _predict_again(task: Any) -> None:
    """Drop what the old version predicted after a waiting task and predict from the new one.

    Unlike ``Task.reset_branch`` this keeps the task's data and internal data, so a waiting timer keeps
    the due time it already has instead of starting over.
    """
    state = task.state
    task._drop_children(force=True)
    task._set_state(TaskState.FUTURE)
    task.task_spec._predict(task, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)
    task._set_state(state)


def _prune_stale_predictions(workflow: Any, spec: Any) -> None:
    """Predicted tasks of elements the new version does not have (a branch not taken) are dropped."""
    for task in list(workflow.tasks.values()):
        if task.id not in workflow.tasks or spec.task_specs.get(task.task_spec.name) is task.task_spec:
            continue
        if task.has_state(TaskState.PREDICTED_MASK) and task.parent is not None:
            for gone in list(task):
                workflow.tasks.pop(gone.id, None)
            task.parent._children.remove(task.id)
