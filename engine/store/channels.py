"""Customer channels and notification delivery: in-app notifications, preferences, webhooks, the delivery
log, customer attachments, inbound mail, API tokens and the portal's rate-limit ledger.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base


class InAppNotification(Base):
    """One entry in a staff member's notification list; at most one per outbox row and user (idempotent)."""

    __tablename__ = "in_app_notification"
    __table_args__ = (
        UniqueConstraint("outbox_id", "username", name="uq_in_app_notification_outbox_user"),
        Index("ix_in_app_notification_user_read", "username", "read_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(150))
    topic: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    complaint_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class NotificationPreference(Base):
    """A user's choice to get (or not get) e-mail for one event; without a row the event's default applies."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("username", "topic", name="uq_notification_preference_user_topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), index=True)
    topic: Mapped[str] = mapped_column(String(50))
    email: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime]


class WebhookEndpoint(Base):
    """A URL that receives signed JSON for the listed event types (``*`` for every event)."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(200))  # HMAC-SHA256 key; shown to the admin once
    description: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime]


class DeliveryAttempt(Base):
    """The delivery log: one row per try to reach one target (address, user, endpoint) for an outbox row.

    A successful row also makes retries idempotent: a target that already has one is skipped.
    """

    __tablename__ = "delivery_attempt"
    __table_args__ = (Index("ix_delivery_attempt_outbox_target", "outbox_id", "channel", "target", "success"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))  # email / in_app / webhook
    target: Mapped[str] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(index=True)
    success: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


ATTACHMENT_SOURCES = ("web", "email", "api")


class CustomerAttachment(Base):
    """A file the customer sent (web form, mail, API), kept within size and type limits."""

    __tablename__ = "customer_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), index=True)
    note_id: Mapped[int | None] = mapped_column(ForeignKey("case_note.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    source: Mapped[str] = mapped_column(String(10))
    uploaded_at: Mapped[datetime]


class InboundMail(Base):
    """A mail already taken in, by Message-ID, so a redelivered or re-polled mail is not taken twice."""

    __tablename__ = "inbound_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(20))  # opened / attached / rejected
    received_at: Mapped[datetime]


class ApiToken(Base):
    """A REST API client; only the SHA-256 of its token is stored. It acts as ``username`` with these roles."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(150))
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # read (GET only), intake (read + open complaints, add information), full (everything the user may do).
    scope: Mapped[str] = mapped_column(String(10), default="full", server_default="full")
    expires_at: Mapped[datetime | None]


class PortalHit(Base):
    """One public submission or lookup, counted per bucket and (hashed) client key for rate limits."""

    __tablename__ = "portal_hit"
    __table_args__ = (Index("ix_portal_hit_bucket_key_at", "bucket", "client_key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(30))
    client_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class IntakeKey(Base):
    """A once-only key of an intake request (portal form token, API Idempotency-Key) and what it opened.

    Written in the same transaction as the complaint, unique per scope: a repeated or simultaneous second
    request with the same key finds the first one's complaint instead of opening another. Only a hash of
    the key is kept (the portal's key is as private as a status link).
    """

    __tablename__ = "intake_key"
    __table_args__ = (UniqueConstraint("scope", "key_hash", name="uq_intake_key_scope_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(160))  # "portal", or "api:<token owner>"
    key_hash: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))  # hash of the request, to refuse a reused key
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(index=True)
