"""Outbox delivery bookkeeping for the dispatcher: claiming rows, the delivery log, retries and in-app entries.

The dispatcher in ``notifications/`` does the sending; every state change it needs goes through these
functions, each one short unit of work. They touch only outbox, delivery and notification rows, never a
workflow, so a failed send cannot roll back or block a process.

Claiming is a conditional update on ``(id, status, attempts)``: of two dispatchers that saw the same row,
exactly one moves ``attempts`` on, and the claim also pushes ``next_attempt_at`` one lease ahead so nobody
else picks the row up while it is being sent. A dispatcher that dies mid-send leaves the row to be claimed
again after the lease; targets already logged as delivered are skipped, so only the one send in flight
at the crash can repeat, and it carries the same idempotency key (Message-ID, webhook delivery id).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from engine.domain.notification_channels import CHANNEL_IN_APP, CHANNEL_WEBHOOK
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.channels import DeliveryAttempt, InAppNotification, WebhookEndpoint
from engine.store.complaints import Complaint
from engine.store.outbox import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENT, OutboxMessage

WEBHOOK_RECIPIENT_PREFIX = "webhook:"


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: ``base`` doubled per failed attempt up to ``cap``; give up after ``max_attempts``."""

    base: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=6)
    max_attempts: int = 10
    lease: timedelta = timedelta(minutes=10)

    def delay(self, attempts: int) -> timedelta:
        """Wait before the next try after ``attempts`` failed ones (1 -> base, 2 -> 2*base, ...)."""
        exponent = max(attempts - 1, 0)
        # Cap the exponent first: 2**60 minutes would overflow timedelta long before the cap applies.
        return min(self.base * (2 ** min(exponent, 30)), self.cap)


def idempotency_key(message: OutboxMessage) -> str:
    """Stable per outbox row: the same on every retry, different for every row."""
    return f"cf-{message.id}-{int(message.created_at.timestamp())}"


def due_message_ids(session: Session, now: datetime, limit: int = 100) -> list[int]:
    """Pending rows whose time has come, oldest first."""
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OUTBOX_PENDING,
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    return list(session.scalars(query))


# Mail topics that are a webhook event under another name: the shipped process acknowledges a complaint with its
# own mail template, which subscribers know as "complaint_received" (the intake's receipt when no process sends one).
WEBHOOK_EVENT_OF_TOPIC = {"complaint_acknowledgement": "complaint_received"}


def webhook_event_name(topic: str) -> str:
    return WEBHOOK_EVENT_OF_TOPIC.get(topic, topic)


def _webhook_event(session: Session, message: OutboxMessage) -> dict[str, Any]:
    complaint = session.get(Complaint, message.complaint_id) if message.complaint_id else None
    variables = message.payload.get("variables") if isinstance(message.payload, dict) else None
    event: dict[str, Any] = {
        "event": webhook_event_name(message.topic),
        "occurred_at": message.created_at.isoformat(),
        "instance_id": message.instance_id,
        "complaint": None,
        "data": {key: value for key, value in (variables or {}).items() if isinstance(value, str | int | float | bool)},
    }
    if complaint is None and isinstance(variables, dict) and isinstance(variables.get("complaint_id"), str):
        complaint = session.scalars(select(Complaint).where(Complaint.reference == variables["complaint_id"])).first()
    if complaint is not None:
        event["complaint"] = {
            "reference": complaint.reference,
            "status": complaint.status,
            "priority": complaint.priority,
            "category": complaint.category,
            "channel": complaint.channel,
        }
    return event


def _fan_out_webhooks(session: Session, message: OutboxMessage, now: datetime) -> None:
    endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True)))
    event: dict[str, Any] | None = None
    name = webhook_event_name(message.topic)
    for endpoint in endpoints:
        if "*" not in endpoint.events and name not in endpoint.events:
            continue
        event = event or _webhook_event(session, message)
        session.add(
            OutboxMessage(
                created_at=now,
                kind=CHANNEL_WEBHOOK,
                topic=name,
                recipient=f"{WEBHOOK_RECIPIENT_PREFIX}{endpoint.id}",
                payload={"event": event, "source_outbox_id": message.id},
                complaint_id=message.complaint_id,
                instance_id=message.instance_id,
                status=OUTBOX_PENDING,
                attempts=0,
                next_attempt_at=now,
            )
        )


@unit_of_work
def claim_message(session: Session, message_id: int, now: datetime, policy: RetryPolicy) -> OutboxMessage | None:
    """Take a due row for sending, or None when another dispatcher has it (or it is no longer due).

    The first claim of an event also queues one webhook row per endpoint subscribed to its topic, in the
    same transaction, so each endpoint hears of each event exactly once.
    """
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None or message.status != OUTBOX_PENDING:
        return None
    seen = message.attempts
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OUTBOX_PENDING,
            OutboxMessage.attempts == seen,
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        )
        .values(attempts=seen + 1, next_attempt_at=now + policy.lease)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return None
    if seen == 0 and message.kind != CHANNEL_WEBHOOK:
        _fan_out_webhooks(session, message, now)
    commit(session)
    session.refresh(message)
    return message


