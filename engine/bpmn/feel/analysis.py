"""Static checks of a parsed FEEL expression: the names it uses that nothing in scope defines, and
calls of built-ins that fit none of their parameter lists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.bpmn.feel.calls import fits
from engine.bpmn.feel.scope import BUILTINS

Node = tuple[Any, ...]
# Names FEEL itself binds: the input of unary tests, list items in filters, partial results in for.
_IMPLICIT = {"?", "item", "partial"}


def free_names(node: Any, bound: frozenset[str] = frozenset()) -> Iterator[str]:
    """Names the expression reads that neither it nor ``bound`` defines (built-ins excluded).

    Inside filters the list items' entries are in scope too; they are unknown before evaluation,
    so names there are not reported.
    """
    if not isinstance(node, tuple) or not node:
        return
    kind = node[0]
    if kind == "name":
        name = node[1]
        head = name.split(".")[0].strip()
        if name not in bound and head not in bound and name not in BUILTINS and name not in _IMPLICIT:
            yield name
        return
    if kind == "path":
        yield from free_names(node[1], bound)
        return
    if kind == "filter":
        yield from free_names(node[1], bound)
        return
    if kind == "context":
        inner = set(bound)
        for key, value in node[1]:
            yield from free_names(value, frozenset(inner))
            inner.add(key)
        return
    if kind in ("for", "some", "every"):
        inner = set(bound)
        for name, domain in node[1]:
            yield from free_names(domain, frozenset(inner))
            inner.add(name)
        yield from free_names(node[2], frozenset(inner))
        return
    if kind in ("function", "external"):
        yield from free_names(node[2], bound | {name for name, _ in node[1]})
        return
    if kind == "call":
        yield from free_names(node[1], bound)
        for argument in node[2]:
            yield from free_names(argument, bound)
        for argument in (node[3] or {}).values():
            yield from free_names(argument, bound)
        return
    if kind == "instance":
        yield from free_names(node[1], bound)
        return
    for part in node[1:]:
        if isinstance(part, tuple):
            yield from free_names(part, bound)
        elif isinstance(part, list):
            for item in part:
                if isinstance(item, tuple):
                    yield from free_names(item, bound)


def off_signature_calls(node: Any, bound: frozenset[str] = frozenset()) -> Iterator[tuple[str, int, list[str] | None]]:
    """Calls of built-in functions whose arguments fit none of their parameter lists (always null):
    the built-in's name, the number of positional arguments and the argument names of a named call.
    A name the expression or ``bound`` defines shadows the built-in and is not reported."""
    if not isinstance(node, tuple) or not node:
        return
    kind = node[0]
    if kind == "call":
        callee, positional, named = node[1], node[2], node[3]
        if isinstance(callee, tuple) and callee[0] == "name" and callee[1] not in bound:
            function = BUILTINS.get(callee[1])
            names = list(named) if named is not None else None
            if function is not None and not fits(function, len(positional), names):
                yield callee[1], len(positional), names
    if kind == "context":
        inner = set(bound)
        for key, value in node[1]:
            inner.add(key)
            yield from off_signature_calls(value, frozenset(inner))
        return
    if kind in ("for", "some", "every"):
        inner = set(bound)
        for name, domain in node[1]:
            yield from off_signature_calls(domain, frozenset(inner))
            inner.add(name)
        yield from off_signature_calls(node[2], frozenset(inner))
        return
    if kind in ("function", "external"):
        yield from off_signature_calls(node[2], bound | {name for name, _ in node[1]})
        return
    for part in node[1:]:
        if isinstance(part, dict):
            part = list(part.values())
        for item in part if isinstance(part, list) else [part]:
            if isinstance(item, tuple):
                yield from off_signature_calls(item, bound)
