"""Complaints and customer information arriving on customer channels (web form, e-mail, REST API).

A new complaint is one unit of work: the complaint and its process start
(:func:`engine.services.intake.complaints.record_complaint`), its attachments, the inbound-mail marker and the receipt
mail commit together, so a crash cannot leave a complaint without its attachments. Customer information is one
unit of work too: timeline note, attachments and the ``customer_info_received`` message to the waiting process
commit together.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.attachments import AttachmentLimits, Upload, check_uploads
from engine.domain.errors import Conflict, FormValidationError, InvalidState
from engine.domain.messages import message_of, msg
from engine.domain.notification_channels import CHANNEL_EMAIL
from engine.services.audit import record
from engine.services.delivery.outbox import enqueue
from engine.services.instances import lifecycle as instances
from engine.services.intake import intake_keys
from engine.services.intake.complaints import NewComplaint, get_complaint, record_complaint
from engine.services.intake.intake_keys import KeyReused, OnceKey
from engine.services.intake.rate_limits import Hit, add_hit
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.casework import NOTE_CUSTOMER_MESSAGE, CaseNote
from engine.store.channels import CustomerAttachment, InboundMail
from engine.store.complaints import Complaint
from engine.store.models import MessageSubscription
from engine.store.outbox import OutboxMessage

CUSTOMER_INFO_MESSAGE = "customer_info_received"
RECEIPT_TOPICS = ("complaint_received", "complaint_acknowledgement")
MAX_INFO = 10_000
_ONE_LINE = ("customer_name", "subject", "customer_email", "customer_phone", "product", "order_ref", "category")


def _one_line_fields(new: NewComplaint) -> None:
    # Names and subjects end up in mail headers: a line break there is how extra headers are smuggled in.
    errors: dict[str, str] = {}
    for field in _ONE_LINE:
        value = getattr(new, field)
        if isinstance(value, str) and any(ord(char) < 32 or char in "\x7f\u2028\u2029\x85" for char in value):
            errors[field] = msg("field.single_line")
    if new.customer_email and (new.customer_email.count("@") != 1 or " " in new.customer_email.strip()):
        errors["customer_email"] = msg("field.not_email")
    for field, limit in (("customer_name", 200), ("subject", 300), ("description", MAX_INFO)):
        value = (getattr(new, field) or "").strip()
        if not value:
            errors.setdefault(field, msg("field.required"))
        elif len(value) > limit:
            errors.setdefault(field, msg("field.too_long", num=limit))
    if errors:
        raise FormValidationError(errors)


def _uploads(uploads: list[Upload], limits: AttachmentLimits) -> list[Upload]:
    try:
        return check_uploads(uploads, limits)
    except ValueError as error:
        raise FormValidationError({"attachments": message_of(error) or str(error)}) from None


def _store_uploads(
    session: Session, complaint: Complaint, uploads: list[Upload], source: str, now: datetime, note: CaseNote | None
) -> None:
    for upload in uploads:
        session.add(
            CustomerAttachment(
                complaint_id=complaint.id,
                note_id=note.id if note is not None else None,
                filename=upload.filename,
                content_type=upload.content_type,
                size=len(upload.content),
                sha256=hashlib.sha256(upload.content).hexdigest(),
                content=upload.content,
                source=source,
                uploaded_at=now,
            )
        )


def already_taken(session: Session, message_id: str) -> bool:
    """True when a mail with this Message-ID was already processed."""
    return session.scalars(select(InboundMail.id).where(InboundMail.message_id == message_id[:300])).first() is not None


def submit_complaint(
    session: Session,
    actor: Actor,
    new: NewComplaint,
    process_key: str,
    uploads: list[Upload],
    limits: AttachmentLimits,
    now: datetime,
    *,
    source: str,
    inbound_message_id: str | None = None,
    send_receipt: bool = True,
    once: OnceKey | None = None,
    hit: Hit | None = None,
) -> Complaint:
    """Open a complaint from a customer channel, keep its attachments and queue the receipt mail.

    With ``once`` (a form token or an Idempotency-Key) a repeated request returns the complaint the first
    one opened, also when both arrive at the same moment. ``hit`` is the rate-limit count of a public form:
    it is committed with the complaint or not at all (RateLimited when over the limit, nothing stored).
    """
    try:
        return _submit_complaint(
            session, actor, new, process_key, uploads, limits, now, source, inbound_message_id, send_receipt, once, hit
        )
    except Conflict as error:
        if once is None or isinstance(error, KeyReused):
            raise
        # A simultaneous request with the same key committed first: its complaint is the answer.
        earlier = intake_keys.opened_before(session, once)
        if earlier is None:
            raise
        return earlier


@unit_of_work
def _submit_complaint(
    session: Session,
    actor: Actor,
    new: NewComplaint,
    process_key: str,
    uploads: list[Upload],
    limits: AttachmentLimits,
    now: datetime,
    source: str,
    inbound_message_id: str | None,
    send_receipt: bool,
    once: OnceKey | None,
    hit: Hit | None,
) -> Complaint:
    key_row = None
    if once is not None:
        earlier = intake_keys.opened_before(session, once)
        if earlier is not None:
            return earlier  # the same form sent again: the same complaint, and no second hit counted
    if hit is not None:
        add_hit(session, hit, now)
    if once is not None:
        key_row = intake_keys.claim(session, once, now)
    new = replace(new, customer_name=new.customer_name.strip(), subject=new.subject.strip())
    _one_line_fields(new)
    checked = _uploads(uploads, limits)
    complaint = record_complaint(session, actor, new, process_key, now)
    _after_intake(session, actor, complaint, checked, now, source, inbound_message_id, send_receipt)
    if key_row is not None:
        key_row.complaint_id = complaint.id
    commit(session)
    return complaint


def _receipt_queued(session: Session, complaint: Complaint) -> bool:
    # The complaint process may acknowledge the complaint itself (processes/README.md); one receipt is enough.
    query = select(OutboxMessage.id).where(
        OutboxMessage.complaint_id == complaint.id, OutboxMessage.topic.in_(RECEIPT_TOPICS)
    )
    return session.scalars(query).first() is not None


def _after_intake(
    session: Session,
    actor: Actor,
    complaint: Complaint,
    uploads: list[Upload],
    now: datetime,
    source: str,
    inbound_message_id: str | None,
    send_receipt: bool,
) -> None:
    _store_uploads(session, complaint, uploads, source, now, None)
    if inbound_message_id:
        session.add(
            InboundMail(
                message_id=inbound_message_id[:300], complaint_id=complaint.id, outcome="opened", received_at=now
            )
        )
    if send_receipt and complaint.customer.email and not _receipt_queued(session, complaint):
        enqueue(
            session,
            now,
            kind=CHANNEL_EMAIL,
            topic="complaint_received",
            recipient=complaint.customer.email,
            complaint_id=complaint.id,
            instance_id=complaint.instance_id,
            payload={"reference": complaint.reference, "language": complaint.language},
        )
    record(
        session,
        actor,
        "complaint_received",
        now,
        instance_id=complaint.instance_id,
        after={"reference": complaint.reference, "source": source, "attachments": len(uploads)},
    )


def _waiting(session: Session, reference: str) -> bool:
    query = select(MessageSubscription.id).where(
        MessageSubscription.message_name == CUSTOMER_INFO_MESSAGE, MessageSubscription.correlation_key == reference
    )
    return session.scalars(query).first() is not None


@unit_of_work
def add_customer_information(
    session: Session,
    actor: Actor,
    reference: str,
    text: str,
    uploads: list[Upload],
    limits: AttachmentLimits,
    now: datetime,
    *,
    source: str,
    inbound_message_id: str | None = None,
) -> CaseNote:
    """The customer's answer or addition: a timeline entry with attachments, delivered to a waiting process."""
    complaint = get_complaint(session, reference)
    if complaint.status == "closed":
        raise InvalidState(msg("intake.complaint_closed"))
    body = (text or "").strip()
    errors: dict[str, str] = {}
    if not body and not uploads:
        errors["text"] = msg("field.text_or_file")
    if len(body) > MAX_INFO:
        errors["text"] = msg("field.too_long", num=MAX_INFO)
    if errors:
        raise FormValidationError(errors)
    checked = _uploads(uploads, limits)
    author = f"customer ({source})"
    note = CaseNote(
        complaint_id=complaint.id, kind=NOTE_CUSTOMER_MESSAGE, author=author, body=body or "-", created_at=now
    )
    session.add(note)
    session.flush()
    _store_uploads(session, complaint, checked, source, now, note)
    if inbound_message_id:
        session.add(
            InboundMail(
                message_id=inbound_message_id[:300], complaint_id=complaint.id, outcome="attached", received_at=now
            )
        )
    complaint.updated_at = now
    record(
        session,
        actor,
        "customer_information_added",
        now,
        instance_id=complaint.instance_id,
        after={"source": source, "attachments": len(checked)},
        message=body[:500] or None,
    )
    if _waiting(session, complaint.reference):
        payload = {
            "customer_info": body,
            "customer_info_attachments": len(checked),
            "customer_info_at": now.isoformat(),
        }
        # deliver_message commits the note, the attachments and the process step together.
        instances.deliver_message(session, actor, CUSTOMER_INFO_MESSAGE, complaint.reference, payload, now)
    else:
        commit(session)
    return note


@unit_of_work
def record_rejected_mail(session: Session, message_id: str, now: datetime) -> None:
    """Remember a mail that was refused, so it is not processed again when redelivered."""
    if not already_taken(session, message_id):
        session.add(InboundMail(message_id=message_id[:300], complaint_id=None, outcome="rejected", received_at=now))
    commit(session)
