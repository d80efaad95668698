"""How each notification channel sends: one registry entry per name in ``engine.domain.notification_channels``.

An entry either reaches one target at a time (``send``: an e-mail address, a webhook endpoint; it returns
the HTTP status when there is one and raises ``DeliveryError``), and the dispatcher logs each try, or it
takes all of a row's pending targets at once (``send_all``: the in-app list, which logs its entries in
its own unit of work). The dispatcher decides who a row goes to and calls the entry of each target's
channel; a new channel is a name in the domain module, a sender here and its entry in ``CHANNELS``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from engine.domain.notification_channels import CHANNEL_EMAIL, CHANNEL_IN_APP, CHANNEL_WEBHOOK
from engine.services.delivery import bookkeeping as delivery
from engine.store.channels import WebhookEndpoint
from engine.store.outbox import OutboxMessage
from notifications import smtp, webhooks
from notifications.errors import PermanentDeliveryError
from notifications.rendering import RenderedMail
from notifications.settings import ChannelSettings
from notifications.wording import language


@dataclass(frozen=True)
class Target:
    """One recipient of an outbox row on one channel."""

    channel: str
    key: str  # address, user name or endpoint id: what the delivery log records
    name: str = ""
    lang: str = "en"
    staff: bool = False


class Sending(Protocol):
    """What a sender takes from the dispatcher: settings, the clock, the mail transport and the renderer."""

    settings: ChannelSettings
    clock: Callable[[], datetime]
    send_mail: Callable[[ChannelSettings, smtp.OutgoingMail], None]

    def render(self, session: Session, message: OutboxMessage, name: str, lang: str, *, staff: bool) -> RenderedMail:
        """The row's text for one recipient."""
        ...


@dataclass(frozen=True)
class Channel:
    """A channel's sender: ``send`` for one target at a time, or ``send_all`` for all of a row's targets."""

    name: str
    send: Callable[[Sending, Session, OutboxMessage, Target], int | None] | None = None
    send_all: Callable[[Sending, Session, OutboxMessage, Sequence[Target]], None] | None = None


def send_email(sending: Sending, session: Session, message: OutboxMessage, target: Target) -> None:
    """One mail over SMTP, rendered in the recipient's language."""
    rendered = sending.render(session, message, target.name, target.lang, staff=target.staff)
    mail = smtp.OutgoingMail(
        to_address=target.key,
        to_name=target.name,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        # One Message-ID per row and recipient, identical on every retry: receivers can drop repeats.
        message_id=f"{delivery.idempotency_key(message)}.{_digest(target.key)}",
        headers={"X-Complaintflow-Event": message.topic},
    )
    sending.send_mail(sending.settings, mail)
    return None


def post_webhook(sending: Sending, session: Session, message: OutboxMessage, target: Target) -> int:
    """One signed POST to a subscribed endpoint; returns its HTTP status."""
    endpoint_id = target.key.removeprefix(delivery.WEBHOOK_RECIPIENT_PREFIX)
    endpoint = session.get(WebhookEndpoint, int(endpoint_id)) if endpoint_id.isdigit() else None
    if endpoint is None or not endpoint.active:
        raise PermanentDeliveryError(f"webhook endpoint {endpoint_id} no longer exists or is switched off")
    key = delivery.idempotency_key(message)
    payload = {"id": key, **(message.payload.get("event") or {})}
    return webhooks.post(
        endpoint.url,
        endpoint.secret,
        message.topic,
        key,
        payload,
        int(sending.clock().timestamp()),
        sending.settings.webhook_timeout,
    )


def store_in_app(sending: Sending, session: Session, message: OutboxMessage, targets: Sequence[Target]) -> None:
    """The row in each user's in-app list, in the user's language (one text per language: staff wording)."""
    by_language: dict[str, list[str]] = {}
    for target in targets:
        by_language.setdefault(language(target.lang), []).append(target.key)
    for lang, usernames in by_language.items():
        rendered = sending.render(session, message, "", lang, staff=True)
        body = message.body or rendered.text
        subject = message.subject or rendered.subject
        delivery.store_in_app(session, message, usernames, subject, body, sending.clock())


CHANNELS: dict[str, Channel] = {
    channel.name: channel
    for channel in (
        Channel(CHANNEL_IN_APP, send_all=store_in_app),
        Channel(CHANNEL_EMAIL, send=send_email),
        Channel(CHANNEL_WEBHOOK, send=post_webhook),
    )
}


def _digest(text: str) -> str:
    return hashlib.sha256(text.lower().encode("utf-8")).hexdigest()[:12]