def delivered_targets(session: Session, outbox_id: int) -> set[tuple[str, str]]:
    """(channel, target) pairs already delivered for this row: skipped on a retry."""
    rows = session.execute(
        select(DeliveryAttempt.channel, DeliveryAttempt.target).where(
            DeliveryAttempt.outbox_id == outbox_id, DeliveryAttempt.success.is_(True)
        )
    )
    return {(channel, target) for channel, target in rows}


def _log(
    session: Session,
    outbox_id: int,
    channel: str,
    target: str,
    success: bool,
    now: datetime,
    *,
    status_code: int | None = None,
    error: str | None = None,
    duration_ms: int = 0,
) -> None:
    session.add(
        DeliveryAttempt(
            outbox_id=outbox_id,
            channel=channel,
            target=target[:500],
            at=now,
            success=success,
            status_code=status_code,
            error=error[:2000] if error else None,
            duration_ms=duration_ms,
        )
    )


@unit_of_work
def record_attempt(
    session: Session,
    outbox_id: int,
    channel: str,
    target: str,
    success: bool,
    now: datetime,
    *,
    status_code: int | None = None,
    error: str | None = None,
    duration_ms: int = 0,
) -> None:
    """Log one try to reach one target; committed at once so a later crash cannot make it send again."""
    _log(
        session, outbox_id, channel, target, success, now, status_code=status_code, error=error, duration_ms=duration_ms
    )
    commit(session)


@unit_of_work
def store_in_app(
    session: Session, message: OutboxMessage, usernames: Sequence[str], subject: str, body: str, now: datetime
) -> int:
    """Put the notification into each user's in-app list (once per row and user); returns how many were new."""
    existing = set(session.scalars(select(InAppNotification.username).where(InAppNotification.outbox_id == message.id)))
    added = 0
    for username in dict.fromkeys(usernames):
        if username in existing:
            continue
        session.add(
            InAppNotification(
                outbox_id=message.id,
                username=username,
                topic=message.topic,
                subject=subject[:300],
                body=body,
                complaint_id=message.complaint_id,
                created_at=now,
            )
        )
        _log(session, message.id, CHANNEL_IN_APP, username, True, now)
        added += 1
    commit(session)
    return added


def _still_ours(message_id: int, claimed_attempts: int) -> Any:
    # A dispatcher whose lease ran out (and whose row someone else re-claimed) must not overwrite the outcome.
    return (
        OutboxMessage.id == message_id,
        OutboxMessage.status == OUTBOX_PENDING,
        OutboxMessage.attempts == claimed_attempts,
    )


@unit_of_work
def mark_sent(session: Session, message_id: int, claimed_attempts: int, now: datetime) -> bool:
    """The row reached every target."""
    result = session.execute(
        update(OutboxMessage)
        .where(*_still_ours(message_id, claimed_attempts))
        .values(status=OUTBOX_SENT, sent_at=now, last_error=None, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    commit(session)
    return bool(result.rowcount)  # type: ignore[attr-defined]


@unit_of_work
def mark_failed_attempt(
    session: Session,
    message_id: int,
    claimed_attempts: int,
    error: str,
    now: datetime,
    policy: RetryPolicy,
    *,
    permanent: bool = False,
) -> str:
    """Schedule the next try with backoff, or give up (permanent error or too many attempts); returns the status."""
    give_up = permanent or claimed_attempts >= policy.max_attempts
    values: dict[str, Any] = {"last_error": error[:2000]}
    if give_up:
        values.update(status=OUTBOX_FAILED, next_attempt_at=None)
    else:
        values.update(next_attempt_at=now + policy.delay(claimed_attempts))
    session.execute(
        update(OutboxMessage)
        .where(*_still_ours(message_id, claimed_attempts))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    commit(session)
    return OUTBOX_FAILED if give_up else OUTBOX_PENDING


def delivery_log(session: Session, *, limit: int = 200, channel: str | None = None) -> list[DeliveryAttempt]:
    """Newest delivery attempts first (for the admin view)."""
    query = select(DeliveryAttempt).order_by(DeliveryAttempt.at.desc(), DeliveryAttempt.id.desc()).limit(limit)
    if channel:
        query = query.where(DeliveryAttempt.channel == channel)
    return list(session.scalars(query))


def messages_by_id(session: Session, ids: Iterable[int]) -> list[OutboxMessage]:
    """Outbox rows by id (tests and the admin view)."""
    query = select(OutboxMessage).where(OutboxMessage.id.in_(list(ids))).order_by(OutboxMessage.id)
    return list(session.scalars(query))
