"""Erasing a customer (GDPR Art. 17): admin only, refused while one of their complaints is still open.

A complaint whose process still runs may need the customer's address for the next e-mail and its variables for
the next decision, so erasure waits until every complaint of the customer is closed and its process has ended
(a clear error names the open ones). Then the customer record becomes a pseudonym and every complaint goes
through :func:`engine.services.privacy.pseudonymise.pseudonymise_complaints`; the complaints keep their statistics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import InvalidState, NotFound, PermissionDenied
from engine.domain.messages import msg
from engine.domain.roles import ROLE_ADMIN
from engine.services.audit import record
from engine.services.privacy.pseudonymise import pseudonym_for, pseudonymise_complaints, pseudonymise_customer
from engine.services.regulation.retention import LegalHold, legal_hold
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.complaints import Complaint, Customer
from engine.store.text_index import purge_deleted_entries

# Process states in which nothing will read the variables again.
ENDED_INSTANCE_STATUSES = ("completed", "cancelled")


def require_admin(actor: Actor) -> None:
    """Data protection actions need the admin role."""
    if ROLE_ADMIN not in actor.roles:
        raise PermissionDenied(msg("denied.admin_only"))


def get_customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(msg("notfound.customer", customer_id=customer_id))
    return customer


def find_customers(session: Session, text: str) -> list[Customer]:
    """Customers by id (a number) or by e-mail address (exact, case-insensitive)."""
    text = text.strip()
    if not text:
        return []
    if text.isdigit():
        customer = session.get(Customer, int(text))
        return [customer] if customer is not None else []
    return list(session.scalars(select(Customer).where(Customer.email == text.lower()).order_by(Customer.id)))


def is_settled(complaint: Complaint) -> bool:
    """Closed, and its process (if any) has ended."""
    if complaint.status != "closed":
        return False
    return complaint.instance is None or complaint.instance.status in ENDED_INSTANCE_STATUSES


@dataclass(frozen=True)
class ErasurePreview:
    """What erasing a customer would do, for the confirmation page."""

    customer: Customer
    complaints: list[Complaint]
    blocking: list[str]  # references of complaints still open

    @property
    def allowed(self) -> bool:
        return not self.blocking and self.customer.pseudonymised_at is None


def preview_erasure(session: Session, actor: Actor, customer_id: int) -> ErasurePreview:
    require_admin(actor)
    customer = get_customer(session, customer_id)
    complaints = sorted(customer.complaints, key=lambda c: c.id)
    return ErasurePreview(customer, complaints, [c.reference for c in complaints if not is_settled(c)])


@dataclass(frozen=True)
class ErasureResult:
    pseudonym: str
    complaints: int
    rows: dict[str, int]
    # Complaints whose record the law keeps (DISP 1.9): left as they are, with the reason and the date.
    kept: tuple[LegalHold, ...] = ()


@unit_of_work
def erase_customer(session: Session, actor: Actor, customer_id: int, now: datetime) -> ErasureResult:
    """Pseudonymise the customer and all their complaints; audited, without the erased data, in one commit."""
    preview = preview_erasure(session, actor, customer_id)
    customer = preview.customer
    if customer.pseudonymised_at is not None:
        raise InvalidState(msg("customer.already_erased", id=customer_id))
    if preview.blocking:
        raise InvalidState(msg("erasure.open_complaints", references=", ".join(preview.blocking)))
    holds = {c.id: hold for c in preview.complaints if (hold := legal_hold(session, c, now)) is not None}
    free = [c for c in preview.complaints if c.id not in holds]
    counts = pseudonymise_complaints(session, customer, free, now, whole_customer=True)
    if holds:
        # The record of a complaint under a regulation pack's retention (the complaint, the measures taken, the
        # letters sent) must stay until the period ends; the contact data it does not need goes now.
        customer.email, customer.phone = None, None
        kept = tuple(sorted(holds.values(), key=lambda hold: hold.until))
        held = [
            {"reference": hold.reference, "until": hold.until.isoformat(), "pack": hold.pack, "source": hold.source}
            for hold in kept
        ]
        record(
            session,
            actor,
            "erasure_restricted",
            now,
            after={"customer_id": customer.id, "kept": held, "erased": ["email", "phone"]},
            message="the law keeps the record of these complaints until the date given; erase again after it",
        )
    else:
        kept = ()
        pseudonymise_customer(customer, now)
        counts.add("customer")
    references = [c.reference for c in free]
    for complaint in free:
        record(session, actor, "complaint_pseudonymised", now, instance_id=complaint.instance_id,
               after={"reference": complaint.reference, "customer_id": customer.id, "reason": "erasure"})  # fmt: skip
    if counts.rows.get("audit_entry"):
        record(session, actor, "audit_redacted", now, after={"customer_id": customer.id,
               "entries": counts.rows["audit_entry"], "reason": "erasure"})  # fmt: skip
    record(
        session,
        actor,
        "customer_erased",
        now,
        after={"customer_id": customer.id, "pseudonym": customer.name, "complaints": references, "rows": counts.rows},
    )
    purge_deleted_entries(session)
    commit(session)
    return ErasureResult(pseudonym_for(customer), len(references), dict(counts.rows), kept)
