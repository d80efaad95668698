"""A Camunda Form (form-js JSON) on the task page: rendered server-side, read back from the submitted inputs.

Each input is named by its data path (``c8.contact.email``, ``c8.positions.0.amount``), so a submission
reads back into the nested shape form-js would submit and the engine validates it
(``engine.bpmn.camunda_form_values``). Without JavaScript a dynamic list grows and shrinks by submit
buttons that re-render the form with the values typed so far; ``conditional.hide`` is evaluated each time
the form is rendered or submitted. Labels are the designer's, as drawn; our own words go through Babel.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from engine.bpmn.camunda_form_values import (
    evaluate,
    get_path,
    is_hidden,
    is_readonly,
    options,
    set_path,
    typed_data,
)
from engine.bpmn.camunda_forms import INPUTS, CamundaForm, Component
from engine.bpmn.feel_runtime import is_feel
from webui.case_forms import field_message
from webui.markdown_render import render_markdown

PREFIX = "c8."
ROWS = "c8rows."  # hidden input: how many items a dynamic list shows
ADD, REMOVE = "c8add", "c8remove"  # submit buttons that change a dynamic list instead of completing the task
_MAX_ROWS = 50
_TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")
_IMAGE = re.compile(r"^(https?://|data:image/)", re.IGNORECASE)


def _text(value: Any, scope: Mapping[str, Any]) -> str:
    """A designer's text: FEEL when it starts with ``=``, else as written with ``{{ variable }}`` filled in."""
    if not isinstance(value, str):
        return ""
    if is_feel(value):
        result = evaluate(value, scope)
        return "" if result is None else str(result)
    return _TEMPLATE.sub(lambda match: _shown(get_path(scope, tuple(match.group(1).split(".")))), value)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _name(prefix: str, path: tuple[str, ...]) -> str:
    return ".".join(part for part in (prefix, *path) if part)


class _Builder:
    """Walks the form once, turning each visible component into a dict the template renders."""

    def __init__(self, variables: Mapping[str, Any], data: Mapping[str, Any], errors: Mapping[str, str]) -> None:
        self.variables, self.data, self.errors = variables, data, errors

    def nodes(self, components: tuple[Component, ...], data: Any, prefix: str, item: Mapping | None) -> list[dict]:
        scope = {**self.variables, **self.data, **(item or {})}
        built = []
        for component in components:
            if is_hidden(component, scope) or component.type == "expression":
                continue
            node = self.node(component, data, prefix, scope)
            if node is not None:
                built.append(node)
        return built

    def node(self, component: Component, data: Any, prefix: str, scope: Mapping[str, Any]) -> dict[str, Any] | None:
        props, name = component.props, _name(prefix, component.path)
        node: dict[str, Any] = {
            "type": component.type,
            "label": _text(props.get("label"), scope),
            "description": _text(props.get("description"), scope),
            "html_id": "c8-" + re.sub(r"[^A-Za-z0-9_-]", "-", name or component.id or component.type),
        }
        if component.type == "text":
            node["html"] = render_markdown(_text(props.get("text"), scope))
        elif component.type == "image":
            source = props.get("source")
            node["src"] = source if isinstance(source, str) and _IMAGE.match(source) else None
            node["alt"] = _text(props.get("alt"), scope)
        elif component.type == "spacer":
            node["height"] = props.get("height") if isinstance(props.get("height"), int) else 30
        elif component.type == "group":
            nested = get_path(data, component.path) if component.path else data
            node["children"] = self.nodes(component.children, nested or {}, name, None)
        elif component.type == "dynamiclist":
            rows = get_path(data, component.path)
            rows = rows if isinstance(rows, list) else []
            node.update(name=name, rows_name=ROWS + name, allow_add_remove=props.get("allowAddRemove") is not False)
            node["rows"] = [
                self.nodes(component.children, row if isinstance(row, Mapping) else {}, f"{name}.{index}", row)
                for index, row in enumerate(rows[:_MAX_ROWS])
            ]
            node["row_names"] = [f"{name}.{index}" for index in range(len(node["rows"]))]
        elif component.type in INPUTS:
            node.update(self.input(component, data, name, scope))
        elif component.type not in ("separator", "button"):
            return None  # not shown: the designer check named it
        return node

    def input(self, component: Component, data: Any, name: str, scope: Mapping[str, Any]) -> dict[str, Any]:
        props, value = component.props, get_path(data, component.path)
        appearance: Mapping[str, Any] = props.get("appearance") or {}
        if not isinstance(appearance, Mapping):
            appearance = {}
        digits = props.get("decimalDigits")
        error = self.errors.get(name)
        label = _text(props.get("label") or props.get("dateLabel") or props.get("timeLabel"), scope)
        return {
            "name": PREFIX + name,
            "label": label or component.key,
            "required": component.required,
            "readonly": is_readonly(component, scope),
            "value": "" if value is None or isinstance(value, list | Mapping) else _shown(value),
            "checked": value is True or _shown(value).lower() in ("true", "on"),
            "selected": [_shown(v) for v in value] if isinstance(value, list) else [_shown(value)],
            "options": [(_shown(v), label) for v, label in options(component, scope)],
            "subtype": component.subtype,
            "step": f"{10**-digits:.{digits}f}" if isinstance(digits, int) and 0 < digits < 10 else "any",
            "prefix_text": _text(appearance.get("prefixAdornment"), scope),
            "suffix_text": _text(appearance.get("suffixAdornment"), scope),
            "error": field_message(error) if error else None,
        }


