"""What every /engine-rest resource shares: the blueprint, JSON answers and errors the way Camunda 7 sends them.

Camunda's clients are strict about small things: the body of an answer is JSON with exactly
``Content-Type: application/json`` (no charset parameter), errors are ``{"type": ..., "message": ...}``
with Camunda's status codes (400 for a bad request, 404 for an unknown id, 403 for a missing
authorization, 500 for a lost optimistic lock), and ``204`` answers carry no body at all.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, g, request

from engine.domain.errors import (
    ComplaintflowError,
    Conflict,
    DatabaseBusy,
    DeploymentError,
    InvalidState,
    NotFound,
    PermissionDenied,
)

bp = Blueprint("engine_rest", __name__, url_prefix="/engine-rest")
JSON = "application/json"


class RestError(Exception):
    """An answer in Camunda's error format."""

    def __init__(self, status: int, message: str, kind: str = "InvalidRequestException", retry_after: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message
        self.retry_after = retry_after


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer whose Content-Type is exactly ``application/json``."""
    response = Response(json.dumps(body, ensure_ascii=False, default=str), status=status)
    response.headers["Content-Type"] = JSON
    response.headers.update(headers or {})
    return response


def no_content() -> Response:
    """``204`` without a body (complete, failure, bpmnError, unlock, extendLock, ...)."""
    response = Response(status=204)
    response.headers.pop("Content-Type", None)
    return response


def error_response(error: RestError) -> Response:
    body: dict[str, Any] = {"type": error.kind, "message": error.message, "code": 0}
    headers = {"WWW-Authenticate": 'Basic realm="complaintflow"'} if error.status == 401 else {}
    if error.status == 503:
        headers["Retry-After"] = "5"
    if error.retry_after:
        headers["Retry-After"] = str(error.retry_after)
    return json_response(body, error.status, headers)


def from_engine_error(error: ComplaintflowError) -> RestError:
    """The Camunda answer for an engine error."""
    if isinstance(error, NotFound):
        return RestError(404, str(error))
    if isinstance(error, PermissionDenied):
        return RestError(403, str(error), "AuthorizationException")
    if isinstance(error, Conflict):
        return RestError(500, str(error), "OptimisticLockingException")
    if isinstance(error, DatabaseBusy):
        return RestError(503, str(error), "RestException")
    if isinstance(error, DeploymentError):
        return RestError(400, str(error), "ParseException")
    if isinstance(error, InvalidState):
        return RestError(400, str(error))
    return RestError(400, str(error))


def json_body() -> dict[str, Any]:
    """The request's JSON object; unknown fields are the caller's business (Camunda accepts them too)."""
    if not request.get_data():
        return {}
    try:
        # Parsed already when the request was checked against the document (contract.check_request).
        body = g.rest_body if "rest_body" in g else json.loads(request.get_data())
    except ValueError as error:
        raise RestError(400, f"Cannot parse the request body as JSON: {error}") from None
    except RecursionError:
        raise RestError(400, "Cannot parse the request body as JSON: nested too deeply") from None
    if not isinstance(body, dict):
        raise RestError(400, "The request body must be a JSON object")
    return body


INT32 = 2**31 - 1
MAX_MILLIS = 10 * 365 * 24 * 3600 * 1000  # durations in ms (Camunda: long); beyond ten years a date overflows
INTEGER_TEXT = re.compile(r"[+-]?[0-9]{1,19}")


def integer(
    value: Any, name: str, default: int | None = None, *, minimum: int | None = None, maximum: int = INT32
) -> int | None:
    """A numeric parameter, from JSON or a query string; a wrong one is a 400 naming it.

    Only ASCII digits count (``'²'.isdigit()`` is true), and the value must fit Camunda's Integer unless
    told otherwise: the database's columns and Python's dates have limits too.
    """
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not isinstance(value, int | str) or not INTEGER_TEXT.fullmatch(str(value).strip()):
        raise RestError(400, f"Cannot set parameter '{name}' to value '{value}': a whole number expected")
    number = int(value)
    if minimum is not None and number < minimum:
        raise RestError(400, f"{name} must be at least {minimum}")
    if number > maximum:
        raise RestError(400, f"{name} must be at most {maximum}")
    return number


def row_id(text: str | None) -> int | None:
    """The integer key in an id from a request (ASCII digits within the key column's range), else None."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if number <= INT32 else None


def flag(value: Any, name: str = "parameter") -> bool:
    """A boolean parameter: JSON true/false or the query string ``true``/``false``; anything else is a 400."""
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return False
    text = str(value).strip().lower() if isinstance(value, str) else ""
    if text not in ("true", "false"):
        raise RestError(400, f"Cannot set {name} to value '{value}': true or false expected")
    return text == "true"


def tenants_requested(params: Any) -> bool:
    """``tenantIdIn`` names tenants: complaintflow has none (a deployment with a tenant id is refused),
    so such a query matches nothing, as it would in Camunda for tenants nothing belongs to.
    ``withoutTenantId`` matches everything for the same reason."""
    wanted = params.get("tenantIdIn")
    if isinstance(wanted, str):
        return any(part.strip() for part in wanted.split(","))
    return isinstance(wanted, list) and any(isinstance(item, str) and item for item in wanted)


def page(items: list[Any]) -> list[Any]:
    """``firstResult``/``maxResults`` of a list query string (nothing when it asks for tenants)."""
    if tenants_requested(request.args):
        return []
    first = integer(request.args.get("firstResult"), "firstResult", 0, minimum=0) or 0
    limit = integer(request.args.get("maxResults"), "maxResults", None, minimum=0)
    return items[first:] if limit is None else items[first : first + limit]
