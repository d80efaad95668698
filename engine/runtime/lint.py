"""Deploy-time check of the Python in a diagram.

SpiffWorkflow evaluates scripts and conditions only when they are reached, so a typo would surface
weeks later as an incident. Parsing them at deploy time reports syntax errors to the designer at once,
naming the element. What the sandbox forbids (imports, dunder access) is enforced when the code runs,
where it becomes a visible incident on the element.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from engine.bpmn.expressions import juel_to_python
from engine.bpmn.feel_runtime import check_feel, is_feel
from engine.domain.messages import msg


@dataclass(frozen=True)
class LintProblem:
    """One expression or script that will not run."""

    element_id: str
    what: str
    message: str
    target: str | None = None  # the flow's target element when ``what`` is a condition, None for a script


def _check(problems: list[LintProblem], element_id: str, target: str | None, source: str | None, mode: str) -> None:
    if source is None or not source.strip():
        return
    what = "script" if target is None else f"condition of the flow to {target}"
    if mode == "eval" and is_feel(source):
        problem = check_feel(source)  # Camunda 8 FEEL, evaluated by the FEEL engine
        if problem:
            problems.append(LintProblem(element_id, what, msg("part.feel_problem", problem=problem), target))
        return
    if mode == "eval":
        source = juel_to_python(source.strip())
    try:
        ast.parse(source, mode=mode)
    except SyntaxError as error:
        problems.append(LintProblem(element_id, what, f"{error.msg} (line {error.lineno})", target))


def lint_specs(specs: list[Any]) -> list[LintProblem]:
    """Problems in scripts and gateway conditions of the given process specs."""
    problems: list[LintProblem] = []
    for spec in specs:
        for task_spec in spec.task_specs.values():
            element_id = getattr(task_spec, "bpmn_id", None) or task_spec.name
            _check(problems, element_id, None, getattr(task_spec, "script", None), "exec")
            for condition, target in getattr(task_spec, "cond_task_specs", None) or []:
                target_id = getattr(spec.task_specs.get(target), "bpmn_id", target)
                # Conditions are operator objects whose first argument is the expression text.
                expression = condition.args[0] if getattr(condition, "args", None) else None
                if isinstance(expression, str):
                    _check(problems, element_id, str(target_id), expression, "eval")
    return problems
