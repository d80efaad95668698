"""Removing deployed versions (Camunda's ``DELETE /deployment/{id}``), only while no instance ever ran on them.

An instance keeps its version for its whole life and its history afterwards, so a version with instances (running
or finished) stays; Camunda's ``cascade`` (deleting the instances too) is not offered. Designers and admins only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import InvalidState, NotFound, PermissionDenied
from engine.domain.roles import DEPLOY_ROLES
from engine.services.audit import record
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.models import ProcessDefinition, ProcessInstance


@unit_of_work
def delete_versions(session: Session, actor: Actor, definition_ids: Sequence[int], now: datetime) -> None:
    """Delete the versions (with their stored files) in one commit; refused if any has instances."""
    if not actor.roles & DEPLOY_ROLES:
        raise PermissionDenied(f"user {actor.username!r} may not delete deployments (needs the designer role)")
    rows = [session.get(ProcessDefinition, definition_id) for definition_id in definition_ids]
    found = [row for row in rows if row is not None]
    if not found:
        raise NotFound("the deployment does not exist")
    used = session.scalar(
        select(func.count()).select_from(ProcessInstance).where(ProcessInstance.definition_id.in_(definition_ids))
    )
    if used:
        raise InvalidState(
            f"the deployment has {used} process instance(s); they keep their version, so it cannot be deleted"
        )
    for row in found:
        record(session, actor, "process_version_deleted", now, before={"process_key": row.process_key,
                                                                       "version": row.version})  # fmt: skip
        session.delete(row)
    commit(session)
