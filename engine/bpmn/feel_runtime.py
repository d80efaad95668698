"""FEEL as Camunda 8 evaluates it in a process: ``=expr`` over the variables in scope, results as plain Python.

Camunda 8 writes every expression in a diagram (conditions, input and output mappings, loop collections,
correlation keys) as FEEL behind a leading ``=``. The engine keeps such text as drawn and evaluates it here,
so FEEL's own rules hold (``null`` for a missing variable, ``mean()`` over a path into a list of contexts)
instead of a translation to Python that only covers simple comparisons.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from engine.bpmn.feel import Expression, FeelError, Scope, compile_expression, to_python
from engine.bpmn.feel.values import feel_inputs

__all__ = ["FeelError", "check_feel", "evaluate_feel", "feel_source", "is_feel"]


def is_feel(text: str | None) -> bool:
    """True for a Camunda 8 expression (``=`` first); anything else is a literal or another dialect."""
    return bool(text) and str(text).lstrip().startswith("=")


def feel_source(text: str) -> str:
    """The FEEL text of ``=expr`` (without the ``=``)."""
    stripped = text.strip()
    return stripped[1:].strip() if stripped.startswith("=") else stripped


@lru_cache(maxsize=4096)
def _compiled(source: str) -> Expression:
    return compile_expression(source)


def check_feel(text: str) -> str | None:
    """Why the expression does not parse, or None when it does (for the deploy-time check)."""
    try:
        _compiled(feel_source(text))
    except FeelError as error:
        return str(error)
    return None


def evaluate_feel(text: str, variables: Mapping[str, Any]) -> Any:
    """The value of ``=expr`` (or bare FEEL) for these variables, as plain Python (ints, floats, dicts).

    Raises ``FeelError`` when the text does not parse; evaluation problems give ``None`` as FEEL specifies.
    """
    expression = _compiled(feel_source(text))
    return to_python(expression.evaluate(Scope(feel_inputs(variables))))
