"""Files on a case: the customer's attachments (portal, e-mail, API) and files staff add to internal notes.

Both live in ``customer_attachment``; staff files carry ``source = "staff"`` and belong to an internal note,
so they are never counted or shown to the customer. Listing never loads the file contents; a download loads
one file after the same visibility check as the case page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.attachments import AttachmentLimits, Upload, check_uploads
from engine.domain.errors import FormValidationError, NotFound
from engine.domain.messages import message_of, msg
from engine.services.audit import record
from engine.services.casework.access import may_view_complaint
from engine.store.casework import CaseNote
from engine.store.channels import CustomerAttachment
from engine.store.complaints import Complaint

SOURCE_STAFF = "staff"  # a file an agent attached to an internal note; internal like the note


@dataclass(frozen=True)
class AttachmentInfo:
    """One file as the case page lists it (no content)."""

    id: int
    filename: str
    content_type: str
    size: int
    source: str
    uploaded_at: datetime
    note_id: int | None
    note_kind: str | None  # None: sent with the complaint itself
    note_author: str | None
    note_at: datetime | None


def attachments_of(session: Session, complaint: Complaint) -> list[AttachmentInfo]:
    """The complaint's files, oldest first, with the message (timeline note) each came with."""
    query = (
        select(
            CustomerAttachment.id,
            CustomerAttachment.filename,
            CustomerAttachment.content_type,
            CustomerAttachment.size,
            CustomerAttachment.source,
            CustomerAttachment.uploaded_at,
            CustomerAttachment.note_id,
            CaseNote.kind,
            CaseNote.author,
            CaseNote.created_at,
        )
        .outerjoin(CaseNote, CaseNote.id == CustomerAttachment.note_id)
        .where(CustomerAttachment.complaint_id == complaint.id)
        .order_by(CustomerAttachment.uploaded_at, CustomerAttachment.id)
    )
    return [
        AttachmentInfo(
            id=row.id,
            filename=row.filename,
            content_type=row.content_type,
            size=row.size,
            source=row.source,
            uploaded_at=row.uploaded_at,
            note_id=row.note_id,
            note_kind=row.kind,
            note_author=row.author,
            note_at=row.created_at,
        )
        for row in session.execute(query)
    ]


def attachment_for(session: Session, actor: Actor, complaint: Complaint, attachment_id: int) -> CustomerAttachment:
    """One file of a complaint the actor may see; NotFound for a missing file, another case's file or no right."""
    attachment = session.get(CustomerAttachment, attachment_id)
    # One answer for every refusal, so nobody learns which files exist on cases they cannot see.
    if (
        attachment is None
        or attachment.complaint_id != complaint.id
        or not may_view_complaint(session, actor, complaint)
    ):
        raise NotFound(msg("notfound.attachment", attachment_id=attachment_id))
    return attachment


def checked_uploads(uploads: list[Upload], limits: AttachmentLimits) -> list[Upload]:
    """The uploads under the channel limits, or FormValidationError on ``attachments``."""
    try:
        return check_uploads(uploads, limits)
    except ValueError as error:
        raise FormValidationError({"attachments": message_of(error) or str(error)}) from None


def store_staff_files(
    session: Session, actor: Actor, complaint: Complaint, note: CaseNote, uploads: list[Upload], now: datetime
) -> None:
    """Keep already checked files on an internal note and audit the upload (name, size, type, checksum)."""
    if not uploads:
        return
    files: list[dict[str, str | int]] = []
    for upload in uploads:
        digest = hashlib.sha256(upload.content).hexdigest()
        session.add(
            CustomerAttachment(
                complaint_id=complaint.id,
                note_id=note.id,
                filename=upload.filename,
                content_type=upload.content_type,
                size=len(upload.content),
                sha256=digest,
                content=upload.content,
                source=SOURCE_STAFF,
                uploaded_at=now,
            )
        )
        files.append({"name": upload.filename, "size": len(upload.content), "type": upload.content_type})
    record(
        session,
        actor,
        "attachments_uploaded",
        now,
        instance_id=complaint.instance_id,
        after={"note": note.id, "files": files, "reference": complaint.reference},
        message=", ".join(upload.filename for upload in uploads),
    )
