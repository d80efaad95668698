"""Correlating a message Camunda-style: by business key, instance id or variable values, to one or all.

``engine.services.instances.lifecycle.deliver_message`` delivers by business key to every waiting instance; Camunda's
``POST /message`` also narrows by instance id and by ``correlationKeys`` (variables that must have the given
values) and refuses to pick one of several instances unless ``all`` is set.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actions.runner import run_actions
from engine.domain.actors import Actor
from engine.domain.errors import InvalidState, NotFound
from engine.domain.messages import msg
from engine.services.audit import changed_values, record
from engine.services.instances.lifecycle import get_instance, load_run
from engine.services.instances.persistence import jsonable_data, save_run
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.models import INSTANCE_SUSPENDED, HeldMessage, MessageSubscription


@unit_of_work
def correlate(
    session: Session,
    actor: Actor,
    message_name: str,
    now: datetime,
    *,
    business_key: str | None = None,
    instance_id: int | None = None,
    correlation_values: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
    to_all: bool = False,
) -> list[int]:
    """Deliver to the waiting instances that match; the ids, in one commit with their audit entries."""
    query = select(MessageSubscription).where(MessageSubscription.message_name == message_name)
    if business_key is not None:
        query = query.where(MessageSubscription.correlation_key == business_key)
    if instance_id is not None:
        query = query.where(MessageSubscription.instance_id == instance_id)
    rows = list(session.scalars(query))
    candidates = sorted({row.instance_id for row in rows})
    # With a key, only the subscriptions under that key get the message (each instance of a multi-instance
    # sub-process waits for the same message under its own key); without one, every waiting event does.
    keyed: dict[int, set[str]] = {}
    for row in rows:
        keyed.setdefault(row.instance_id, set()).add(row.task_id)
    wanted = correlation_values or {}
    matching = [
        candidate
        for candidate in candidates
        if all((get_instance(session, candidate).variables or {}).get(k) == v for k, v in wanted.items())
    ]
    if not matching:
        raise NotFound(msg("correlation.no_match", message_name=message_name))
    if len(matching) > 1 and not to_all:
        raise InvalidState(msg("correlation.several", message_name=message_name, num=len(matching)))
    values = jsonable_data(payload or {})
    for target in matching:
        instance = get_instance(session, target)
        if instance.status == INSTANCE_SUSPENDED:
            session.add(HeldMessage(instance_id=target, message_name=message_name, payload=values,
                                    received_at=now, received_by=actor.username))  # fmt: skip
            record(session, actor, "message_held", now, instance_id=target, message=message_name)
            continue
        run = load_run(session, instance, now)
        before = run.variables()
        run.send_message(message_name, payload or {}, keyed[target] if business_key is not None else None)
        run_actions(session, instance, run, actor, now)
        snapshot = save_run(session, instance, run, actor, now)
        old, new = changed_values(jsonable_data(before), jsonable_data(snapshot.data))
        record(session, actor, "message_received", now, instance_id=target, before=old, after=new,
               message=message_name)  # fmt: skip
    commit(session)
    return matching
