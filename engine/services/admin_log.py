"""Audit entries for admin actions that change nothing in the database (a test mail): one unit of work each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import PermissionDenied
from engine.domain.messages import msg
from engine.domain.roles import ROLE_ADMIN
from engine.services.audit import record
from engine.services.unit_of_work import commit, unit_of_work


@unit_of_work
def note_admin_action(session: Session, actor: Actor, action: str, now: datetime, after: dict[str, Any]) -> None:
    """Write the audit entry of an admin action done outside the database."""
    if ROLE_ADMIN not in actor.roles:
        raise PermissionDenied(msg("denied.admins_only"))
    record(session, actor, action, now, after=after)
    commit(session)
