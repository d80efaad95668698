"""Static checks of a parsed FEEL expression: the names it uses that nothing in scope defines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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
