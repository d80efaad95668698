"""Process monitoring read queries for the manager cockpit: versions, instance lists and one instance's state.

All answers come from the materialised rows (instances, human tasks, timers, incidents, complaints), so a
list never deserialises workflow state; only the diagram of a single instance does (in designer_export.api).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, false, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.store.complaints import Complaint, Customer
from engine.store.models import (
    INSTANCE_STATUSES,
    TASK_OPEN,
    TIMER_PENDING,
    HumanTask,
    PendingTimerRow,
    ProcessDefinition,
    ProcessInstance,
)


@dataclass(frozen=True)
class VersionCounts:
    """One deployed process version with how many of its instances are in each status."""

    definition: ProcessDefinition
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def version_counts(session: Session) -> list[VersionCounts]:
    """Every process version (by key, newest version first) with running/waiting/completed/incident counts."""
    grouped = session.execute(
        select(ProcessInstance.definition_id, ProcessInstance.status, func.count()).group_by(
            ProcessInstance.definition_id, ProcessInstance.status
        )
    ).all()
    per_definition: dict[int, dict[str, int]] = {}
    for definition_id, status, count in grouped:
        per_definition.setdefault(definition_id, {})[status] = int(count)
    definitions = session.scalars(
        select(ProcessDefinition).order_by(ProcessDefinition.process_key, ProcessDefinition.version.desc())
    ).all()
    return [
        VersionCounts(d, {status: 0 for status in INSTANCE_STATUSES} | per_definition.get(d.id, {}))
        for d in definitions
    ]


@dataclass(frozen=True)
class InstanceFilter:
    """Instance list criteria; ``overdue`` and ``older_than_days`` need ``now``.

    ``search`` matches a complaint number or business key exactly, or part of the customer's name;
    ``activity`` is the element id of an open human task (where the instance waits for a person).
    """

    process_key: str | None = None
    version: int | None = None
    status: str | None = None
    overdue: bool = False
    search: str | None = None
    activity: str | None = None
    older_than_days: int | None = None
    now: datetime | None = None
    limit: int = 200


@dataclass(frozen=True)
class InstanceRow:
    """A line of the instance list."""

    instance: ProcessInstance
    definition: ProcessDefinition
    complaint_reference: str | None
    overdue: bool


def _overdue_sql(now: datetime) -> ColumnElement[bool]:
    """An open task of the instance is past its due time, or its complaint is unresolved past the SLA."""
    late_task = exists().where(
        HumanTask.instance_id == ProcessInstance.id, HumanTask.status == TASK_OPEN, HumanTask.due_at < now
    )
    late_complaint = and_(Complaint.resolved_at.is_(None), Complaint.resolution_due_at < now)
    return or_(late_task, late_complaint)


def list_instances(session: Session, criteria: InstanceFilter) -> list[InstanceRow]:
    """Instances matching the criteria, newest first, with their complaint number and overdue flag."""
    if (criteria.overdue or criteria.older_than_days is not None) and criteria.now is None:
        raise ValueError("the overdue and age filters need now")
    overdue = _overdue_sql(criteria.now) if criteria.now is not None else false()
    query = (
        select(ProcessInstance, ProcessDefinition, Complaint.reference, overdue)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .outerjoin(Complaint, Complaint.instance_id == ProcessInstance.id)
        .outerjoin(Customer, Customer.id == Complaint.customer_id)
    )
    if criteria.process_key:
        query = query.where(ProcessDefinition.process_key == criteria.process_key)
    if criteria.version is not None:
        query = query.where(ProcessDefinition.version == criteria.version)
    if criteria.status:
        query = query.where(ProcessInstance.status == criteria.status)
    if criteria.overdue:
        query = query.where(overdue)
    if criteria.search:
        term = criteria.search.strip()
        name = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                Complaint.reference == term,
                ProcessInstance.business_key == term,
                Customer.name.ilike(name, escape="\\"),
            )
        )
    if criteria.activity:
        query = query.where(
            exists().where(
                HumanTask.instance_id == ProcessInstance.id,
                HumanTask.status == TASK_OPEN,
                HumanTask.element_id == criteria.activity,
            )
        )
    if criteria.older_than_days is not None and criteria.now is not None:
        query = query.where(ProcessInstance.started_at < criteria.now - timedelta(days=criteria.older_than_days))
    rows = session.execute(query.order_by(ProcessInstance.id.desc()).limit(criteria.limit)).all()
    return [InstanceRow(instance, definition, reference, bool(late)) for instance, definition, reference, late in rows]


@dataclass
class InstanceDetail:
    """What the instance view shows besides the diagram and the audit trail."""

    instance: ProcessInstance
    complaint: Complaint | None
    open_tasks: Sequence[HumanTask] = field(default_factory=list)
    timers: Sequence[PendingTimerRow] = field(default_factory=list)


def instance_detail(session: Session, instance_id: int) -> InstanceDetail | None:
    """The instance with its complaint, open human tasks and pending timers (by due time); None if unknown."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        return None
    return InstanceDetail(
        instance,
        session.scalars(select(Complaint).where(Complaint.instance_id == instance_id)).first(),
        session.scalars(
            select(HumanTask)
            .where(HumanTask.instance_id == instance_id, HumanTask.status == TASK_OPEN)
            .order_by(HumanTask.created_at)
        ).all(),
        session.scalars(
            select(PendingTimerRow)
            .where(PendingTimerRow.instance_id == instance_id, PendingTimerRow.status == TIMER_PENDING)
            .order_by(PendingTimerRow.due_at)
        ).all(),
    )


def open_activities(session: Session) -> list[tuple[str, str]]:
    """(element id, task name) where some instance waits for a person (the activity filter's choices)."""
    rows = session.execute(
        select(HumanTask.element_id, HumanTask.title).where(HumanTask.status == TASK_OPEN).distinct()
    ).all()
    names: dict[str, str] = {}
    for element, title in rows:
        names.setdefault(str(element), str(title or element))
    return sorted(names.items(), key=lambda pair: (pair[1].lower(), pair[0]))
