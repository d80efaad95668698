"""Every look at the complaint register or a return is a permission check plus an audit entry, committed before
the data is read: the register holds personal data, and the rules ask who saw it (docs/regulation.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import PermissionDenied
from engine.domain.messages import msg
from engine.domain.roles import REGISTER_ROLES
from engine.services.audit import record
from engine.services.unit_of_work import commit, unit_of_work

# What was read -> audit action.
ACCESS_ACTIONS = {
    "register": "register_viewed",
    "register_export": "register_exported",
    "return": "return_viewed",
    "return_export": "return_exported",
}


def may_read_register(actor: Actor) -> bool:
    """Managers and admins read the register and the returns (engine.domain.roles.REGISTER_ROLES)."""
    return bool(actor.roles & REGISTER_ROLES)


@unit_of_work
def record_access(session: Session, actor: Actor, what: str, now: datetime, details: dict[str, Any]) -> None:
    """Refuse a reader without the role; otherwise audit what they read (``details``: filter, format, period)."""
    if not may_read_register(actor):
        raise PermissionDenied(msg("denied.register_returns"))
    record(session, actor, ACCESS_ACTIONS[what], now, after=details)
    commit(session)
