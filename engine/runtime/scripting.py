"""Restricted evaluation of the Python in diagrams: scripts, gateway conditions, timer and DMN expressions.

SpiffWorkflow's default environment is plain ``eval``/``exec`` with full builtins, so a diagram could
``import os``. Here every expression is compiled by RestrictedPython (no imports, no ``open``, no
underscore attributes such as ``__class__``/``__subclasses__``) and sees only an allow-list of helpers
plus the task data. Designer code stays designer code: text typed by customers or agents is data and is
never evaluated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from types import CodeType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, limited_builtins
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
)
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.bpmn.expressions import juel_to_python
from engine.bpmn.feel_runtime import evaluate_feel, is_feel, timer_text
from engine.domain.calendars import end_of_business_day, sla_due, sla_point
from engine.runtime.clock import current_time
from engine.runtime.script_limits import LimitingTransformer, guard_globals, limited, limited_math

# Camunda Modeler writes timer values bare (PT48H, 2026-12-01T10:00:00Z, R3/PT1H); SpiffWorkflow would
# evaluate them as Python and fail at run time. A bare ISO 8601 literal therefore evaluates to itself.
_ISO_LITERAL = re.compile(
    r"^(R\d*/)?(P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
    r"|\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)$"
)


def _as_datetime(value: datetime | str | None) -> datetime:
    if value is None:
        return current_time()
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        raise ValueError("SLA start times must carry a time zone")
    return moment


def sla_due_helper(target: str, start: datetime | str | None = None, calendar: str | None = None) -> str:
    """Diagram helper: ISO due time of an SLA target (``"2 business days"``) from ``start`` (default: now)."""
    return sla_due(_as_datetime(start), target, calendar).isoformat()


def sla_point_helper(
    target: str, share: float, start: datetime | str | None = None, calendar: str | None = None
) -> str:
    """Diagram helper: ISO time when ``share`` of the target is used up, e.g. for a reminder at 75 %."""
    return sla_point(_as_datetime(start), target, share, calendar).isoformat()


def end_of_business_day_helper(day: date | str, calendar: str | None = None) -> str:
    """Diagram helper: ISO time work ends on a date (a form's date field), in the calendar's own zone.

    Why not ``day + "T17:00:00+01:00"``: a fixed offset is an hour off in summer time and ignores the
    calendar's hours and holidays.
    """
    local_date = date.fromisoformat(day) if isinstance(day, str) else day
    return end_of_business_day(local_date, calendar).isoformat()


# The script the check writes for a Camunda 8 script task: ``target = feel_script("<FEEL as JSON text>")``.
FEEL_SCRIPT = re.compile(r'(?P<target>[A-Za-z][A-Za-z0-9_]*) = feel_script\((?P<source>"(?:[^"\\]|\\.)*")\)')


def _feel_script_outside(*_args: Any) -> Any:
    raise ValueError("feel_script() is the whole script of a Camunda 8 script task, not a function to call")


def default_helpers() -> dict[str, Any]:
    """The allow-list of names diagrams may use besides their task data."""
    return {
        "date": date,
        "datetime": datetime,
        "timedelta": timedelta,
        "timezone": timezone,
        "Decimal": Decimal,
        "math": limited_math(),
        "now": lambda: current_time().astimezone(UTC),
        "sla_due": sla_due_helper,
        "sla_point": sla_point_helper,
        "end_of_business_day": end_of_business_day_helper,
        "feel_script": _feel_script_outside,
    }


def _restricted_builtins() -> dict[str, Any]:
    builtins = dict(safe_builtins)
    builtins.update(limited_builtins)
    builtins.update(
        {
            "sum": sum,
            "min": min,
            "max": max,
            "any": any,
            "all": all,
            "dict": dict,
            "list": list,
            "enumerate": enumerate,
            "sorted": sorted,
            "reversed": reversed,
            "map": map,
            "filter": filter,
            "round": round,
            "abs": abs,
            "len": len,
            "set": set,
            "frozenset": frozenset,
            "zip": zip,
            # pow(10, 10**9) would build a gigabyte-sized number: the same size check as ``**``.
            "pow": guard_globals()["_pow_"],
        }
    )
    return builtins


class ScriptError(SyntaxError):
    """A script the restricted compiler refused (e.g. an import); always carries a line number."""


@lru_cache(maxsize=2048)
def _compile(source: str, mode: str) -> CodeType:
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(source, policy=LimitingTransformer)
    if result.errors:
        first_line = source.splitlines()[0] if source else ""
        # A SyntaxError without a line number crashes SpiffWorkflow's error formatter.
        raise ScriptError("; ".join(result.errors), ("<diagram>", 1, 0, first_line))
    assert result.code is not None  # RestrictedPython returns code whenever it reports no errors
    return result.code


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Task data are the globals, as in SpiffWorkflow's TaskDataEnvironment, but compiled restricted."""

    def __init__(self, helpers: dict[str, Any] | None = None) -> None:
        guards: dict[str, Any] = {
            "__builtins__": _restricted_builtins(),
            **guard_globals(),
            "_getitem_": default_guarded_getitem,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_write_": full_write_guard,
            "_print_": None,
        }
        guards.update(default_helpers() if helpers is None else helpers)
        super().__init__(guards)

    def _globals(self, context: dict[str, Any], external_context: dict[str, Any] | None) -> dict[str, Any]:
        namespace = dict(self.globals)
        namespace.update(external_context or {})
        namespace.update(context)
        return namespace

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        expression = expression.strip()
        if _ISO_LITERAL.match(expression):
            return expression
        if is_feel(expression):
            # Camunda 8 diagrams keep their FEEL (``=expr``): evaluated by the FEEL engine, not as Python.
            # A duration or date and time (a timer's value) becomes the ISO text SpiffWorkflow's timers read.
            return timer_text(evaluate_feel(expression, {**(external_context or {}), **context}))
        code = _compile(juel_to_python(expression), "eval")
        with limited():
            return eval(code, self._globals(context, external_context))

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        feel = FEEL_SCRIPT.fullmatch(script.strip())
        if feel:
            # A Camunda 8 script task (zeebe:script): its FEEL expression, evaluated by the FEEL engine.
            source = json.loads(feel["source"])
            context[feel["target"]] = evaluate_feel(source, {**(external_context or {}), **context})
            return True
        namespace = self._globals(context, external_context)
        code = _compile(script, "exec")
        with limited():
            exec(code, namespace)
        # Copy back only data the script bound: helpers, guards, functions and modules stay out of task data.
        for key, value in namespace.items():
            if key in self.globals or (external_context and key in external_context):
                continue
            if key.startswith("_") or callable(value) or type(value).__name__ == "module":
                continue
            context[key] = value
        for key in [key for key in context if key not in namespace]:
            del context[key]
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise NotImplementedError("service tasks run as external tasks in complaintflow")


class RestrictedScriptEngine(PythonScriptEngine):
    """PythonScriptEngine with the restricted environment and a working ``call_service`` error path."""

    def __init__(self, helpers: dict[str, Any] | None = None) -> None:
        super().__init__(environment=RestrictedEnvironment(helpers))

    def call_service(self, task, **kwargs):  # type: ignore[no-untyped-def]
        # SpiffWorkflow 3.2.0's version raises NameError('script') in its except branch.
        try:
            return self.environment.call_service(task.data, **kwargs)
        except Exception as error:
            raise WorkflowTaskException(f"service call failed: {error}", task=task, exception=error) from error


def make_script_engine(extra_helpers: dict[str, Callable[..., Any]] | None = None) -> RestrictedScriptEngine:
    """The engine every workflow runs with; extra helpers extend the allow-list."""
    helpers = default_helpers()
    helpers.update(extra_helpers or {})
    return RestrictedScriptEngine(helpers)
