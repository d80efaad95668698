"""A database that restarts or cannot be reached answers "please try again" (HTTP 503), never a 500.

Writes retry inside their unit of work (engine.services.unit_of_work), which also settles a commit whose
connection broke. What is left are the reads outside any unit of work: the page's own queries, the signed-in
user, the lists. A GET or HEAD only reads, so its view runs again on a new connection, with backoff, for the
session's retry window (a PostgreSQL restart takes a few seconds). Any request whose database stays
unreachable, or a POST whose reads failed before its unit of work began, gets the busy answer of
webui.security: JSON with ``Retry-After`` on the APIs, else the page that sends everything typed again.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, g, request
from sqlalchemy.exc import DBAPIError

from engine.domain.errors import DatabaseBusy
from engine.services.unit_of_work import BUSY_MESSAGE, is_disconnect, is_lock_failure
from engine.store.database import DEFAULT_WRITE_RETRY_SECONDS, WRITE_RETRY_SECONDS
from webui.security import busy_response

_FIRST_PAUSE, _LONGEST_PAUSE = 0.1, 1.0


def _unavailable(error: DBAPIError) -> bool:
    return is_disconnect(error) or is_lock_failure(error)


def _rollback() -> None:
    """Give the request's session back its connection (a broken one is discarded by the pool)."""
    session = g.get("db_session")
    if session is not None:
        try:
            session.rollback()
        except DBAPIError:
            session.close()


def _retry_window() -> float:
    session = g.get("db_session")
    info = session.info if session is not None else {}
    return float(info.get(WRITE_RETRY_SECONDS, DEFAULT_WRITE_RETRY_SECONDS))


def retrying_reads(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run a GET/HEAD view again while its database connection is lost; other methods run once."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.method not in ("GET", "HEAD"):
            return view(*args, **kwargs)
        deadline: float | None = None
        attempt = 0
        while True:
            try:
                return view(*args, **kwargs)
            except DBAPIError as error:
                deadline = deadline or time.monotonic() + _retry_window()
                remaining = deadline - time.monotonic()
                if not _unavailable(error) or remaining <= 0:
                    raise
                _rollback()
                pause = min(_LONGEST_PAUSE, _FIRST_PAUSE * 2**attempt) * random.uniform(0.5, 1.0)  # noqa: S311
                time.sleep(min(pause, remaining))
                attempt += 1

    return wrapper


def init_app(app: Flask) -> None:
    """Call after every blueprint is registered: the views are wrapped as they are then."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":
            app.view_functions[endpoint] = retrying_reads(view)

    @app.errorhandler(DBAPIError)
    def database_unavailable(error: DBAPIError) -> Any:
        if not _unavailable(error):
            raise error  # a real fault: the 500 handler answers and the log keeps the traceback
        _rollback()
        return busy_response(DatabaseBusy(BUSY_MESSAGE))
