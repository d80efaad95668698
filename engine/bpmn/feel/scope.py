"""Variable scopes: a chain of dictionaries ending in the built-in functions."""

from __future__ import annotations

from typing import Any

from engine.bpmn.feel.values import Function

BUILTINS: dict[str, Function] = {}


class Scope:
    """Names visible to an expression; inner scopes shadow outer ones."""

    __slots__ = ("vars", "parent")

    def __init__(self, variables: dict[str, Any], parent: Scope | None = None) -> None:
        self.vars = variables
        self.parent = parent

    def get(self, name: str) -> Any:
        """The value of ``name``, a built-in function, or null when nothing has that name."""
        scope: Scope | None = self
        while scope is not None:
            variables = scope.vars
            if name in variables:
                return variables[name]
            scope = scope.parent
        return BUILTINS.get(name)

    def has(self, name: str) -> bool:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return True
            scope = scope.parent
        return name in BUILTINS

    def child(self, variables: dict[str, Any]) -> Scope:
        return Scope(variables, self)
