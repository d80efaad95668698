"""Who calls /engine-rest: HTTP Basic with a complaintflow user, or ``Bearer`` with an API token.

Camunda's clients send Basic credentials on every request. Checking a password costs an argon2 hash and a
sign-in row each time, which would dwarf the work of a worker's fetch or complete; a successful check is
therefore remembered in this process for a minute, under a hash of the credentials (never the password).
Failures are not remembered: every one counts towards the sign-in throttling.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import math
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request

from engine.domain.actors import Actor
from engine.domain.errors import PermissionDenied
from engine.services.users import api_tokens
from engine.services.users.accounts import SignInRefused, actor_for, authenticate
from webui.db import db, now
from webui.engine_rest.common import RestError, error_response, from_engine_error
from webui.engine_rest.contract import check_request

REMEMBER_SECONDS = 60.0
_REMEMBERED: dict[str, tuple[Actor, float]] = {}
_LOCK = threading.Lock()
F = TypeVar("F", bound=Callable[..., Any])


def _basic(credentials: str) -> Actor:
    key = hashlib.sha256(credentials.encode("utf-8")).hexdigest()
    with _LOCK:
        remembered = _REMEMBERED.get(key)
    if remembered is not None and remembered[1] > time.monotonic():
        return remembered[0]
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise RestError(
            401, "the Authorization header is not valid Basic credentials", "AuthenticationException"
        ) from None
    username, _, password = decoded.partition(":")
    try:
        user = authenticate(db(), username, password, request.remote_addr or "", now())
    except SignInRefused as refused:
        # Like Camunda 7 during its login delay: 401 (its clients know no 429), with the wait in Retry-After.
        wait = max(1, math.ceil(refused.retry_after.total_seconds())) if refused.throttled else 0
        raise RestError(401, str(refused), "AuthenticationException", retry_after=wait) from None
    actor = actor_for(user)
    with _LOCK:
        if len(_REMEMBERED) > 10_000:
            _REMEMBERED.clear()
        _REMEMBERED[key] = (actor, time.monotonic() + REMEMBER_SECONDS)
    return actor


def current_actor() -> Actor:
    """The caller, authenticated once per request."""
    if "rest_actor" in g:
        actor: Actor = g.rest_actor
        return actor
    scheme, _, value = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() == "basic" and value.strip():
        actor = _basic(value.strip())
    elif scheme.lower() == "bearer" and value.strip():
        try:
            found = api_tokens.authenticate(db(), value.strip(), now())  # the engine API needs scope "full"
        except PermissionDenied as error:
            raise RestError(403, str(error), "AuthorizationException") from None
        if found is None:
            raise RestError(401, "the API token is unknown or revoked", "AuthenticationException")
        actor = found
    else:
        raise RestError(
            401, "sign in with a complaintflow user (Basic) or an API token (Bearer)", "AuthenticationException"
        )
    g.rest_actor = actor
    return actor


def rest_call(view: F) -> F:
    """Authenticate the caller, then run the view; engine and request errors become Camunda's error answers."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from engine.domain.errors import ComplaintflowError

        try:
            current_actor()
            check_request()
            return view(*args, **kwargs)
        except RestError as error:
            return error_response(error)
        except ComplaintflowError as error:
            return error_response(from_engine_error(error))

    return wrapper  # type: ignore[return-value]
