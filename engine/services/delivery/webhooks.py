"""Admin use cases for webhooks: endpoints per event type and the delivery log."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import FormValidationError, InvalidState, NotFound, PermissionDenied
from engine.domain.messages import msg
from engine.domain.notification_channels import CHANNEL_WEBHOOK
from engine.domain.roles import ROLE_ADMIN
from engine.services.audit import record
from engine.services.delivery import bookkeeping as delivery
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.channels import DeliveryAttempt, WebhookEndpoint
from engine.store.outbox import OUTBOX_FAILED, OUTBOX_PENDING, OutboxMessage

# The events the outbox raises (notifications/templates); "*" subscribes to all, also future ones.
KNOWN_EVENTS = (
    "complaint_received", "status_changed", "information_requested", "customer_reply", "resolution",
    "complaint_closed_no_answer", "reopen_confirmation", "survey_invitation", "task_assigned", "high_priority",
    "sla_reminder", "sla_escalation", "handover_received", "handover_answered", "subtask_assigned",
)  # fmt: skip
MIN_SECRET = 16


def _admin(actor: Actor) -> None:
    if ROLE_ADMIN not in actor.roles:
        raise PermissionDenied(msg("denied.manage_webhooks"))


def check_url(url: str) -> str:
    """An absolute http(s) URL without credentials; anything else is refused with a field message."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FormValidationError({"url": msg("webhook.url_absolute")})
    if parts.username or parts.password:
        raise FormValidationError({"url": msg("webhook.url_credentials")})
    if any(ord(char) < 33 for char in url) or len(url) > 500:
        raise FormValidationError({"url": msg("webhook.url_characters")})
    return url


def _events(events: list[str]) -> list[str]:
    cleaned = sorted({event.strip() for event in events if event and event.strip()})
    if not cleaned:
        raise FormValidationError({"events": msg("webhook.events_required")})
    bad = [event for event in cleaned if event != "*" and not event.replace("_", "").isalnum()]
    if bad:
        raise FormValidationError({"events": msg("webhook.unknown_events", values=", ".join(bad))})
    return cleaned


@unit_of_work
def create_endpoint(
    session: Session,
    actor: Actor,
    url: str,
    events: list[str],
    now: datetime,
    *,
    description: str = "",
    secret: str | None = None,
) -> WebhookEndpoint:
    """Register a URL for the given event types; the signing secret (given, or generated) is on the row."""
    _admin(actor)
    errors: dict[str, str] = {}
    secret = (secret or "").strip() or None
    if secret is not None and not MIN_SECRET <= len(secret) <= 200:
        errors["secret"] = msg("webhook.secret_length", num=MIN_SECRET)
    checked_url = checked_events = None
    try:
        checked_url = check_url(url)
    except FormValidationError as error:
        errors.update(error.errors)
    try:
        checked_events = _events(events)
    except FormValidationError as error:
        errors.update(error.errors)
    if errors or checked_url is None or checked_events is None:
        raise FormValidationError(errors)
    endpoint = WebhookEndpoint(
        url=checked_url,
        events=checked_events,
        secret=secret or secrets.token_urlsafe(32),
        description=description.strip()[:200],
        active=True,
        created_by=actor.username,
        created_at=now,
    )
    session.add(endpoint)
    session.flush()
    record(
        session,
        actor,
        "webhook_created",
        now,
        after={"endpoint": endpoint.id, "url": checked_url, "events": checked_events},
    )
    commit(session)
    return endpoint


@unit_of_work
def deactivate_endpoint(session: Session, actor: Actor, endpoint_id: int, now: datetime) -> WebhookEndpoint:
    """Stop sending to an endpoint (its log stays)."""
    _admin(actor)
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(msg("notfound.webhook", endpoint_id=endpoint_id))
    endpoint.active = False
    record(session, actor, "webhook_deactivated", now, after={"endpoint": endpoint.id})
    commit(session)
    return endpoint


def list_endpoints(session: Session, actor: Actor) -> list[WebhookEndpoint]:
    """All endpoints, newest first."""
    _admin(actor)
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id.desc())))


def delivery_log(
    session: Session, actor: Actor, *, limit: int = 200, channel: str | None = None
) -> list[DeliveryAttempt]:
    """The newest delivery attempts (e-mail, in-app, webhook), for admins."""
    _admin(actor)
    return delivery.delivery_log(session, limit=limit, channel=channel)


@dataclass(frozen=True)
class WebhookDelivery:
    """One event queued for one endpoint, with its state and the newest attempt's HTTP status."""

    message: OutboxMessage
    endpoint_id: int | None
    status_code: int | None


def webhook_deliveries(
    session: Session, actor: Actor, *, endpoint_id: int | None = None, limit: int = 100
) -> list[WebhookDelivery]:
    """The newest webhook deliveries (pending, sent, failed), optionally for one endpoint."""
    _admin(actor)
    query = select(OutboxMessage).where(OutboxMessage.kind == CHANNEL_WEBHOOK)
    if endpoint_id is not None:
        query = query.where(OutboxMessage.recipient == f"{delivery.WEBHOOK_RECIPIENT_PREFIX}{endpoint_id}")
    rows = list(session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)))
    codes: dict[int, int | None] = {}
    if rows:
        attempts = select(DeliveryAttempt).where(DeliveryAttempt.outbox_id.in_([row.id for row in rows]))
        for attempt in session.scalars(attempts.order_by(DeliveryAttempt.at, DeliveryAttempt.id)):
            codes[attempt.outbox_id] = attempt.status_code
    result = []
    for row in rows:
        suffix = row.recipient.removeprefix(delivery.WEBHOOK_RECIPIENT_PREFIX)
        result.append(WebhookDelivery(row, int(suffix) if suffix.isdigit() else None, codes.get(row.id)))
    return result


@unit_of_work
def retry_delivery(session: Session, actor: Actor, outbox_id: int, now: datetime) -> OutboxMessage:
    """Queue a webhook delivery that gave up for another round of attempts (the next dispatcher pass)."""
    _admin(actor)
    row = session.get(OutboxMessage, outbox_id)
    if row is None or row.kind != CHANNEL_WEBHOOK:
        raise NotFound(msg("notfound.webhook_delivery", outbox_id=outbox_id))
    if row.status != OUTBOX_FAILED:
        # A pending row may be in a dispatcher's hands right now; only one that gave up is free to restart.
        raise InvalidState(msg("webhook.retry_only_failed"))
    row.status, row.attempts, row.next_attempt_at = OUTBOX_PENDING, 0, now
    record(session, actor, "webhook_retried", now, after={"delivery": row.id, "endpoint": row.recipient})
    commit(session)
    return row
