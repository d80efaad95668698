"""Who may see which case: least privilege for the people working on complaints.

Team leads, managers and admins see every case. Anyone else sees a complaint only while they have a
reason to: a task of its process offered to them or their groups (or one they worked on), a hand-over to
one of their departments, or a subtask given to them. Designers see no customer data at all.
"""

from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.domain.actors import Actor
from engine.domain.roles import CASE_SUPERVISING_ROLES
from engine.store.casework import Handover, Subtask
from engine.store.complaints import Complaint
from engine.store.models import HumanTask, TaskCandidate


def supervises_cases(actor: Actor) -> bool:
    """Team leads, managers and admins may read every case."""
    return bool(actor.roles & CASE_SUPERVISING_ROLES)


def _task_reasons(actor: Actor) -> list[ColumnElement[bool]]:
    offered = select(TaskCandidate.task_id).where(
        or_(
            (TaskCandidate.kind == "user") & (TaskCandidate.name == actor.username),
            (TaskCandidate.kind == "group") & TaskCandidate.name.in_(sorted(actor.groups) or [""]),
        )
    )
    return [
        HumanTask.assignee == actor.username,
        HumanTask.completed_by == actor.username,
        HumanTask.id.in_(offered),
    ]


def may_view_task(session: Session, actor: Actor, task: HumanTask) -> bool:
    """The task is the actor's, offered to them or their groups, was done by them, or they supervise."""
    if supervises_cases(actor):
        return True
    if actor.username in (task.assignee, task.completed_by) or actor.username in task.candidate_users:
        return True
    return bool(actor.groups & set(task.candidate_groups))


def may_view_complaint(session: Session, actor: Actor, complaint: Complaint) -> bool:
    """Whether the actor has a reason to see this complaint (see the module doc)."""
    if supervises_cases(actor):
        return True
    if complaint.instance_id is not None:
        task_reason = exists().where(HumanTask.instance_id == complaint.instance_id, or_(*_task_reasons(actor)))
        if session.scalar(select(task_reason)):
            return True
    handover_reason = exists().where(
        Handover.complaint_id == complaint.id,
        or_(Handover.group_name.in_(sorted(actor.groups) or [""]), Handover.created_by == actor.username),
    )
    subtask_reason = exists().where(
        Subtask.complaint_id == complaint.id,
        or_(Subtask.assignee == actor.username, Subtask.created_by == actor.username),
    )
    return bool(session.scalar(select(or_(handover_reason, subtask_reason))))
