"""Addresses people get in mails: the customer's private status page and the staff pages of the web UI.

The portal blueprint serves exactly these paths; keep them in step with ``webui/portal.py``.
"""

from __future__ import annotations

from urllib.parse import quote

from engine.domain.status_links import status_token

PORTAL_PREFIX = "/portal"


def status_path(secret: str, reference: str) -> str:
    """Path of a complaint's private status page."""
    return f"{PORTAL_PREFIX}/status/{quote(reference, safe='')}/{status_token(secret, reference)}"


def status_link(public_url: str, secret: str, reference: str) -> str:
    """Absolute private status link for the customer."""
    return public_url.rstrip("/") + status_path(secret, reference)


def rating_link(public_url: str, secret: str, reference: str) -> str:
    """Absolute link to the rating form (CSAT/NPS) of a resolved complaint."""
    return status_link(public_url, secret, reference) + "/rate"


def case_link(public_url: str, reference: str) -> str:
    """Staff page of a complaint."""
    return f"{public_url.rstrip('/')}/cases/{quote(reference, safe='')}"


def task_link(public_url: str, task_id: str) -> str:
    """Staff page of a task."""
    return f"{public_url.rstrip('/')}/task/{quote(task_id, safe='')}"


def inbox_link(public_url: str, handover_id: object | None) -> str:
    """A department's inbox (the hand-over itself when its id is known)."""
    base = f"{public_url.rstrip('/')}/inbox/"
    return f"{base}{int(str(handover_id))}" if str(handover_id or "").isdigit() else base
