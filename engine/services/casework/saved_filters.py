"""Saved task list filters, one list per user."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import FormValidationError, NotFound
from engine.domain.messages import msg
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.casework import SavedFilter

MAX_FILTERS = 30


def list_filters(session: Session, actor: Actor) -> Sequence[SavedFilter]:
    """The actor's filters by name."""
    return session.scalars(
        select(SavedFilter).where(SavedFilter.owner == actor.username).order_by(SavedFilter.name, SavedFilter.id)
    ).all()


@unit_of_work
def save_filter(session: Session, actor: Actor, name: str, criteria: dict[str, Any], now: datetime) -> SavedFilter:
    """Save (or replace, by name) a filter of the actor."""
    name = name.strip()
    if not name or len(name) > 100:
        raise FormValidationError({"name": msg("filter.name_required")})
    existing = session.scalars(
        select(SavedFilter).where(SavedFilter.owner == actor.username, SavedFilter.name == name)
    ).first()
    if existing is None:
        if len(list_filters(session, actor)) >= MAX_FILTERS:
            raise FormValidationError({"name": msg("filter.too_many", num=MAX_FILTERS)})
        existing = SavedFilter(owner=actor.username, name=name, created_at=now)
        session.add(existing)
    existing.criteria = {str(key): str(value) for key, value in criteria.items()}
    commit(session)
    return existing


@unit_of_work
def delete_filter(session: Session, actor: Actor, filter_id: int, now: datetime) -> None:
    """Delete one of the actor's filters."""
    item = session.get(SavedFilter, filter_id)
    if item is None or item.owner != actor.username:
        raise NotFound(msg("notfound.filter", filter_id=filter_id))
    session.delete(item)
    commit(session)
