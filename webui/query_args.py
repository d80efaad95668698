"""Reading typed values from a request's query string; a malformed value is the client's error (400)."""

from __future__ import annotations

from datetime import date

from flask import abort, request


def day_arg(name: str) -> date | None:
    """The ISO date in query argument ``name``, None when it is absent or empty; 400 when malformed."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400)
