"""Deploy-time check of the Python in a diagram.

SpiffWorkflow evaluates scripts and conditions only when they are reached, so a typo would surface
weeks later as an incident. Compiling them with the same restricted compiler at deploy time reports it
to the designer at once, naming the element.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.runtime.scripting import ScriptError, _compile, _translate_juel


@dataclass(frozen=True)
class LintProblem:
    """One expression or script that will not run."""

    element_id: str
    what: str
    message: str


def _check(problems: list[LintProblem], element_id: str, what: str, source: str | None, mode: str) -> None:
    if source is None or not source.strip():
        return
    if mode == "eval":
        source = _translate_juel(source.strip())
    try:
        _compile(source, mode)
    except (ScriptError, SyntaxError) as error:
        problems.append(LintProblem(element_id, what, str(error.msg if hasattr(error, "msg") else error)))


def lint_specs(specs: list[Any]) -> list[LintProblem]:
    """Problems in scripts and gateway conditions of the given process specs."""
    problems: list[LintProblem] = []
    for spec in specs:
        for task_spec in spec.task_specs.values():
            element_id = getattr(task_spec, "bpmn_id", None) or task_spec.name
            _check(problems, element_id, "script", getattr(task_spec, "script", None), "exec")
            for condition, target in getattr(task_spec, "cond_task_specs", None) or []:
                target_id = getattr(spec.task_specs.get(target), "bpmn_id", target)
                # Conditions are operator objects whose first argument is the expression text.
                expression = condition.args[0] if getattr(condition, "args", None) else None
                if isinstance(expression, str):
                    _check(problems, element_id, f"condition of the flow to {target_id}", expression, "eval")
    return problems
