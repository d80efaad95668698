"""Copy what the process decided (classification, outcome, feedback) onto the complaint row.

Runs inside ``save_run`` after every step, so lists and reports see a complaint's category or priority
as soon as the DMN table has set it. Only known variable names are copied, each checked for its type.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.complaints import COMPLAINT_STATUSES, PRIORITIES, Complaint
from engine.store.models import ProcessInstance


def _text(value: Any) -> str | None:
    return str(value)[:300] if value not in (None, "") else None


def _integer(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") and not isinstance(value, bool) else None
    except InvalidOperation:
        return None


# process variable -> (complaint column, converter, allowed values or None)
VARIABLE_COLUMNS: dict[str, tuple[str, Any, tuple[str, ...] | None]] = {
    "category": ("category", _text, None),
    "priority": ("priority", _text, PRIORITIES),
    "handling_level": ("handling_level", _integer, None),
    "responsible_group": ("responsible_group", _text, None),
    "complaint_status": ("status", _text, COMPLAINT_STATUSES),
    "outcome": ("outcome", _text, None),
    "resolution_type": ("resolution_type", _text, None),
    "resolution_amount": ("resolution_amount", _decimal, None),
    "root_cause": ("root_cause", _text, None),
    "csat": ("csat", _integer, None),
    "nps": ("nps", _integer, None),
    "feedback_comment": ("feedback_comment", _text, None),
}


def complaint_fields_changed(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """True when a variable mirrored on the complaint row changed (skips a query on most steps)."""
    return any(before.get(name) != after.get(name) for name in VARIABLE_COLUMNS)


def sync_complaint(session: Session, instance: ProcessInstance, variables: dict[str, Any], now: datetime) -> None:
    """Update the complaint that belongs to ``instance`` from the process variables."""
    complaint = session.scalars(select(Complaint).where(Complaint.instance_id == instance.id)).first()
    if complaint is None:
        return
    changed = False
    for variable, (column, convert, allowed) in VARIABLE_COLUMNS.items():
        if variable not in variables:
            continue
        value = convert(variables[variable])
        if value is None or (allowed is not None and value not in allowed):
            continue
        if getattr(complaint, column) != value:
            setattr(complaint, column, value)
            changed = True
    if changed:
        complaint.updated_at = now
