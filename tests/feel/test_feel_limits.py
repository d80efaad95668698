"""FEEL and DMN run under the limits of scripts (issue 13): a pathological expression stops with a clear
message within the CPU limit, and in a business rule task it is an incident, never a hung worker."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from engine.bpmn.dmn import definitions_from_text
from engine.bpmn.feel import compile_expression
from engine.bpmn.resources import Resource
from engine.runtime import limits
from engine.runtime.script_limits import ScriptLimitExceeded
from engine.services.designer import deployment
from engine.services.instances import lifecycle as instances
from engine.store import queries
from tests.engine.helpers import ADMIN
from tests.feel.test_decision_tasks import BPMN, DMN

HOSTILE = {
    "huge_span": ("for i in 1..1000000000 return i", "MB of data"),
    "nested_loops": ("for a in 1..30000, b in 1..30000 return 1", "MB of data|CPU time"),
    "endless_quantifier": ("some a in 1..20000, b in 1..20000 satisfies a = 0", "CPU time"),
    "doubling_text": ('for i in 1..64 return if i = 1 then "x" else partial[-1] + partial[-1]', "MB of data"),
    "doubling_list": ("for i in 1..64 return if i = 1 then [1] else concatenate(partial[-1], partial[-1])",
                      "MB of data"),
    "deep_recursion": ("{f: function(n) if n = 0 then 0 else 1 + f(n - 1), r: f(100000)}.r", "recursed too deeply"),
    "exponential_recursion": ("{f: function(n) if n < 2 then n else f(n - 1) + f(n - 2), r: f(60)}.r", "CPU time"),
    "day_span": ('for d in @"0001-01-01"..@"9999-12-31" return d', "MB of data|CPU time"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_feel_stops_with_a_clear_message(name: str) -> None:
    text, expected = HOSTILE[name]
    expression = compile_expression(text)
    started = time.thread_time()
    small = limits.configured(script_cpu_seconds=0.5, script_memory_bytes=64 * 1024 * 1024)
    with small, pytest.raises(ScriptLimitExceeded, match=expected):
        expression.evaluate({})
    assert time.thread_time() - started < 5


def test_a_stopped_expression_leaves_no_failure_behind_in_the_thread() -> None:
    small = limits.configured(script_cpu_seconds=0.5, script_memory_bytes=64 * 1024 * 1024)
    with small, pytest.raises(ScriptLimitExceeded):
        compile_expression(HOSTILE["nested_loops"][0]).evaluate({})
    # Evaluated outside a limited block (a decision evaluated directly), then inside one.
    counting = DMN.replace('if season = "Winter" then "Roastbeef" else "Salad"', "string(sum([1, 2]))")
    assert definitions_from_text(counting).evaluate("Dish", {}) == "3"
    assert compile_expression("sum(for i in 1..10 return i)").evaluate({}) == 55


def test_ordinary_feel_keeps_its_meaning() -> None:
    with limits.configured(script_cpu_seconds=0.5):
        assert compile_expression("sum(for i in 1..1000 return i)").evaluate({}) == 500500
        fact = "{f: function(n) if n = 0 then 1 else n * f(n - 1), r: f(20)}.r"
        assert compile_expression(fact).evaluate({}) == 2432902008176640000
        assert compile_expression('string join(for i in 1..3 return string(i), "-")').evaluate({}) == "1-2-3"


def test_a_pathological_decision_is_an_incident_at_the_business_rule_task(session: Session, now: datetime) -> None:
    endless = DMN.replace(
        'if season = "Winter" then "Roastbeef" else "Salad"',
        'if count(for a in 1..30000, b in 1..30000 return a) &gt; 0 then "Roastbeef" else "Salad"',
    )
    deployment.deploy(session, ADMIN, [Resource("dinner.bpmn", BPMN), Resource("dish.dmn", endless)], now)
    started = time.monotonic()
    with limits.configured(script_cpu_seconds=0.5, script_memory_bytes=64 * 1024 * 1024):
        instance = instances.start_instance(session, ADMIN, "dinner", {"season": "Winter", "guest count": 6}, now)
    assert time.monotonic() - started < 30
    assert instance.status == "incident"
    incident = queries.open_incident(session, instance.id)
    assert incident is not None and incident.element_id == "dish_task"
    assert "MB of data" in incident.message or "CPU time" in incident.message, incident.message
