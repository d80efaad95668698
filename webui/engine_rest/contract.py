"""Every /engine-rest request is checked against the rules its served document states (openapi.py).

The document and the checks are one thing: a rule the server enforces is stated there, and a stated rule is
enforced here, before any view runs. PostgreSQL cannot store or even compare a NUL character: in a path it
names nothing that exists (404); in a query parameter or a documented text property it is a bad request
(400). Inside free-form variable values it is kept, as those are stored as JSON text, where it is escaped.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from flask import g, request

from webui.engine_rest import openapi
from webui.engine_rest.common import RestError

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}
_DIGITS = re.compile(r"-?[0-9]{1,19}")


def _operation() -> tuple[str, str]:
    rule = request.url_rule.rule if request.url_rule else ""
    path = rule[len("/engine-rest") :].replace("<", "{").replace(">", "}")
    for old, new in (("{task_id}", "{id}"), ("{ref}", "{id}")):
        path = path.replace(old, new)
    return path, request.method.lower()


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _query_value(name: str, raw: str, kind: str, low: int, high: int) -> None:
    if kind == "boolean":
        if raw.strip().lower() not in ("true", "false"):
            raise RestError(400, f"Cannot set query parameter '{name}' to value '{raw}': true or false expected")
    elif kind == "integer" and (not _DIGITS.fullmatch(raw.strip()) or not low <= int(raw) <= high):
        raise RestError(400, f"Cannot set query parameter '{name}' to value '{raw}': {low} to {high} expected")


def _is(value: Any, kind: str) -> bool:
    return isinstance(value, _TYPES[kind]) and not (kind == "integer" and isinstance(value, bool))


@functools.cache
def _component(name: str) -> dict[str, Any]:
    # Built from the document's tables once per process, not on every request (read only here).
    return openapi.component_schema(name)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _component(schema["$ref"].rsplit("/", 1)[-1])
    return schema


def _value(where: str, value: Any, schema: dict[str, Any]) -> None:
    schema = _resolve(schema)
    if value is None:
        if schema.get("nullable") or "type" not in schema:
            return
        raise RestError(400, f"{where} must not be null")
    kind = schema.get("type")
    if kind is None:
        return
    if not _is(value, kind):
        raise RestError(400, f"{where} must be of type {kind}")
    if kind == "integer" and not schema["minimum"] <= value <= schema["maximum"]:
        raise RestError(400, f"{where} must be between {schema['minimum']} and {schema['maximum']}")
    if kind == "string" and len(value) < schema.get("minLength", 0):
        raise RestError(400, f"{where} must not be empty")
    if "enum" in schema and value not in schema["enum"]:
        raise RestError(400, f"{where} must be one of {', '.join(map(str, schema['enum']))}")
    if kind == "string" and "pattern" in schema and "\x00" in value:
        raise RestError(400, f"{where} must not contain a NUL character")
    if kind == "array":
        for index, item in enumerate(value):
            _value(f"{where}[{index}]", item, schema.get("items", {}))
    if kind == "object":
        _object(where, value, schema)


def _object(where: str, body: dict[str, Any], schema: dict[str, Any]) -> None:
    for name in schema.get("required", ()):
        if body.get(name) is None:
            raise RestError(400, f"{where + '.' if where else ''}{name} is required")
    properties = schema.get("properties", {})
    for name, value in body.items():
        label = f"{where}.{name}" if where else name
        if name in properties:
            _value(label, value, properties[name])
        elif "additionalProperties" in schema:
            _value(label, value, schema["additionalProperties"])


def check_request() -> None:
    """Raise the Camunda error for a request that breaks the document's rules."""
    for name, value in (request.view_args or {}).items():
        if _has_nul(value):
            raise RestError(404, f"No resource with {name} {value!r} exists")
    for name, value in request.args.items(multi=True):
        if _has_nul(name) or _has_nul(value):
            raise RestError(400, f"Query parameter '{name}' must not contain a NUL character")
    path, method = _operation()
    for name, (kind, low, high) in openapi.QUERY.get((path, method), {}).items():
        for raw in request.args.getlist(name):
            _query_value(name, raw, kind, low, high)
    if request.mimetype != "application/json" or not request.get_data():
        return
    try:
        body = json.loads(request.get_data())
    except (ValueError, RecursionError):
        raise RestError(400, "Cannot parse the request body as JSON") from None
    g.rest_body = body  # json_body() reads it from here instead of parsing the body again
    _, schema_name, _ = openapi.OPERATIONS.get((path, method), ("", None, None))
    if schema_name is not None:
        if not isinstance(body, dict):
            raise RestError(400, "The request body must be a JSON object")
        _object("", body, _component(schema_name))
