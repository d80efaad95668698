"""Starting instances, delivering messages to them and retrying them after an incident."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actions.runner import run_actions
from engine.domain.actors import Actor
from engine.domain.errors import ComplaintflowError, InvalidState, NotFound, PermissionDenied
from engine.domain.messages import msg
from engine.domain.roles import RETRY_ROLES
from engine.runtime.workflow import WorkflowRun
from engine.services.audit import changed_values, record
from engine.services.designer.deployment import definition_for_start, parsed_definition
from engine.services.instances.called_versions import DeployedVersions
from engine.services.instances.persistence import jsonable_data, save_run
from engine.services.instances.run_cache import take_run
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.models import (
    INSTANCE_INCIDENT,
    INSTANCE_SUSPENDED,
    HeldMessage,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
)


def _check_data(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ComplaintflowError(msg("instance.data_not_object"))
    try:
        json.dumps(data)
    except (TypeError, ValueError) as error:
        raise ComplaintflowError(msg("instance.data_not_json", error=error)) from None
    return data


def load_run(session: Session, instance: ProcessInstance, now: datetime) -> WorkflowRun:
    """Restore an instance's workflow with the cached specs of the version it is pinned to.

    The run this process saved last for exactly this row version and state is reused instead of being
    deserialized again (engine.services.instances.run_cache); the caller owns it until it saves and commits.
    """
    definition = parsed_definition(instance.definition)
    run = take_run(instance, definition)
    if run is not None:
        run.resume_at(now, DeployedVersions(session))
        return run
    return WorkflowRun.restore(definition, instance.state, now, DeployedVersions(session))


def get_instance(session: Session, instance_id: int) -> ProcessInstance:
    """An instance by id, or NotFound."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(msg("notfound.instance", instance_id=instance_id))
    return instance


def new_instance(
    session: Session, actor: Actor, definition: ProcessDefinition, business_key: str | None, now: datetime
) -> ProcessInstance:
    """A new instance row of ``definition``, flushed so that it has an id; ``save_run`` fills in its state."""
    instance = ProcessInstance(
        definition=definition,
        business_key=business_key,
        status="running",
        state=b"",
        serializer_version="",
        variables={},
        started_at=now,
        started_by=actor.username,
        updated_at=now,
    )
    session.add(instance)
    session.flush()
    return instance


@unit_of_work
def start_instance(
    session: Session,
    actor: Actor,
    process_key: str,
    data: dict[str, Any],
    now: datetime,
    *,
    business_key: str | None = None,
    version: int | None = None,
) -> ProcessInstance:
    """Start the latest (or given) version with the complaint's data and run it until it waits."""
    data = _check_data(data)
    definition = definition_for_start(session, process_key, version)
    run = WorkflowRun.start(parsed_definition(definition), data, now, DeployedVersions(session))
    key = business_key or (str(data["complaint_id"]) if data.get("complaint_id") is not None else None)
    instance = new_instance(session, actor, definition, key, now)
    record(
        session,
        actor,
        "instance_started",
        now,
        instance_id=instance.id,
        after={"process_key": process_key, "version": definition.version, "data": jsonable_data(data)},
    )
    run_actions(session, instance, run, actor, now)
    save_run(session, instance, run, actor, now)
    commit(session)
    return instance


@unit_of_work
def deliver_message(
    session: Session,
    actor: Actor,
    message_name: str,
    correlation_key: str,
    payload: dict[str, Any],
    now: datetime,
) -> list[int]:
    """Deliver a named message to every instance waiting for it under this business key (e.g. complaint id)."""
    payload = _check_data(payload)
    subscribed: dict[int, set[str]] = {}
    for instance_key, task_id in session.execute(
        select(MessageSubscription.instance_id, MessageSubscription.task_id).where(
            MessageSubscription.message_name == message_name,
            MessageSubscription.correlation_key == correlation_key,
        )
    ):
        subscribed.setdefault(instance_key, set()).add(task_id)
    instance_ids = sorted(subscribed)
    if not instance_ids:
        raise NotFound(msg("notfound.waiting_for_message", message_name=message_name, correlation_key=correlation_key))
    for instance_id in instance_ids:
        instance = get_instance(session, instance_id)
        if instance.status == INSTANCE_SUSPENDED:
            # Kept, not lost: engine.services.instances.control.resume_instance delivers it.
            session.add(
                HeldMessage(
                    instance_id=instance_id,
                    message_name=message_name,
                    payload=jsonable_data(payload),
                    received_at=now,
                    received_by=actor.username,
                )
            )
            record(session, actor, "message_held", now, instance_id=instance_id, message=message_name)
            continue
        run = load_run(session, instance, now)
        before = run.variables()
        run.send_message(message_name, payload, subscribed[instance_id])
        run_actions(session, instance, run, actor, now)
        snapshot = save_run(session, instance, run, actor, now)
        old, new = changed_values(jsonable_data(before), jsonable_data(snapshot.data))
        record(
            session,
            actor,
            "message_received",
            now,
            instance_id=instance_id,
            before=old,
            after=new,
            message=message_name,
        )
    commit(session)
    return instance_ids


@unit_of_work
def retry_instance(
    session: Session, actor: Actor, instance_id: int, now: datetime, data: dict[str, Any] | None = None
) -> ProcessInstance:
    """Run the failed step of an instance again, after setting ``data`` on it (e.g. a corrected value)."""
    if not actor.roles & RETRY_ROLES:
        raise PermissionDenied(msg("denied.retry_instances"))
    instance = get_instance(session, instance_id)
    if instance.status != INSTANCE_INCIDENT:
        raise InvalidState(msg("instance.no_incident", id=instance_id, status=instance.status))
    run = load_run(session, instance, now)
    before = run.variables()
    run.retry(_check_data(data) if data else None)
    run_actions(session, instance, run, actor, now)
    snapshot = save_run(session, instance, run, actor, now)
    old, new = changed_values(jsonable_data(before), jsonable_data(snapshot.data))
    record(
        session,
        actor,
        "instance_retried",
        now,
        instance_id=instance_id,
        before=old,
        after=new,
        message=snapshot.incident.message if snapshot.incident else None,
    )
    commit(session)
    return instance
