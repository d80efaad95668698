"""The team's workload: open tasks per person (and unassigned per group) by SLA traffic light and due day.

One scan of the open tasks' assignee, due and amber times (indexed columns of ``human_task``), counted in Python:
a desk has hundreds to a few thousand open tasks, and every count of the page comes from that one scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.complaints import Complaint
from engine.store.models import TASK_OPEN, HumanTask, TaskCandidate
from engine.store.users import User

PERSON_TASK_LIMIT = 200


@dataclass
class Load:
    """Open tasks of one person (``username``) or, unassigned, of one group (``group``)."""

    username: str | None = None
    group: str | None = None
    display_name: str = ""
    open: int = 0
    overdue: int = 0
    amber: int = 0
    green: int = 0
    due_today: int = 0
    groups: list[str] = field(default_factory=list)


def _count(load: Load, due_at: datetime | None, amber_at: datetime | None, now: datetime, day_end: datetime) -> None:
    load.open += 1
    if due_at is not None and due_at < now:
        load.overdue += 1
    elif amber_at is not None and amber_at <= now:
        load.amber += 1
    else:
        load.green += 1
    if due_at is not None and now <= due_at <= day_end:
        load.due_today += 1


def workload(session: Session, now: datetime, day_end: datetime) -> tuple[list[Load], list[Load]]:
    """Per person (every active user in a group, and anyone holding a task) and unassigned per group.

    ``day_end`` is the end of today in the desk's time zone ("due today" is due between now and then).
    """
    people: dict[str, Load] = {}
    for user in session.scalars(select(User).where(User.active.is_(True)).order_by(User.username)):
        if user.groups:
            people[user.username] = Load(user.username, None, user.display_name, groups=user.group_names)
    unassigned: dict[str, Load] = {}
    open_tasks = select(HumanTask.id, HumanTask.assignee, HumanTask.due_at, HumanTask.amber_at).where(
        HumanTask.status == TASK_OPEN
    )
    free: dict[str, tuple[datetime | None, datetime | None]] = {}
    for task_id, assignee, due_at, amber_at in session.execute(open_tasks):
        if assignee:
            load = people.setdefault(assignee, Load(assignee, None, assignee))
            _count(load, due_at, amber_at, now, day_end)
        else:
            free[task_id] = (due_at, amber_at)
    if free:
        groups = select(TaskCandidate.task_id, TaskCandidate.name).where(
            TaskCandidate.kind == "group", TaskCandidate.task_id.in_(list(free))
        )
        for task_id, group in session.execute(groups):
            _count(unassigned.setdefault(group, Load(None, group, group)), *free[task_id], now, day_end)
    ranked = sorted(people.values(), key=lambda load: (-load.overdue, -load.open, load.username or ""))
    return ranked, sorted(unassigned.values(), key=lambda load: load.group or "")


def tasks_of(session: Session, username: str | None, group: str | None) -> Sequence[tuple[HumanTask, Complaint | None]]:
    """The open tasks of a person, or the unassigned ones of a group, most urgent first (at most 200)."""
    query = (
        select(HumanTask, Complaint)
        .outerjoin(Complaint, Complaint.instance_id == HumanTask.instance_id)
        .where(HumanTask.status == TASK_OPEN)
    )
    if username is not None:
        query = query.where(HumanTask.assignee == username)
    else:
        in_group = select(TaskCandidate.task_id).where(TaskCandidate.kind == "group", TaskCandidate.name == group)
        query = query.where(HumanTask.assignee.is_(None), HumanTask.id.in_(in_group))
    query = query.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at)
    return [(task, complaint) for task, complaint in session.execute(query.limit(PERSON_TASK_LIMIT))]
