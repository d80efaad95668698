"""The restricted script environment: designer code runs, escapes do not."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest

from engine.bpmn.expressions import juel_to_python
from engine.runtime.scripting import RestrictedEnvironment, ScriptError


def run(script: str, **data: Any) -> dict[str, Any]:
    context = dict(data)
    RestrictedEnvironment().execute(script, context)
    return context


@pytest.mark.parametrize(
    "script",
    [
        "import os",
        "from subprocess import run",
        "x = __import__('os')",
        "x = ().__class__.__base__.__subclasses__()",
        "x = open('/etc/passwd').read()",
        "x = eval('1')",
        "x = exec('y = 1')",
        "x = getattr(object, '__subclasses__')()",
        "x = globals()",
    ],
)
def test_escapes_are_refused(script: str) -> None:
    with pytest.raises((ScriptError, ImportError, NameError, AttributeError, TypeError)):
        run(script)


def test_ordinary_designer_code_works() -> None:
    result = run(
        "items = [a * 2 for a in amounts]\ntotal = sum(items)\nlabel = 'EUR %d' % total\n"
        "due = date(2026, 12, 1) + timedelta(days=3)\nbiggest = max(amounts)\nrounded = round(total / 7, 2)",
        amounts=[1, 2, 3],
    )
    assert result["total"] == 12 and result["label"] == "EUR 12" and result["biggest"] == 3
    assert result["due"].isoformat() == "2026-12-04"
    assert result["rounded"] == 1.71


def test_helpers_and_internals_do_not_leak_into_task_data() -> None:
    result = run("def helper(x):\n    return x + 1\nvalue = helper(1)", start=1)
    assert result == {"start": 1, "value": 2}


def test_deleted_names_leave_task_data() -> None:
    assert run("del temp", temp=1, keep=2) == {"keep": 2}


def test_conditions_and_iso_literals() -> None:
    environment = RestrictedEnvironment()
    assert environment.evaluate('amount > 200 and channel == "email"', {"amount": 300, "channel": "email"})
    # Camunda Modeler writes timer values bare; they evaluate to themselves.
    assert environment.evaluate("PT48H", {}) == "PT48H"
    assert environment.evaluate("R3/PT1H", {}) == "R3/PT1H"
    assert environment.evaluate("2026-12-01T10:00:00Z", {}) == "2026-12-01T10:00:00Z"
    assert environment.evaluate("${vip && !blocked}", {"vip": True, "blocked": False}) is True


def test_juel_translation() -> None:
    assert juel_to_python("${a > 1 && b || !c}") == "a > 1 and b or not c"
    assert juel_to_python("${x != 1}") == "x != 1"
    assert juel_to_python("plain == 1") == "plain == 1"


def test_now_and_sla_helpers_follow_the_engine_clock() -> None:
    from datetime import datetime

    from engine.runtime.clock import engine_time

    monday = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 16:00 in Berlin
    with engine_time(monday):
        result = run(
            "started = now()\ndue = sla_due('2 business hours')\nremind = sla_point('4 business hours', 0.5)\n"
            "chat = sla_due('PT4H', calendar='24/7')"
        )
    assert result["started"] == monday
    assert result["due"] == "2026-11-24T08:00:00+00:00"  # 1 h today until 17:00, 1 h from 08:00 Berlin
    assert result["remind"] == "2026-11-24T08:00:00+00:00"
    assert result["chat"] == "2026-11-23T19:00:00+00:00"
