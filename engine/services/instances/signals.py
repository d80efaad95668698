"""Broadcasting a signal (Camunda's ``POST /signal``) to every running instance that waits for it.

Signals have no subscription rows: the instances of process versions that declare signal events are
loaded and the ones waiting for this signal receive it, all in one unit of work with an audit entry each.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actions.runner import run_actions
from engine.domain.actors import Actor
from engine.runtime.signals import has_signal_events, send_signal, waits_for_signal
from engine.services.audit import changed_values, record
from engine.services.instances.lifecycle import load_run
from engine.services.instances.persistence import jsonable_data, save_run
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.models import INSTANCE_INCIDENT, INSTANCE_RUNNING, INSTANCE_WAITING, ProcessInstance


@unit_of_work
def broadcast_signal(
    session: Session, actor: Actor, name: str, now: datetime, payload: dict[str, Any] | None = None
) -> list[int]:
    """Deliver the signal to every instance waiting for it; returns their ids (none is not an error)."""
    active = (INSTANCE_RUNNING, INSTANCE_WAITING, INSTANCE_INCIDENT)
    skip_definitions: set[int] = set()
    delivered = []
    for instance in session.scalars(select(ProcessInstance).where(ProcessInstance.status.in_(active))):
        if instance.definition_id in skip_definitions:
            continue
        run = load_run(session, instance, now)
        if not has_signal_events(run):
            if not run.workflow.bound_versions():  # a called version another instance runs may have some
                skip_definitions.add(instance.definition_id)
            continue
        if not waits_for_signal(run, name):
            continue
        before = run.variables()
        send_signal(run, name, payload or {})
        run_actions(session, instance, run, actor, now)
        snapshot = save_run(session, instance, run, actor, now)
        old, new = changed_values(jsonable_data(before), jsonable_data(snapshot.data))
        record(session, actor, "signal_received", now, instance_id=instance.id, before=old, after=new, message=name)
        delivered.append(instance.id)
    commit(session)
    return delivered
