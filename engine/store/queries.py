"""Read queries used by services, the CLI and (later) the web UI. Task lists never deserialize workflows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from engine.store.models import (
    TASK_OPEN,
    AuditEntry,
    HumanTask,
    Incident,
    ProcessDefinition,
    ProcessInstance,
    TaskCandidate,
)


def latest_definition(session: Session, process_key: str) -> ProcessDefinition | None:
    """The newest deployed version of a process."""
    return session.scalars(
        select(ProcessDefinition)
        .where(ProcessDefinition.process_key == process_key)
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    ).first()


def latest_definitions(session: Session) -> Sequence[ProcessDefinition]:
    """The newest version of every deployed process."""
    newest = (
        select(ProcessDefinition.process_key, func.max(ProcessDefinition.version).label("version"))
        .group_by(ProcessDefinition.process_key)
        .subquery()
    )
    return session.scalars(
        select(ProcessDefinition)
        .join(
            newest,
            (ProcessDefinition.process_key == newest.c.process_key) & (ProcessDefinition.version == newest.c.version),
        )
        .order_by(ProcessDefinition.process_key)
    ).all()


def all_definitions(session: Session) -> Sequence[ProcessDefinition]:
    """Every deployed version, newest first within a process."""
    return session.scalars(
        select(ProcessDefinition).order_by(ProcessDefinition.process_key, ProcessDefinition.version.desc())
    ).all()


@dataclass(frozen=True)
class TaskFilter:
    """Task list criteria; ``user``/``groups`` select what a person may see (assigned to or claimable)."""

    user: str | None = None
    groups: tuple[str, ...] = ()
    assignee: str | None = None
    unassigned: bool = False
    status: str | None = TASK_OPEN
    instance_id: int | None = None
    limit: int = 200
    offset: int = 0
    # SLA traffic light ("green" / "amber" / "red") and order ("due" / "traffic_light"), both against ``now``.
    traffic_light: str | None = None
    order: str = "due"
    now: datetime | None = None


TRAFFIC_LIGHTS = ("red", "amber", "green")


def traffic_light_sql(due: Any, amber: Any, now: datetime) -> ColumnElement[str]:
    """'red' after the due time, 'amber' from the amber point, else 'green' (as engine.domain.sla does)."""
    return case(
        (and_(due.is_not(None), due < now), "red"),
        (and_(amber.is_not(None), amber <= now), "amber"),
        else_="green",
    )


def _light_condition(light: str, now: datetime) -> ColumnElement[bool]:
    # Plain comparisons rather than the CASE expression, so that the (status, due_at) index applies.
    due, amber = HumanTask.due_at, HumanTask.amber_at
    if light == "red":
        return due < now
    not_red = or_(due.is_(None), due >= now)
    if light == "amber":
        return and_(not_red, amber <= now)
    return and_(not_red, or_(amber.is_(None), amber > now))


def list_tasks(session: Session, criteria: TaskFilter) -> Sequence[HumanTask]:
    """Human tasks by due time (tasks without one last), then priority, then age; or red/amber/green first."""
    if criteria.traffic_light is not None and criteria.traffic_light not in TRAFFIC_LIGHTS:
        raise ValueError(f"unknown traffic light {criteria.traffic_light!r}; use one of {', '.join(TRAFFIC_LIGHTS)}")
    if criteria.order not in ("due", "traffic_light"):
        raise ValueError(f"unknown task order {criteria.order!r}; use 'due' or 'traffic_light'")
    if (criteria.traffic_light or criteria.order == "traffic_light") and criteria.now is None:
        raise ValueError("the traffic light needs now")
    query = select(HumanTask)
    if criteria.traffic_light and criteria.now is not None:
        query = query.where(_light_condition(criteria.traffic_light, criteria.now))
    if criteria.status:
        query = query.where(HumanTask.status == criteria.status)
    if criteria.instance_id is not None:
        query = query.where(HumanTask.instance_id == criteria.instance_id)
    if criteria.assignee:
        query = query.where(HumanTask.assignee == criteria.assignee)
    if criteria.unassigned:
        query = query.where(HumanTask.assignee.is_(None))
    if criteria.user or criteria.groups:
        visible = []
        if criteria.user:
            visible.append(HumanTask.assignee == criteria.user)
            visible.append(
                HumanTask.id.in_(
                    select(TaskCandidate.task_id).where(
                        TaskCandidate.kind == "user", TaskCandidate.name == criteria.user
                    )
                )
            )
        if criteria.groups:
            visible.append(
                HumanTask.id.in_(
                    select(TaskCandidate.task_id).where(
                        TaskCandidate.kind == "group", TaskCandidate.name.in_(criteria.groups)
                    )
                )
            )
        query = query.where(or_(*visible))
    if criteria.order == "traffic_light" and criteria.now is not None:
        light = traffic_light_sql(HumanTask.due_at, HumanTask.amber_at, criteria.now)
        query = query.order_by(case({"red": 0, "amber": 1}, value=light, else_=2))
    query = query.order_by(
        HumanTask.due_at.is_(None),
        HumanTask.due_at,
        HumanTask.priority.desc(),
        HumanTask.created_at,
        HumanTask.id,
    )
    return session.scalars(query.limit(criteria.limit).offset(criteria.offset)).all()


_TASK_WITH_INSTANCE = [
    selectinload(HumanTask.candidates),
    joinedload(HumanTask.instance).joinedload(ProcessInstance.definition),
]


def find_task(session: Session, task_ref: str) -> HumanTask | None:
    """A task by its id or an unambiguous prefix of at least 8 characters (handy in the shell).

    Its candidates, instance and process version come in the same query: completing a task needs them all.
    """
    task = session.get(HumanTask, task_ref, options=_TASK_WITH_INSTANCE)
    if task is not None or len(task_ref) < 8:
        return task
    matches = session.scalars(select(HumanTask).where(HumanTask.id.startswith(task_ref)).limit(2)).all()
    return matches[0] if len(matches) == 1 else None


def list_instances(
    session: Session, status: str | None = None, process_key: str | None = None, limit: int = 200
) -> Sequence[ProcessInstance]:
    """Instances, newest first."""
    query = select(ProcessInstance).join(ProcessDefinition)
    if status:
        query = query.where(ProcessInstance.status == status)
    if process_key:
        query = query.where(ProcessDefinition.process_key == process_key)
    return session.scalars(query.order_by(ProcessInstance.id.desc()).limit(limit)).all()


def open_incident(session: Session, instance_id: int) -> Incident | None:
    """The unresolved incident of an instance, if any."""
    return session.scalars(
        select(Incident)
        .where(Incident.instance_id == instance_id, Incident.resolved_at.is_(None))
        .order_by(Incident.id.desc())
    ).first()


def audit_trail(session: Session, instance_id: int) -> Sequence[AuditEntry]:
    """The audit entries of one instance, oldest first."""
    return session.scalars(
        select(AuditEntry).where(AuditEntry.instance_id == instance_id).order_by(AuditEntry.at, AuditEntry.id)
    ).all()
