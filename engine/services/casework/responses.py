"""Record the letters the register dates: acknowledgement, holding response and final response.

Called by the ``notify_customer`` action when its service task names the ``response`` it sends, and by
anything else that sends such a letter (a regulation pack's mandated letters). The first acknowledgement and
the first holding response count; the final response is the latest one, because a reopened complaint gets a
new final response. Whether it came within the legal deadline follows from ``legal_deadline_at``.
A final response settles the complaint for the returns (``settled_at``, ``settled_band``); a closure settles it
when no final response was sent; a reopening unsettles it.
Nothing here commits: it runs inside the caller's unit of work.
"""

from __future__ import annotations

from datetime import datetime

from engine.domain.classification import RESPONSE_COLUMNS, RESPONSE_FINAL, time_to_close_band, within_deadline
from engine.store.complaints import Complaint


def record_response(complaint: Complaint, kind: str, now: datetime) -> bool:
    """Set the date of response ``kind`` on ``complaint``; False when it was already set (and kept)."""
    column = RESPONSE_COLUMNS.get(kind)
    if column is None:
        raise ValueError(f"unknown response {kind!r}; expected one of {', '.join(RESPONSE_COLUMNS)}")
    if kind != RESPONSE_FINAL and getattr(complaint, column) is not None:
        return False
    setattr(complaint, column, now)
    if kind == RESPONSE_FINAL:
        settle(complaint, now)
    refresh_legal_deadline(complaint)
    complaint.updated_at = now
    return True


def settle(complaint: Complaint, now: datetime) -> None:
    """The complaint counts as closed in the returns from ``now`` (its final response, or its closure)."""
    complaint.settled_at = now
    complaint.settled_band = time_to_close_band(complaint.created_at, now)


def record_closure(complaint: Complaint, now: datetime) -> None:
    """Closed: settled now unless a final response already settled it."""
    complaint.closed_at = now
    if complaint.settled_at is None:
        settle(complaint, now)
    complaint.updated_at = now


def record_reopening(complaint: Complaint, now: datetime) -> None:
    """Reopened: open again in the register and the returns until the next final response or closure."""
    complaint.closed_at = None
    complaint.settled_at = None
    complaint.settled_band = None
    complaint.updated_at = now


def set_legal_deadline(complaint: Complaint, deadline: datetime | None) -> None:
    """Store the legal deadline (a regulation pack's clock) and re-judge a final response already sent."""
    complaint.legal_deadline_at = deadline
    refresh_legal_deadline(complaint)


def refresh_legal_deadline(complaint: Complaint) -> None:
    """``within_legal_deadline`` from the final response date and the legal deadline (None while unknown)."""
    complaint.within_legal_deadline = within_deadline(complaint.final_response_at, complaint.legal_deadline_at)
