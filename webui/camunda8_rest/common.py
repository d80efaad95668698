"""What every ``/v2`` resource shares: the blueprint, JSON answers, keys and Camunda 8's problem details.

Camunda 8's Orchestration Cluster API answers errors as RFC 9457 problem details
(``{"type", "title", "status", "detail", "instance"}``, ``Content-Type: application/problem+json``) and
writes every key as a string of digits. Callers authenticate exactly as at /engine-rest (HTTP Basic with a
complaintflow user or a Bearer API token, webui.engine_rest.auth); the engine's services check permissions
and write the audit entries.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Response, request

from engine.domain.errors import (
    ComplaintflowError,
    Conflict,
    DatabaseBusy,
    InvalidState,
    NotFound,
    PermissionDenied,
)
from webui.engine_rest.auth import current_actor
from webui.engine_rest.common import INT32, INTEGER_TEXT, RestError

bp = Blueprint("camunda8_rest", __name__, url_prefix="/v2")
F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_TENANT = "<default>"  # Camunda 8's tenant id when multi-tenancy is off
_TITLES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "INVALID_STATE",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "RESOURCE_EXHAUSTED",
}


def json_response(body: Any, status: int = 200) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False, default=str), status=status)
    response.headers["Content-Type"] = "application/json"
    return response


def no_content() -> Response:
    response = Response(status=204)
    response.headers.pop("Content-Type", None)
    return response


def problem(status: int, detail: str) -> Response:
    """An error as Camunda 8 sends it."""
    body = {
        "type": "about:blank",
        "title": _TITLES.get(status, "INVALID_ARGUMENT"),
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    response = json_response(body, status)
    response.headers["Content-Type"] = "application/problem+json"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="complaintflow"'
    if status == 503:
        response.headers["Retry-After"] = "5"
    return response


def _engine_status(error: ComplaintflowError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, Conflict | InvalidState):
        return 409
    if isinstance(error, DatabaseBusy):
        return 503
    return 400


def v2_call(view: F) -> F:
    """Authenticate the caller, then run the view; request and engine errors become problem details."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            current_actor()
            refuse_nul()
            return view(*args, **kwargs)
        except RestError as error:
            return problem(error.status, error.message)
        except ComplaintflowError as error:
            return problem(_engine_status(error), str(error))

    return wrapper  # type: ignore[return-value]


def json_body() -> dict[str, Any]:
    """The request's JSON object."""
    if not request.get_data():
        return {}
    try:
        body = json.loads(request.get_data())
    except ValueError as error:
        raise RestError(400, f"the request body is not JSON: {error}") from None
    except RecursionError:
        raise RestError(400, "the request body is nested too deeply") from None
    if not isinstance(body, dict):
        raise RestError(400, "the request body must be a JSON object")
    return body


def variables_in(body: dict[str, Any], name: str = "variables") -> dict[str, Any]:
    """A JSON object of variables (Camunda 8 sends plain JSON values, no type wrappers)."""
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RestError(400, f"{name} must be a JSON object")
    return value


def variables_out(values: Any) -> Any:
    """Stored variables as plain JSON: a date kept as ``{"$date": iso}`` becomes its ISO text."""
    if isinstance(values, dict):
        if set(values) == {"$date"}:
            return values["$date"]
        return {str(key): variables_out(item) for key, item in values.items()}
    if isinstance(values, list):
        return [variables_out(item) for item in values]
    return values


def number(
    body: dict[str, Any],
    name: str,
    default: int | None = None,
    *,
    required: bool = False,
    minimum: int = -INT32 - 1,
    maximum: int = INT32,
) -> int | None:
    """An integer field (Camunda 8's int32 unless told otherwise); missing and required, not an integer or
    out of range is a 400 naming it. Only ASCII digits count (``'²'.isdigit()`` is true)."""
    value = body.get(name)
    if value is None:
        if required:
            raise RestError(400, f"No {name} provided.")
        return default
    if isinstance(value, bool) or not isinstance(value, int | str) or not INTEGER_TEXT.fullmatch(str(value).strip()):
        raise RestError(400, f"{name} must be an integer")
    result = int(value)
    if not minimum <= result <= maximum:
        raise RestError(400, f"{name} must be between {minimum} and {maximum}")
    return result


def key(text: str, what: str) -> int:
    """A key from the path (digits, as Camunda 8 writes them); anything else names no such thing (404)."""
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        raise RestError(404, f"{what} with key '{text}' not found")
    return int(text)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(name) or _has_nul(item) for name, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def refuse_nul() -> None:
    """PostgreSQL can neither store nor compare a NUL character: a key with one names nothing (404), a
    query or body with one is a bad request (400), on every database alike."""
    if any(_has_nul(value) for value in (request.view_args or {}).values()):
        raise RestError(404, "no resource has a key with a NUL character")
    if any(_has_nul(name) or _has_nul(value) for name, value in request.args.items(multi=True)):
        raise RestError(400, "query parameters must not contain a NUL character")
    if request.is_json and request.get_data() and _has_nul(json_body()):
        raise RestError(400, "the request body must not contain a NUL character")
