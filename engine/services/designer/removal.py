"""Removing deployed versions (Camunda's ``DELETE /deployment/{id}``), only while no instance ever ran on them.

An instance keeps its version for its whole life and its history afterwards, so a version with instances (running
or finished) stays, also when it ran as a called process; Camunda's ``cascade`` (deleting the instances too) is not
offered. Designers and admins only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import InvalidState, NotFound, PermissionDenied
from engine.domain.messages import msg
from engine.domain.roles import DEPLOY_ROLES
from engine.runtime.serialization import decode_state
from engine.services.audit import record
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.models import DefinitionResource, ProcessDefinition, ProcessInstance


@unit_of_work
def delete_versions(session: Session, actor: Actor, definition_ids: Sequence[int], now: datetime) -> None:
    """Delete the versions (with their stored files) in one commit; refused if any has instances."""
    if not actor.roles & DEPLOY_ROLES:
        raise PermissionDenied(msg("denied.delete_deployments", user=actor.username))
    rows = [session.get(ProcessDefinition, definition_id) for definition_id in definition_ids]
    found = [row for row in rows if row is not None]
    if not found:
        raise NotFound(msg("notfound.deployment"))
    used = session.scalar(
        select(func.count()).select_from(ProcessInstance).where(ProcessInstance.definition_id.in_(definition_ids))
    )
    if used:
        raise InvalidState(msg("removal.has_instances", num=used))
    _refuse_called_versions_in_use(session, found)
    for row in found:
        record(session, actor, "process_version_deleted", now, before={"process_key": row.process_key,
                                                                       "version": row.version})  # fmt: skip
        session.delete(row)
    commit(session)


def _refuse_called_versions_in_use(session: Session, rows: Sequence[ProcessDefinition]) -> None:
    """A called version an instance ran or runs in stays: its state names it (engine.runtime.calls).

    Only instances of versions whose files mention the called process can have called it; their stored
    states are read (deleting a version is rare, and the states are the only record of the binding).
    """
    for row in rows:
        key = f"{row.process_key}:{row.version}"
        callers = (
            select(DefinitionResource.definition_id)
            .where(DefinitionResource.kind == "bpmn", DefinitionResource.content.contains(f'"{row.process_key}"'))
            .where(DefinitionResource.definition_id != row.id)
        )
        states = session.scalars(select(ProcessInstance.state).where(ProcessInstance.definition_id.in_(callers)))
        for state in states:
            if state and key in decode_state(state).get("called_versions", {}).values():
                raise InvalidState(msg("removal.called_instances", version=row.version, process_key=row.process_key))
