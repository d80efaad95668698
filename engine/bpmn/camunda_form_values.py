"""Values of a Camunda Form: prefilled from process variables, read back from a submission, validated and typed.

A submission is a nested mapping shaped like the form's data (what form-js would submit): text from a web
page (``"42"``, ``"on"``) or typed JSON from an API client (``42``, ``true``). :func:`submit` checks every
visible, editable input against its ``validate`` rules and types its value the way form-js does (number as
a number, checkbox as a boolean, checklist and tag list as lists, group paths and dynamic lists nested), so
the values become task variables as Camunda would set them. Errors are keyed by the input's dotted name
(``items.0.amount``), the name the task page gives the input. Conditions (``conditional.hide``) and
``valuesExpression`` are FEEL over the process variables overlaid with the form's current data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from engine.bpmn.camunda_forms import COMPUTED, INPUTS, CamundaForm, Component
from engine.bpmn.feel_runtime import FeelError, evaluate_feel
from engine.domain.forms import typed_number
from engine.domain.messages import Message, msg

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# An international number as form-js asks for it: + or 00, then digits with optional spaces.
_PHONE = re.compile(r"^(\+|00)[1-9][0-9 ]{5,17}[0-9]$")
_TRUE = {"true", "on", "1", "yes"}
_MULTI = frozenset({"checklist", "taglist"})
# What form-js holds for an input nobody filled in (and submits as such).
_EMPTY: dict[str, Any] = {"textfield": "", "textarea": "", "checkbox": False, "checklist": [], "taglist": []}


@dataclass
class FormOutcome:
    """Typed values (nested like the form's data) and messages per input name."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # Message values: coded, translated where shown


def get_path(data: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path`` in nested mappings, or None."""
    for part in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


def set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Store ``value`` at ``path``, creating the mappings on the way."""
    for part in path[:-1]:
        nested = data.get(part)
        if not isinstance(nested, dict):
            nested = data[part] = {}
        data = nested
    if path:
        data[path[-1]] = value


def evaluate(expression: str, scope: Mapping[str, Any]) -> Any:
    """A FEEL property (``=expr``) for this scope; None when it does not parse (the check reports it)."""
    try:
        return evaluate_feel(expression, scope)
    except FeelError:
        return None


def is_hidden(component: Component, scope: Mapping[str, Any]) -> bool:
    """``conditional.hide`` holds for this scope (hidden components are neither validated nor submitted)."""
    expression = component.hide_expression
    return expression is not None and evaluate(expression, scope) is True


def is_readonly(component: Component, scope: Mapping[str, Any]) -> bool:
    """Read-only or disabled, literally or by a FEEL condition: shown, never taken from a submission."""
    if component.readonly:
        return True
    return any(
        isinstance(value, str) and value.strip().startswith("=") and evaluate(value, scope) is True
        for value in (component.props.get("readonly"), component.props.get("disabled"))
    )


def options(component: Component, scope: Mapping[str, Any]) -> list[tuple[Any, str]]:
    """(value, label) choices: static ``values``, the variable named by ``valuesKey``, or ``valuesExpression``."""
    props = component.props
    if isinstance(props.get("values"), list):
        source: Any = props["values"]
    elif props.get("valuesKey"):
        source = scope.get(str(props["valuesKey"]))
    elif isinstance(props.get("valuesExpression"), str):
        source = evaluate(props["valuesExpression"], scope)
    else:
        source = None
    result = []
    for item in source if isinstance(source, list) else []:
        if isinstance(item, Mapping) and "value" in item:
            result.append((item["value"], str(item.get("label") if item.get("label") is not None else item["value"])))
        elif isinstance(item, str | int | float) and not isinstance(item, bool):
            result.append((item, str(item)))
    return result


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def _text(component: Component, raw: Any) -> str:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise ValueError(msg("field.text"))
    text, rules = str(raw), component.validate
    if isinstance(rules.get("minLength"), int) and len(text) < rules["minLength"]:
        raise ValueError(msg("field.too_short", num=rules["minLength"]))
    if isinstance(rules.get("maxLength"), int) and len(text) > rules["maxLength"]:
        raise ValueError(msg("field.too_long", num=rules["maxLength"]))
    kind = rules.get("validationType")
    if kind == "email" and not _EMAIL.match(text):
        raise ValueError(msg("field.email"))
    if kind == "phone" and not _PHONE.match(text.strip()):
        raise ValueError(msg("cform.phone"))
    pattern = rules.get("pattern")
    if isinstance(pattern, str) and pattern and kind in (None, "", "custom"):
        try:
            matched = re.search(pattern, text) is not None
        except re.error:
            matched = True  # the designer check names a broken pattern; the person cannot fix it
        if not matched:
            raise ValueError(msg("cform.pattern"))
    return text


def _number(component: Component, raw: Any) -> int | float | str:
    number = typed_number(raw)
    rules, digits = component.validate, component.props.get("decimalDigits")
    if isinstance(digits, int) and -number.as_tuple().exponent > max(digits, 0):  # type: ignore[operator]
        raise ValueError(msg("cform.decimals", num=digits))
    if isinstance(rules.get("min"), int | float) and number < Decimal(str(rules["min"])):
        raise ValueError(msg("field.at_least", value=rules["min"]))
    if isinstance(rules.get("max"), int | float) and number > Decimal(str(rules["max"])):
        raise ValueError(msg("field.at_most", value=rules["max"]))
    if component.props.get("serializeToString") is True:
        return str(number)
    return int(number) if number == number.to_integral_value() else float(number)


def _choice(component: Component, raw: Any, scope: Mapping[str, Any]) -> Any:
    for value, _label in options(component, scope):
        if raw == value or str(raw) == str(value):
            return value
    raise ValueError(msg("cform.not_an_option"))


def _choices(component: Component, raw: Any, scope: Mapping[str, Any]) -> list[Any]:
    items = raw if isinstance(raw, list) else [raw]
    return [_choice(component, item, scope) for item in items if not _blank(item)]


def _datetime(component: Component, raw: Any) -> str:
    text = str(raw).strip()
    try:
        if component.subtype == "time":
            return time.fromisoformat(text).strftime("%H:%M")
        if component.subtype == "datetime":
            return datetime.fromisoformat(text).strftime("%Y-%m-%dT%H:%M")
        return date.fromisoformat(text).isoformat()
    except ValueError:
        code = {"time": "cform.time", "datetime": "cform.datetime"}.get(component.subtype, "field.date")
        raise ValueError(msg(code)) from None


def _checkbox(raw: Any) -> bool:
    return raw is True or (isinstance(raw, str) and raw.strip().lower() in _TRUE)


def coerce(component: Component, raw: Any, scope: Mapping[str, Any]) -> Any:
    """One input's submitted value as form-js types it; ValueError with a coded message when it is invalid."""
    kind = component.type
    if kind == "checkbox":
        value: Any = _checkbox(raw)
        if component.required and not value:
            raise ValueError(msg("field.required"))
        return value
    if _blank(raw):
        if component.required:
            raise ValueError(msg("field.required"))
        return list(_EMPTY[kind]) if kind in _MULTI else _EMPTY.get(kind)
    if kind in ("textfield", "textarea"):
        return _text(component, raw)
    if kind == "number":
        return _number(component, raw)
    if kind in _MULTI:
        return _choices(component, raw, scope)
    if kind in ("radio", "select"):
        return _choice(component, raw, scope)
    return _datetime(component, raw)


def _name(prefix: str, path: tuple[str, ...]) -> str:
    return ".".join(part for part in (prefix, *path) if part)


@dataclass
class _Walk:
    variables: Mapping[str, Any]
    root: Mapping[str, Any]
    outcome: FormOutcome
    visit: Callable[[Component, str, Any, dict[str, Any], Mapping[str, Any]], None]

    def scope(self, item: Mapping[str, Any] | None) -> dict[str, Any]:
        scope = {**self.variables, **self.root}
        return {**scope, **item} if item else scope

    def components(
        self, components: tuple[Component, ...], data: Any, out: dict[str, Any], prefix: str, item: Mapping | None
    ) -> None:
        scope = self.scope(item)
        for component in components:
            if is_hidden(component, scope):
                continue
            name = _name(prefix, component.path)
            if component.type == "dynamiclist":
                rows = get_path(data, component.path)
                results = []
                for index, row in enumerate(rows if isinstance(rows, list) else []):
                    row_data = row if isinstance(row, Mapping) else {}
                    row_out: dict[str, Any] = {}
                    self.components(component.children, row_data, row_out, f"{name}.{index}", row_data)
                    results.append(row_out)
                set_path(out, component.path, results)
            elif component.type == "group":
                nested_out: dict[str, Any] = {}
                self.components(component.children, get_path(data, component.path) or {}, nested_out, name, item)
                if component.path:
                    set_path(out, component.path, nested_out)
                else:
                    out.update(nested_out)
            elif component.type in INPUTS or component.type in COMPUTED:
                self.visit(component, name, get_path(data, component.path), out, scope)


def typed_data(form: CamundaForm, data: Mapping[str, Any], variables: Mapping[str, Any]) -> dict[str, Any]:
    """The submission with every value typed where it can be (raw where not): what conditions and expressions see."""
    typed: dict[str, Any] = {}

    def visit(component: Component, _name: str, raw: Any, out: dict[str, Any], scope: Mapping[str, Any]) -> None:
        if component.type in INPUTS:
            try:
                set_path(out, component.path, coerce(component, raw, scope))
            except ValueError:
                set_path(out, component.path, raw)

    _Walk(variables, data, FormOutcome(), visit).components(form.components, data, typed, "", None)
    return typed


def _passed(component: Component, value: Any, today: date | None) -> bool:
    """A date before ``today`` where the component has ``disallowPassedDates`` (form-js's date picker rule)."""
    if today is None or component.type != "datetime" or component.props.get("disallowPassedDates") is not True:
        return False
    return component.subtype != "time" and isinstance(value, str) and value[:10] < today.isoformat()


def submit(
    form: CamundaForm, data: Mapping[str, Any], variables: Mapping[str, Any], today: date | None = None
) -> FormOutcome:
    """Validate and type a submission; hidden and read-only inputs are left out as form-js leaves them out.

    ``today`` (the caller's clock) is what ``disallowPassedDates`` compares with.
    """
    outcome = FormOutcome()
    root = typed_data(form, data, variables)

    def visit(component: Component, name: str, raw: Any, out: dict[str, Any], scope: Mapping[str, Any]) -> None:
        if component.type in COMPUTED:
            expression = component.props.get("expression")
            if isinstance(expression, str):
                set_path(out, component.path, evaluate(expression, scope))
            return
        if is_readonly(component, scope):
            return
        try:
            value = coerce(component, raw, scope)
            if _passed(component, value, today):
                raise ValueError(msg("cform.not_past"))
            set_path(out, component.path, value)
        except ValueError as error:
            coded = error.args[0] if error.args and isinstance(error.args[0], Message) else None
            outcome.errors[name] = coded or msg("field.text")

    known = {component.path[0] for component in _top_level_paths(form.components)}
    for key in data:
        if key not in known:
            outcome.errors[str(key)] = msg("field.unknown")
    _Walk(variables, root, outcome, visit).components(form.components, data, outcome.values, "", None)
    return outcome


def _top_level_paths(components: tuple[Component, ...]) -> list[Component]:
    """The components whose path starts a top-level key of the form's data (groups without a path pass through)."""
    found = []
    for component in components:
        if component.type == "group" and not component.path:
            found.extend(_top_level_paths(component.children))
        elif component.path:
            found.append(component)
    return found


def initial_data(form: CamundaForm, variables: Mapping[str, Any]) -> dict[str, Any]:
    """What the form shows first: each input's process variable at its path, else its ``defaultValue``."""
    data: dict[str, Any] = {}

    def fill(components: tuple[Component, ...], source: Any, out: dict[str, Any]) -> None:
        for component in components:
            if component.type == "dynamiclist":
                rows = get_path(source, component.path)
                if not isinstance(rows, list):
                    count = component.props.get("defaultRepetitions", 1)
                    rows = [{} for _ in range(count if isinstance(count, int) and 0 <= count <= 50 else 1)]
                filled = []
                for row in rows:
                    row_out: dict[str, Any] = {}
                    fill(component.children, row if isinstance(row, Mapping) else {}, row_out)
                    filled.append(row_out)
                set_path(out, component.path, filled)
            elif component.type == "group":
                nested: dict[str, Any] = {}
                fill(component.children, get_path(source, component.path) if component.path else source, nested)
                if component.path:
                    set_path(out, component.path, nested)
                else:
                    out.update(nested)
            elif component.type in INPUTS:
                value = get_path(source, component.path)
                if value is None:
                    value = component.props.get("defaultValue")
                if value is not None:
                    set_path(out, component.path, value)

    fill(form.components, variables, data)
    return data
