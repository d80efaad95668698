"""``for``, ``some`` and ``every``: iteration over lists, integer spans (``1..10``) and day spans;
registers its node kinds with the compiler."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from engine.bpmn.feel import budget
from engine.bpmn.feel.compiler import HANDLERS, Compiled, Node, compile_node
from engine.bpmn.feel.scope import Scope
from engine.bpmn.feel.values import Range


def _domain(node: Node) -> Compiled:
    if node[0] == "span":
        start, end = compile_node(node[1]), compile_node(node[2])

        def span(scope: Scope) -> Any:
            first, last = start(scope), end(scope)
            if type(first) is dt.date and type(last) is dt.date:
                step = 1 if last >= first else -1
                count = abs((last - first).days)
                budget.create(8 * (count + 1))
                return [first + dt.timedelta(days=step * offset) for offset in range(count + 1)]
            if type(first) is not Decimal or type(last) is not Decimal:
                return None
            step = 1 if last >= first else -1
            budget.create(8 * (abs(int(last) - int(first)) + 1))
            return [Decimal(index) for index in range(int(first), int(last) + step, step)]

        return span
    return compile_node(node)


def _iterate(iterators: list[tuple[str, Compiled]], scope: Scope) -> Any:
    """Every combination of the iteration variables as a scope (None when a domain is not a list)."""
    if not iterators:
        yield scope
        return
    name, domain = iterators[0]
    values = domain(scope)
    if type(values) is Range:
        values = _range_items(values)
    if values is None:
        raise _NoDomain
    if type(values) is not list:
        values = [values]
    for item in values:
        budget.tick()
        yield from _iterate(iterators[1:], scope.child({name: item}))


class _NoDomain(Exception):
    """An iteration domain that is not a list: the whole ``for``/``some``/``every`` is null."""


def _range_items(bounds: Range) -> list[Any] | None:
    if type(bounds.start) is not Decimal or type(bounds.end) is not Decimal or bounds.start > bounds.end:
        return None
    first = int(bounds.start) + (0 if bounds.start_included else 1)
    last = int(bounds.end) - (0 if bounds.end_included else 1)
    budget.create(8 * max(0, last - first + 1))
    return [Decimal(index) for index in range(first, last + 1)]


def _for(node: Node) -> Compiled:
    iterators = [(name, _domain(domain)) for name, domain in node[1]]
    body = compile_node(node[2])

    def loop(scope: Scope) -> list[Any] | None:
        results: list[Any] = []
        outer = scope.child({"partial": results})
        try:
            for inner in _iterate(iterators, outer):
                budget.create(8)
                results.append(body(inner))
        except _NoDomain:
            return None
        return results

    return loop


def _quantified(node: Node) -> Compiled:
    iterators = [(name, _domain(domain)) for name, domain in node[1]]
    condition = compile_node(node[2])
    every = node[0] == "every"

    def quantifier(scope: Scope) -> bool | None:
        unknown = False
        try:
            for inner in _iterate(iterators, scope):
                result = condition(inner)
                if result is (not every):
                    return not every
                if result is not every:
                    unknown = True
        except _NoDomain:
            return None
        return None if unknown else every

    return quantifier


HANDLERS["for"] = _for
HANDLERS["some"] = _quantified
HANDLERS["every"] = _quantified
