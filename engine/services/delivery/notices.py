"""Staff notifications: who a recipient is, each user's in-app list and their e-mail preferences per event."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import FormValidationError
from engine.domain.messages import msg
from engine.domain.notification_events import STAFF_EVENTS
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.channels import InAppNotification, NotificationPreference
from engine.store.users import Group, User

GROUP_PREFIX = "group:"


def is_address(recipient: str) -> bool:
    """An e-mail address (a customer or an outside party) rather than a user name or a group."""
    return "@" in recipient and not recipient.startswith(GROUP_PREFIX)


def resolve_users(session: Session, recipient: str) -> list[User]:
    """The active users behind ``username`` or ``group:<name>``; empty when nobody matches."""
    if recipient.startswith(GROUP_PREFIX):
        name = recipient[len(GROUP_PREFIX) :]
        group = session.scalars(select(Group).where(Group.name == name)).first()
        return sorted((user for user in group.members if user.active), key=lambda u: u.username) if group else []
    user = session.scalars(select(User).where(User.username == recipient, User.active.is_(True))).first()
    return [user] if user else []


def email_wanted(session: Session, username: str, topic: str, default: bool) -> bool:
    """The user's choice for this event, else ``default`` (what the process author chose: e-mail or in-app)."""
    choice = session.scalars(
        select(NotificationPreference.email).where(
            NotificationPreference.username == username, NotificationPreference.topic == topic
        )
    ).first()
    return default if choice is None else bool(choice)


def list_notifications(
    session: Session, actor: Actor, *, unread_only: bool = False, limit: int = 50
) -> list[InAppNotification]:
    """The acting user's notifications, newest first."""
    query = select(InAppNotification).where(InAppNotification.username == actor.username)
    if unread_only:
        query = query.where(InAppNotification.read_at.is_(None))
    query = query.order_by(InAppNotification.created_at.desc(), InAppNotification.id.desc()).limit(limit)
    return list(session.scalars(query))


def unread_count(session: Session, actor: Actor) -> int:
    """How many notifications the acting user has not read yet."""
    query = select(func.count()).where(
        InAppNotification.username == actor.username, InAppNotification.read_at.is_(None)
    )
    return int(session.scalar(query) or 0)


@unit_of_work
def mark_read(session: Session, actor: Actor, notification_ids: list[int] | None, now: datetime) -> int:
    """Mark the given (or all) of the acting user's notifications read; others' ids are silently ignored."""
    query = update(InAppNotification).where(
        InAppNotification.username == actor.username, InAppNotification.read_at.is_(None)
    )
    if notification_ids is not None:
        query = query.where(InAppNotification.id.in_(notification_ids))
    result = session.execute(query.values(read_at=now).execution_options(synchronize_session=False))
    commit(session)
    return int(result.rowcount)  # type: ignore[attr-defined]


def preferences(session: Session, actor: Actor) -> dict[str, bool]:
    """E-mail on/off per staff event for the acting user (on unless they switched it off)."""
    rows = session.scalars(select(NotificationPreference).where(NotificationPreference.username == actor.username))
    chosen = {row.topic: row.email for row in rows}
    return {topic: chosen.get(topic, True) for topic in STAFF_EVENTS}


@unit_of_work
def set_preferences(session: Session, actor: Actor, choices: Mapping[str, bool], now: datetime) -> dict[str, bool]:
    """Store the acting user's e-mail choices; unknown events are refused with a field message."""
    unknown = [topic for topic in choices if topic not in STAFF_EVENTS]
    if unknown:
        raise FormValidationError({topic: msg("field.not_notification_event") for topic in unknown})
    rows = {
        row.topic: row
        for row in session.scalars(
            select(NotificationPreference).where(NotificationPreference.username == actor.username)
        )
    }
    for topic, email in choices.items():
        row = rows.get(topic)
        if row is None:
            session.add(NotificationPreference(username=actor.username, topic=topic, email=bool(email), updated_at=now))
        else:
            row.email = bool(email)
            row.updated_at = now
    commit(session)
    return preferences(session, actor)
