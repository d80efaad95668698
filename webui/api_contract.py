"""The REST API's request rules, read from its own OpenAPI document, so that the two cannot drift apart.

Bodies are parsed strictly (no ``NaN``/``Infinity``, numbers as exact decimals, bounded nesting, valid
Unicode) and checked against the document's schema for the operation: every rule the document states is
enforced here, and the service checks behind it are stated in the document (tests/notifications/
test_api_contract.py runs Schemathesis to hold both directions).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from flask import request

from engine.domain.errors import FormValidationError

OPENAPI = Path(__file__).parent / "openapi.json"
MAX_DEPTH = 32


class BadJson(FormValidationError):
    """The body is not the JSON object the operation takes."""


@cache
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(OPENAPI.read_text(encoding="utf-8"))
    return loaded


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number in JSON")


def _depth(value: Any, limit: int) -> bool:
    """True when ``value`` nests deeper than ``limit`` (iterative: a deep body must not exhaust the stack)."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if level > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return False


def _valid_unicode(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def json_object(schema_ref: str) -> dict[str, Any]:
    """The request's body as a JSON object that fits ``schema_ref`` (a schema name or an inline schema path)."""
    if not request.is_json:
        raise BadJson({"": "send a JSON object with Content-Type: application/json"})
    raw = request.get_data()
    try:
        body = json.loads(raw, parse_float=Decimal, parse_constant=_refuse_constant)
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise BadJson({"": "the body is not valid JSON"}) from None
    if _depth(body, MAX_DEPTH):
        raise BadJson({"": f"the body nests deeper than {MAX_DEPTH} levels"})
    if not _valid_unicode(body):
        raise BadJson({"": "the body is not valid Unicode"})
    if not isinstance(body, dict):
        raise BadJson({"": "the body must be a JSON object"})
    errors: dict[str, str] = {}
    check(body, schema(schema_ref), "", errors)
    if errors:
        raise FormValidationError(errors)
    return body


def schema(ref: str) -> dict[str, Any]:
    """A schema of the document by ``#/...`` path."""
    node: Any = document()
    for part in ref.lstrip("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return dict(node)


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | Decimal) and not isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    return True


def check(value: Any, rules: dict[str, Any], where: str, errors: dict[str, str]) -> None:
    """Check ``value`` against the subset of JSON Schema the document uses; messages go to ``errors``."""
    if "$ref" in rules:
        rules = schema(rules["$ref"])
    name = where or ""
    if value is None:
        if not rules.get("nullable"):
            errors[name] = "must not be null"
        return
    if "anyOf" in rules:
        options = []
        for option in rules["anyOf"]:
            option_errors: dict[str, str] = {}
            check(value, option, where, option_errors)
            options.append(option_errors)
        if all(options):
            errors.update(options[0] if len(options[0]) == 1 else {name: rules.get("x-message", "is incomplete")})
        return
    if "oneOf" in rules:
        outcomes: list[dict[str, str]] = []
        for option in rules["oneOf"]:
            outcomes.append({})
            check(value, option, where, outcomes[-1])
        if sum(not outcome for outcome in outcomes) != 1:
            # The closest form (fewest complaints, e.g. the declared type's) says what is wrong.
            closest = min(outcomes, key=len)
            errors.update(closest or {name: "fits more than one of the allowed forms"})
        return
    kind = rules.get("type")
    if kind and not _type_ok(value, kind):
        errors[name] = f"must be of type {kind}"
        return
    if "enum" in rules and value not in rules["enum"]:
        errors[name] = "must be one of: " + ", ".join(str(item) for item in rules["enum"])
        return
    if isinstance(value, str):
        _check_string(value, rules, name, errors)
    elif kind in ("number", "integer"):
        if "minimum" in rules and value < Decimal(str(rules["minimum"])):
            errors[name] = f"must be at least {rules['minimum']}"
        if "maximum" in rules and value > Decimal(str(rules["maximum"])):
            errors[name] = f"must be at most {rules['maximum']}"
    elif isinstance(value, list):
        if "maxItems" in rules and len(value) > rules["maxItems"]:
            errors[name] = f"must have at most {rules['maxItems']} items"
        if "minItems" in rules and len(value) < rules["minItems"]:
            errors[name] = f"must have at least {rules['minItems']} items"
        for index, item in enumerate(value):
            check(item, rules.get("items", {}), f"{name}[{index}]", errors)
    elif isinstance(value, dict):
        if "minProperties" in rules and len(value) < rules["minProperties"]:
            errors[name] = f"needs at least {rules['minProperties']} fields"
        for required in rules.get("required", []):
            if required not in value:
                errors[f"{name}.{required}" if name else required] = "is required"
        properties = rules.get("properties", {})
        if rules.get("additionalProperties") is False:
            for key in value:
                if key not in properties:
                    errors[f"{name}.{key}" if name else key] = "is not a known field"
        for key, item in value.items():
            if key in properties:
                check(item, properties[key], f"{name}.{key}" if name else key, errors)


def _check_string(value: str, rules: dict[str, Any], name: str, errors: dict[str, str]) -> None:
    if len(value) < rules.get("minLength", 0):
        errors[name] = f"must have at least {rules['minLength']} characters"
    elif "maxLength" in rules and len(value) > rules["maxLength"]:
        errors[name] = f"must have at most {rules['maxLength']} characters"
    elif "pattern" in rules and re.search(rules["pattern"], value) is None:
        errors[name] = rules.get("x-pattern-message", "has characters or a form that are not allowed")