def form_nodes(
    form: CamundaForm, variables: Mapping[str, Any], data: Mapping[str, Any], errors: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The form's visible components for the template, showing ``data`` (prefill or what was typed)."""
    # Conditions see the values typed (a number as a number), as they do when the form is submitted.
    return _Builder(variables, typed_data(form, data, variables), errors).nodes(form.components, data, "", None)


def submitted_data(
    form: CamundaForm, get: Callable[[str], str | None], getlist: Callable[[str], list[str]]
) -> dict[str, Any]:
    """The submitted inputs, nested as form-js submits them (text as typed; the engine types and checks it)."""

    def collect(components: tuple[Component, ...], prefix: str, out: dict[str, Any]) -> None:
        for component in components:
            name = _name(prefix, component.path)
            if component.type == "group":
                nested: dict[str, Any] = {}
                collect(component.children, name, nested)
                if component.path:
                    set_path(out, component.path, nested)
                else:
                    out.update(nested)
            elif component.type == "dynamiclist" and component.path:
                try:
                    count = min(max(int(get(ROWS + name) or 0), 0), _MAX_ROWS)
                except ValueError:
                    count = 0
                rows = []
                for index in range(count):
                    row: dict[str, Any] = {}
                    collect(component.children, f"{name}.{index}", row)
                    rows.append(row)
                set_path(out, component.path, rows)
            elif component.type in ("checklist", "taglist"):
                set_path(out, component.path, getlist(PREFIX + name))
            elif component.type in INPUTS and get(PREFIX + name) is not None:
                set_path(out, component.path, get(PREFIX + name))

    data: dict[str, Any] = {}
    collect(form.components, "", data)
    return data


def change_rows(form: CamundaForm, data: dict[str, Any], add: str | None, remove: str | None) -> bool:
    """Apply an add-row or remove-row button to ``data``; True when one was pressed (the page re-renders)."""
    if add:
        rows = get_path(data, tuple(add.split(".")))
        if isinstance(rows, list) and len(rows) < _MAX_ROWS:
            rows.append({})
        return True
    if remove:
        list_name, _, index = remove.rpartition(".")
        rows = get_path(data, tuple(list_name.split(".")))
        if isinstance(rows, list) and index.isdigit() and int(index) < len(rows):
            del rows[int(index)]
        return True
    return False
