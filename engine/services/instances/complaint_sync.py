"""Copy what the process decided (classification, outcome, feedback) onto the complaint row, and the
complaint's filterable columns onto its open task rows.

Runs inside ``save_run`` after every step, so lists and reports see a complaint's category or priority
as soon as the DMN table has set it. Only known variable names are copied, each checked for its type.
The task list filters on copies held by ``human_task`` (one index walk instead of a join over every
complaint ever): :func:`sync_task_copies` refreshes them for an instance's open tasks, and code that changes
a complaint or customer outside a workflow step calls :func:`sync_complaint_tasks` or :func:`sync_customer_tasks`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.classification import PRODUCT_GROUPS, valid_currency
from engine.store.complaints import COMPLAINT_STATUSES, PRIORITIES, Complaint, Customer, complaint_of_instance
from engine.store.models import TASK_OPEN, HumanTask, ProcessInstance


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
    "product_group": ("product_group", _text, PRODUCT_GROUPS),
    "resolution_currency": ("resolution_currency", valid_currency, None),
    "csat": ("csat", _integer, None),
    "nps": ("nps", _integer, None),
    "feedback_comment": ("feedback_comment", _text, None),
}


def complaint_fields_changed(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """True when a variable mirrored on the complaint row changed (skips a query on most steps)."""
    return any(before.get(name) != after.get(name) for name in VARIABLE_COLUMNS)


def sync_complaint(session: Session, instance: ProcessInstance, variables: dict[str, Any], now: datetime) -> None:
    """Update the complaint that belongs to ``instance`` from the process variables."""
    complaint = complaint_of_instance(session, instance.id)
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


def task_copies(complaint: Complaint | None) -> dict[str, str | None]:
    """The values a task row of ``complaint`` carries for the task list (all None without a complaint)."""
    if complaint is None:
        return dict.fromkeys(("category", "channel", "complaint_priority", "customer_name"))
    return {
        "category": complaint.category,
        "channel": complaint.channel,
        "complaint_priority": complaint.priority,
        "customer_name": complaint.customer.name if complaint.customer is not None else None,
    }


def _apply(rows: Iterable[HumanTask], values: dict[str, str | None]) -> None:
    for row in rows:
        for column, value in values.items():
            # Only real changes: an unchanged attribute set again would still be written.
            if getattr(row, column) != value:
                setattr(row, column, value)


def sync_task_copies(session: Session, instance: ProcessInstance, rows: Iterable[HumanTask]) -> None:
    """Refresh the copied complaint columns on ``rows``, the open tasks of ``instance`` after a step."""
    rows = [row for row in rows if row.status == TASK_OPEN]
    if not rows:
        return
    complaint = complaint_of_instance(session, instance.id)
    _apply(rows, task_copies(complaint))


def _open_tasks(session: Session, instance_ids: list[int]) -> list[HumanTask]:
    query = select(HumanTask).where(HumanTask.instance_id.in_(instance_ids), HumanTask.status == TASK_OPEN)
    return [row for row in session.scalars(query) if row.status == TASK_OPEN]


def sync_complaint_tasks(session: Session, complaint: Complaint) -> None:
    """After ``complaint`` was changed outside a workflow step: its open tasks follow."""
    if complaint.instance_id is not None:
        _apply(_open_tasks(session, [complaint.instance_id]), task_copies(complaint))


def sync_customer_tasks(session: Session, customer: Customer) -> None:
    """After ``customer`` was renamed (or pseudonymised): the open tasks of their complaints follow."""
    linked = select(Complaint.instance_id).where(Complaint.customer_id == customer.id)
    instance_ids = [instance_id for instance_id in session.scalars(linked) if instance_id is not None]
    for start in range(0, len(instance_ids), 500):
        _apply(_open_tasks(session, instance_ids[start : start + 500]), {"customer_name": customer.name})
