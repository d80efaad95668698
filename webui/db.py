"""One SQLAlchemy session per request: opened on first use, closed when the request ends.

Routes pass it to services, which commit; nothing here commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy.orm import Session


def db() -> Session:
    """The request's session."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["complaintflow"].sessions()
    session: Session = g.db_session
    return session


def now() -> datetime:
    """The clock of this app (injectable in tests), read once per request so a page is consistent."""
    if "now" not in g:
        g.now = current_app.config["CLOCK"]()
    moment: datetime = g.now
    return moment


def init_app(app: Flask) -> None:
    """Close the request's session after every request, also after errors."""

    @app.teardown_appcontext
    def close_session(_error: Any) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()
