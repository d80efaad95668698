"""Admin use cases for business calendars: save a version, delete, import the settings file, recompute.

Saving adds a version; clocks started on an older version keep it (their deadlines do not move). The admin
may then recompute the running deadlines on the new version: :func:`recompute_deadlines` with
``dry_run=True`` only counts them, without it it moves the complaint's due times and those of its open
tasks that were due at the old resolution time. Each change writes an audit entry.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.calendars import DEFAULT_CALENDAR, REVISION_MARK, pinned_key
from engine.domain.errors import FormValidationError, NotFound
from engine.domain.messages import msg
from engine.domain.tasks import amber_at
from engine.services.audit import record
from engine.services.sla.business_calendars import (
    CalendarData,
    build_calendar,
    current_versions,
    data_from_calendar,
    data_from_row,
    require_admin,
    sync_registry,
    version_key,
)
from engine.services.sla.calendar_config import load_calendar_file
from engine.services.sla.clock import SlaError, compute_times
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.calendars import BusinessCalendarVersion
from engine.store.complaints import Complaint
from engine.store.models import TASK_OPEN, HumanTask


def _next_revision(session: Session, name: str) -> int:
    revisions = session.scalars(select(BusinessCalendarVersion.revision).where(BusinessCalendarVersion.name == name))
    return max(revisions, default=0) + 1


def _add_version(
    session: Session, actor: Actor, data: CalendarData, now: datetime, deleted: bool
) -> BusinessCalendarVersion:
    row = BusinessCalendarVersion(
        name=data.name,
        revision=_next_revision(session, data.name),
        team=(data.team or "").strip() or None,
        timezone=data.timezone,
        week=[spec.strip() for spec in data.week],
        country=(data.country or "").strip().upper() or None,
        subdivision=(data.subdivision or "").strip().upper() or None,
        closing_days=sorted({day.strip() for day in data.closing_days if day.strip()}),
        always_open=data.always_open,
        deleted=deleted,
        created_by=actor.username,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


@unit_of_work
def save_calendar(session: Session, actor: Actor, data: CalendarData, now: datetime) -> BusinessCalendarVersion:
    """Store a new version of the named calendar; new deadlines use it from now on."""
    require_admin(actor)
    build_calendar(data)
    before = current_versions(session).get(data.name)
    row = _add_version(session, actor, data, now, deleted=False)
    record(
        session,
        actor,
        "calendar_saved",
        now,
        before=None if before is None else {"revision": before.revision, **asdict(data_from_row(before))},
        after={"revision": row.revision, **asdict(data)},
    )
    commit(session)
    sync_registry(session)
    return row


@unit_of_work
def delete_calendar(session: Session, actor: Actor, name: str, now: datetime) -> None:
    """Retire a stored calendar; clocks pinned to one of its versions keep computing with it."""
    require_admin(actor)
    current = current_versions(session).get(name)
    if current is None:
        raise NotFound(msg("notfound.calendar", name=name))
    _add_version(session, actor, data_from_row(current), now, deleted=True)
    record(session, actor, "calendar_deleted", now, before={"name": name, "revision": current.revision})
    commit(session)
    sync_registry(session)


@dataclass(frozen=True)
class Recompute:
    """What a recompute found (``dry_run``) or did: complaints and open tasks with a new deadline."""

    complaints: int
    tasks: int
    dry_run: bool


def _stale_clocks(session: Session, name: str, current_key: str) -> list[Complaint]:
    on_name = [Complaint.sla_calendar == name, Complaint.sla_calendar.like(f"{name}{REVISION_MARK}%")]
    if name == DEFAULT_CALENDAR:
        on_name.append(Complaint.sla_calendar.is_(None))  # a clock without a calendar runs on the default
    query = select(Complaint).where(
        Complaint.resolved_at.is_(None),
        Complaint.resolution_target.is_not(None),
        or_(*on_name),
        or_(Complaint.sla_calendar.is_(None), Complaint.sla_calendar != current_key),
    )
    return list(session.scalars(query.order_by(Complaint.id)))


def _open_tasks_due(session: Session, complaint: Complaint) -> list[HumanTask]:
    """Open tasks of the complaint due at one of its clock's deadlines (``camunda:dueDate`` from the SLA)."""
    deadlines = [due for due in (complaint.first_response_due_at, complaint.resolution_due_at) if due is not None]
    if complaint.instance_id is None or not deadlines:
        return []
    query = select(HumanTask).where(
        HumanTask.instance_id == complaint.instance_id,
        HumanTask.status == TASK_OPEN,
        HumanTask.due_at.in_(deadlines),
    )
    return list(session.scalars(query))


@unit_of_work
def recompute_deadlines(session: Session, actor: Actor, name: str, now: datetime, *, dry_run: bool) -> Recompute:
    """Move the running deadlines of open complaints still on an older version of ``name`` to the current one."""
    require_admin(actor)
    sync_registry(session)
    current = current_versions(session).get(name)
    if current is None:
        raise NotFound(msg("notfound.calendar", name=name))
    key = version_key(current)
    complaints = _stale_clocks(session, name, key)
    tasks = 0
    changed = []
    for complaint in complaints:
        held = _open_tasks_due(session, complaint)
        tasks += len(held)
        if dry_run:
            continue
        old_calendar, old_first, old_due = (
            complaint.sla_calendar,
            complaint.first_response_due_at,
            complaint.resolution_due_at,
        )
        complaint.sla_calendar = key
        try:
            times = compute_times(complaint, now)
        except SlaError:
            complaint.sla_calendar = old_calendar
            continue
        complaint.first_response_due_at = times.first_response_due_at
        complaint.resolution_due_at = times.resolution_due_at
        complaint.resolution_amber_at = times.reminder_at
        complaint.updated_at = now
        moved = {old_due: times.resolution_due_at, old_first: times.first_response_due_at}
        for task in held:
            task.due_at = moved.get(task.due_at, task.due_at)
            task.amber_at = amber_at(task.created_at, task.due_at)
        before = {"calendar": old_calendar, "resolution_due_at": old_due.isoformat() if old_due else None}
        changed.append(complaint.reference)
        record(
            session,
            actor,
            "sla_deadlines_recomputed",
            now,
            instance_id=complaint.instance_id,
            before=before,
            after={"calendar": key, "resolution_due_at": times.resolution_due_at.isoformat(), "tasks": len(held)},
        )
    if dry_run:
        session.rollback()
        return Recompute(len(complaints), tasks, True)
    record(session, actor, "calendar_recomputed", now, after={"calendar": key, "complaints": changed, "tasks": tasks})
    commit(session)
    return Recompute(len(changed), tasks, False)


@unit_of_work
def import_calendars(session: Session, actor: Actor, path: Path, now: datetime) -> list[str]:
    """Store every calendar of a settings file (JSON/TOML) as a new version; returns the names."""
    require_admin(actor)
    try:
        calendars = load_calendar_file(path)
    except ValueError as error:
        raise FormValidationError({"file": str(error)}) from None
    names = []
    for name, calendar in sorted(calendars.items()):
        data = data_from_calendar(name, calendar)
        build_calendar(data)
        _add_version(session, actor, data, now, deleted=False)
        names.append(name)
    record(session, actor, "calendars_imported", now, after={"file": str(path), "calendars": names})
    commit(session)
    sync_registry(session)
    return names


def pinned_for_new_clock(session: Session, name: str | None) -> str | None:
    """The key a clock started now keeps (``name@revision`` for a stored calendar)."""
    sync_registry(session)
    return pinned_key(name)
