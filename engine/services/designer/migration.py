"""Instance migration: move running instances of a process from one version to another.

A dry run (:func:`plan_migration`) lists every instance with whether it can move and why not. Moving
(:func:`migrate_instance`) is one unit of work per instance: state, version, task rows and an audit
entry change together or not at all. :func:`migrate_instances` moves many, one transaction each, and
reports progress after each instance so the CLI and the web UI can show count, rate and remaining.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actions.runner import run_actions
from engine.domain.actors import Actor
from engine.domain.errors import ComplaintflowError, InvalidState, PermissionDenied
from engine.domain.messages import msg
from engine.domain.roles import DEPLOY_ROLES
from engine.runtime.migration import check_migration, migrate_run
from engine.runtime.model import IncidentInfo, ReadyHumanTask
from engine.services.audit import record
from engine.services.designer.deployment import definition_for_start, parsed_definition
from engine.services.instances.lifecycle import get_instance, load_run
from engine.services.instances.persistence import save_run
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.models import (
    INSTANCE_CANCELLED,
    INSTANCE_COMPLETED,
    INSTANCE_INCIDENT,
    INSTANCE_SUSPENDED,
    TASK_OPEN,
    HumanTask,
    ProcessDefinition,
    ProcessInstance,
)
from engine.store.queries import open_incident


@dataclass(frozen=True)
class InstanceMigration:
    """One instance in a migration: where it is, whether it can move, and why not."""

    instance_id: int
    business_key: str | None
    from_version: int
    to_version: int
    can_move: bool
    reasons: tuple[str, ...]
    active_elements: tuple[str, ...]


@dataclass
class MigrationProgress:
    """Counts while a bulk migration runs; ``rate`` is instances per second."""

    total: int
    done: int = 0
    moved: int = 0
    failed: dict[int, str] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    @property
    def remaining(self) -> int:
        return self.total - self.done

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0


def _check_actor(actor: Actor) -> None:
    if not actor.roles & DEPLOY_ROLES:
        raise PermissionDenied(msg("denied.migrate"))


def _candidates(
    session: Session,
    process_key: str,
    target: ProcessDefinition,
    from_version: int | None,
    instance_ids: Sequence[int] | None,
) -> list[ProcessInstance]:
    query = (
        select(ProcessInstance)
        .join(ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id)
        .where(
            ProcessDefinition.process_key == process_key,
            ProcessInstance.status.not_in((INSTANCE_COMPLETED, INSTANCE_CANCELLED)),
            ProcessDefinition.id != target.id,
        )
        .order_by(ProcessInstance.id)
    )
    if from_version is not None:
        query = query.where(ProcessDefinition.version == from_version)
    if instance_ids:
        query = query.where(ProcessInstance.id.in_(list(instance_ids)))
    return list(session.scalars(query))


def _plan_one(
    session: Session, instance: ProcessInstance, target: ProcessDefinition, now: datetime
) -> InstanceMigration:
    try:
        run = load_run(session, instance, now)
        check = check_migration(run, parsed_definition(instance.definition), parsed_definition(target))
        can_move, reasons, active = check.can_move, check.reasons, check.active_elements
    except ComplaintflowError as error:
        can_move, reasons, active = False, (str(error),), ()
    return InstanceMigration(
        instance.id, instance.business_key, instance.definition.version, target.version, can_move, reasons, active
    )


def plan_migration(
    session: Session,
    process_key: str,
    now: datetime,
    *,
    to_version: int | None = None,
    from_version: int | None = None,
    instance_ids: Sequence[int] | None = None,
) -> list[InstanceMigration]:
    """Dry run: every unfinished instance of the process not yet on the target version (default: latest)."""
    target = definition_for_start(session, process_key, to_version)
    return [
        _plan_one(session, instance, target, now)
        for instance in _candidates(session, process_key, target, from_version, instance_ids)
    ]


@unit_of_work
def migrate_instance(
    session: Session, actor: Actor, instance_id: int, now: datetime, *, to_version: int | None = None
) -> InstanceMigration:
    """Move one instance to ``to_version`` (default: latest) in one transaction, audited."""
    _check_actor(actor)
    instance = get_instance(session, instance_id)
    target = definition_for_start(session, instance.definition.process_key, to_version)
    old_definition = instance.definition
    if old_definition.id == target.id:
        raise InvalidState(msg("migration.already_on_version", instance_id=instance_id, version=target.version))
    if instance.status in (INSTANCE_COMPLETED, INSTANCE_CANCELLED):
        raise InvalidState(msg("migration.instance_status", instance_id=instance_id, status=instance.status))
    if instance.status == INSTANCE_SUSPENDED:
        # Saving the moved run would recompute its status and make its held timers pending: resume first.
        raise InvalidState(msg("migration.suspended", instance_id=instance_id))
    run = load_run(session, instance, now)
    moved = migrate_run(run, parsed_definition(old_definition), parsed_definition(target))
    incident = open_incident(session, instance.id) if instance.status == INSTANCE_INCIDENT else None
    if incident is not None:
        # The failed step stays failed on the new version; a retry runs it with the new definition.
        moved.incident = IncidentInfo(incident.element_id, incident.element_name, incident.message)
    instance.definition = target
    run_actions(session, instance, moved, actor, now)
    snapshot = save_run(session, instance, moved, actor, now)
    _refresh_open_tasks(session, snapshot.human_tasks)
    record(
        session,
        actor,
        "instance_migrated",
        now,
        instance_id=instance.id,
        before={"process_key": old_definition.process_key, "version": old_definition.version},
        after={"process_key": target.process_key, "version": target.version},
    )
    commit(session)
    return InstanceMigration(
        instance.id,
        instance.business_key,
        old_definition.version,
        target.version,
        True,
        (),
        tuple(sorted({task.element_id for task in snapshot.human_tasks})),
    )


def _refresh_open_tasks(session: Session, ready: Sequence[ReadyHumanTask]) -> None:
    """Open task rows keep their id and assignee but show the new version's title, lane and form."""
    for task in ready:
        row = session.get(HumanTask, task.task_id)
        if row is None or row.status != TASK_OPEN:
            continue
        row.title = task.title
        row.documentation = task.documentation
        row.lane = task.lane
        row.form = [form_field.to_dict() for form_field in task.form]


def migrate_instances(
    session: Session,
    actor: Actor,
    process_key: str,
    now: datetime,
    *,
    to_version: int | None = None,
    from_version: int | None = None,
    instance_ids: Sequence[int] | None = None,
    progress: Callable[[MigrationProgress], None] | None = None,
) -> MigrationProgress:
    """Move every movable instance, each in its own transaction; failures are collected, not raised."""
    _check_actor(actor)
    plans = plan_migration(
        session, process_key, now, to_version=to_version, from_version=from_version, instance_ids=instance_ids
    )
    counts = MigrationProgress(total=len(plans))
    for plan in plans:
        if not plan.can_move:
            counts.failed[plan.instance_id] = "; ".join(plan.reasons)
        else:
            try:
                migrate_instance(session, actor, plan.instance_id, now, to_version=plan.to_version)
                counts.moved += 1
            except ComplaintflowError as error:
                counts.failed[plan.instance_id] = str(error)
        counts.done += 1
        if progress is not None:
            progress(counts)
    return counts
