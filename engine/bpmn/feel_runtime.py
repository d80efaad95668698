"""FEEL as Camunda 8 evaluates it in a process: ``=expr`` over the variables in scope, results as plain Python.

Camunda 8 writes every expression in a diagram (conditions, input and output mappings, loop collections,
correlation keys) as FEEL behind a leading ``=``. The engine keeps such text as drawn and evaluates it here,
so FEEL's own rules hold (``null`` for a missing variable, ``mean()`` over a path into a list of contexts)
instead of a translation to Python that only covers simple comparisons.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from engine.bpmn.feel import Expression, FeelError, Scope, compile_expression, to_python
from engine.bpmn.feel.values import YearsMonths, feel_inputs
from engine.domain.messages import message_of

__all__ = ["FeelError", "check_feel", "evaluate_feel", "feel_source", "is_feel", "timer_text"]


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
        return message_of(error) or str(error)  # the code, so the web UI shows it in the user's language
    return None


def evaluate_feel(text: str, variables: Mapping[str, Any]) -> Any:
    """The value of ``=expr`` (or bare FEEL) for these variables, as plain Python (ints, floats, dicts).

    Raises ``FeelError`` when the text does not parse; evaluation problems give ``None`` as FEEL specifies.
    """
    expression = _compiled(feel_source(text))
    return to_python(expression.evaluate(Scope(feel_inputs(variables))))


def timer_text(value: Any) -> Any:
    """A FEEL timer value as the ISO 8601 text a timer reads (``duration("P2D")`` -> ``"P2D"``, a date and time
    -> its ISO text); anything else (a string such as ``"R5/P2D"``) unchanged."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, YearsMonths):
        return str(value)
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
        days, rest = divmod(seconds, 86_400)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        clock = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
        return f"{sign}P{f'{days}D' if days else ''}{'T' + clock if clock else ''}" if days or clock else "PT0S"
    return value
