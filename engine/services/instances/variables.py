"""Changing an instance's variables from outside (Camunda's ``/process-instance/{id}/variables``).

The values land on every active branch of the instance (Camunda's process scope), so what an operator
or an integration sets is what the next gateway and the next task see. Audited with the values before
and after; operators (admins, team leads, managers, designers) and workers may do it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.actions.runner import run_actions
from engine.domain.actors import Actor
from engine.domain.errors import InvalidState, PermissionDenied
from engine.domain.external_work import may_read_external_tasks
from engine.domain.messages import msg
from engine.services.audit import changed_values, record
from engine.services.instances.lifecycle import get_instance, load_run
from engine.services.instances.persistence import jsonable_data, save_run
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.models import INSTANCE_CANCELLED, INSTANCE_COMPLETED, ProcessInstance


@unit_of_work
def modify_variables(
    session: Session,
    actor: Actor,
    instance_id: int,
    now: datetime,
    *,
    values: dict[str, Any] | None = None,
    deletions: Sequence[str] = (),
) -> ProcessInstance:
    """Set ``values`` and remove ``deletions`` on the running instance; one commit with its audit entry."""
    if not may_read_external_tasks(actor):
        raise PermissionDenied(msg("denied.change_variables", user=actor.username))
    instance = get_instance(session, instance_id)
    if instance.status in (INSTANCE_COMPLETED, INSTANCE_CANCELLED):
        raise InvalidState(msg("instance.ended", instance_id=instance_id))
    run = load_run(session, instance, now)
    before = run.variables()
    run.change_variables(values or {}, list(deletions))
    run_actions(session, instance, run, actor, now)
    snapshot = save_run(session, instance, run, actor, now)
    old, new = changed_values(jsonable_data(before), jsonable_data(snapshot.data))
    record(session, actor, "variables_changed", now, instance_id=instance_id, before=old, after=new)
    commit(session)
    return instance
