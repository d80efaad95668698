"""Camunda 8 sequence-flow conditions: a FEEL condition must give true or false, else an incident.

SpiffWorkflow takes a flow whose condition is truthy and skips the others, so a FEEL condition that gives
``null`` (a variable not set yet, a typo in a path) or a non-boolean would silently choose the default flow
or another branch. Zeebe raises an incident on the gateway instead ("Expected result of the expression
... to be 'BOOLEAN'"), which a retry after correcting the variables resolves; these conditions do the same.
A gateway where no condition is true and no default flow exists is SpiffWorkflow's own error (an incident).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.bpmn_task_spec import _BpmnCondition

from engine.bpmn.feel_runtime import evaluate_feel, is_feel

_FEEL_TYPES = (
    (bool, "boolean"),
    (str, "string"),
    (int, "number"),
    (float, "number"),
    (list, "list"),
    (dict, "context"),
)


def _feel_type(value: Any) -> str:
    if value is None:
        return "null"
    return next((name for kind, name in _FEEL_TYPES if isinstance(value, kind)), type(value).__name__)


class FeelCondition(_BpmnCondition):
    """A ``=expr`` condition that must evaluate to a boolean."""

    def _matches(self, task: Any) -> bool:
        source = self.args[0]
        try:
            value = evaluate_feel(source, {**(task.workflow.data_objects or {}), **task.data})
        except Exception as error:  # a FEEL syntax error slipped past the check: an incident, not a crash
            raise WorkflowTaskException(f"the condition {source!r} cannot be evaluated: {error}", task=task) from None
        if not isinstance(value, bool):
            raise WorkflowTaskException(
                f"Expected result of the condition {source!r} to be a boolean, but it was {_feel_type(value)}: "
                "no flow is taken. Set the variables it reads and retry.",
                task=task,
            )
        return value


def strict_feel_conditions(specs: list[Any]) -> None:
    """Make every FEEL condition on an outgoing flow of these specs a :class:`FeelCondition` (in place)."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            conditions = getattr(task_spec, "cond_task_specs", None)
            if not conditions:
                continue
            task_spec.cond_task_specs = [
                (FeelCondition(condition.args[0]), name)
                if isinstance(condition, _BpmnCondition) and is_feel(str(condition.args[0]))
                else (condition, name)
                for condition, name in conditions
            ]
