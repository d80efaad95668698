"""Which case or task a request may see: the one lookup every case and task view starts with.

A missing case or task and one the user has no reason to see both answer 404, so nobody learns which
references exist. The case page, the task page and the attachment download share these.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from engine.services.casework.access import may_view_complaint, may_view_task
from engine.store.complaints import Complaint
from engine.store.models import HumanTask
from webui.auth import actor
from webui.db import db


def visible_complaint(reference: str) -> Complaint:
    """The case, or 404 for a missing case and for one the user has no reason to see."""
    session = db()
    complaint = session.scalars(select(Complaint).where(Complaint.reference == reference)).first()
    if complaint is None or not may_view_complaint(session, actor(), complaint):
        abort(404)
    return complaint


def visible_task(task_id: str) -> HumanTask:
    """The task, or 404 for a missing task and for one the user has no reason to see (no difference shown)."""
    session = db()
    task = session.get(HumanTask, task_id)
    if task is None or not may_view_task(session, actor(), task):
        abort(404)
    return task
