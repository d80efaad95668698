"""DMN type references: FEEL built-in types, item definitions (also imported ones) and their
constraints, with the conversions DMN 1.4 applies (singleton lists and list wrapping).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from engine.bpmn.dmn.model import ItemDefinition, Model
from engine.bpmn.feel import FeelError, compile_tests
from engine.bpmn.feel.types import SIMPLE_TYPES, conforms, strip_prefix

Resolver = Callable[[Model, str], "tuple[Model, ItemDefinition] | None"]
_TESTS_CACHE: dict[str, Any] = {}
_PLAIN: dict[str, type] = {"number": Decimal, "string": str, "boolean": bool}
_ALIASES = {"integer": "number", "decimal": "number", "double": "number", "long": "number", "int": "number"}


def _allowed(text: str, value: Any, model: Model) -> bool:
    tests = _TESTS_CACHE.get(text)
    if tests is None:
        try:
            tests = compile_tests(text, model.names)
        except FeelError:
            return True
        _TESTS_CACHE[text] = tests
    return bool(tests.matches(value))


class Types:
    """Type checks against the item definitions of a model and the models it imports."""

    def __init__(self, models_by_namespace: dict[str, Model]) -> None:
        self.models = models_by_namespace
        # FEEL built-in type names checked without resolving anything (the common case, per output cell).
        self._simple: dict[str, str | None] = {}

    def resolve(self, model: Model, type_ref: str) -> tuple[Model, ItemDefinition] | None:
        if type_ref in model.item_definitions:
            return model, model.item_definitions[type_ref]
        if "." in type_ref:
            prefix, _, rest = type_ref.partition(".")
            for imported in model.imports:
                if imported.name == prefix and imported.namespace in self.models:
                    return self.resolve(self.models[imported.namespace], rest)
        return None

    def check(self, value: Any, type_ref: str | None, model: Model) -> tuple[bool, Any]:
        """Whether ``value`` conforms to the type, and the value after DMN's implicit conversions."""
        if value is None or not type_ref:
            return True, value
        name = self._simple.get(type_ref)
        if name is None:
            name = strip_prefix(type_ref.strip())
            name = _ALIASES.get(name, name)
            self._simple[type_ref] = name
        if name in SIMPLE_TYPES:
            if conforms(value, ("named", name)):
                return True, value
            if type(value) is list and len(value) == 1 and conforms(value[0], ("named", name)):
                return True, value[0]
            return False, None
        if name.startswith(("list<", "context<", "range<", "function<")):
            return True, value
        found = self.resolve(model, name)
        if found is None:
            return True, value
        return self.check_item(value, found[1], found[0])

    def check_item(self, value: Any, item: ItemDefinition, model: Model, element: bool = False) -> tuple[bool, Any]:
        if value is None:
            return True, None
        if item.is_collection and not element:
            if type(value) is not list:
                fits, converted = self.check_item(value, item, model, element=True)
                return (True, [converted]) if fits else (False, None)
            result = []
            for entry in value:
                fits, converted = self.check_item(entry, item, model, element=True)
                if not fits:
                    return False, None
                result.append(converted)
            return True, result
        if item.function_item:
            return type(value).__name__ == "Function", value
        if item.components:
            if type(value) is list and len(value) == 1 and type(value[0]) is dict:
                value = value[0]
            if type(value) is not dict:
                return False, None
            converted_context = dict(value)
            for component in item.components:
                if component.name not in value:
                    return False, None
                fits, converted = self.check_item(value[component.name], component, model)
                if not fits:
                    return False, None
                converted_context[component.name] = converted
            return True, converted_context
        if item.type_ref:
            fits, value = self.check(value, item.type_ref, model)
            if not fits:
                return False, None
        for constraint in (item.allowed_values, item.type_constraint):
            if constraint and value is not None and not _allowed(constraint, value, model):
                return False, None
        return True, value

    def is_instance(self, value: Any, type_ref: str, model: Model) -> bool | None:
        """``value instance of type_ref`` for an item definition: its structure, not its constraints."""
        found = self.resolve(model, type_ref)
        if found is None:
            return None
        return self._instance(value, found[1], found[0], element=False)

    def _instance(self, value: Any, item: ItemDefinition, model: Model, element: bool) -> bool:
        if value is None:
            return True
        if item.is_collection and not element:
            return type(value) is list and all(self._instance(entry, item, model, True) for entry in value)
        if item.function_item:
            return type(value).__name__ == "Function"
        if item.components:
            return type(value) is dict and all(
                component.name in value and self._instance(value[component.name], component, model, False)
                for component in item.components
            )
        if not item.type_ref:
            return True
        name = strip_prefix(item.type_ref)
        name = _ALIASES.get(name, name)
        if name in SIMPLE_TYPES:
            return conforms(value, ("named", name))
        found = self.resolve(model, name)
        return found is None or self._instance(value, found[1], found[0], False)

    def coercer(self, type_ref: str | None, model: Model) -> Callable[[Any], Any]:
        """``coerce`` for one type, prepared once (decision tables call it for every output cell)."""
        name = _ALIASES.get(strip_prefix((type_ref or "").strip()), strip_prefix((type_ref or "").strip()))
        if not name or name in ("Any", "context", "list") or name in SIMPLE_TYPES and name not in _PLAIN:
            return lambda value: self.coerce(value, type_ref, model)
        if name in _PLAIN:
            expected = _PLAIN[name]

            def plain(value: Any) -> Any:
                if value is None or type(value) is expected:
                    return value
                return self.coerce(value, type_ref, model)

            return plain
        return lambda value: self.coerce(value, type_ref, model)

    def coerce(self, value: Any, type_ref: str | None, model: Model) -> Any:
        """The value as the type, or null when it does not conform."""
        fits, converted = self.check(value, type_ref, model)
        return converted if fits else None
