"""Opening a complaint: customer, complaint row and its process instance in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actions.runner import run_actions
from engine.domain.actors import Actor
from engine.domain.classification import PRODUCT_GROUPS
from engine.domain.errors import FormValidationError, NotFound
from engine.domain.messages import msg
from engine.runtime.workflow import WorkflowRun
from engine.services.audit import record
from engine.services.designer.deployment import definition_for_start, parsed_definition
from engine.services.instances.called_versions import DeployedVersions
from engine.services.instances.lifecycle import new_instance
from engine.services.instances.persistence import jsonable_data, save_run
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.complaints import CHANNELS, Complaint, Customer


@dataclass(frozen=True)
class NewComplaint:
    """What intake (web form, e-mail, API, agent) knows about a complaint."""

    customer_name: str
    subject: str
    description: str
    channel: str
    customer_email: str | None = None
    customer_phone: str | None = None
    customer_segment: str = "standard"
    category: str | None = None
    product: str | None = None
    # Selects the regulation packs (processes/regulation_packs.dmn); one of engine.domain.classification's groups.
    product_group: str | None = None
    order_ref: str | None = None
    amount_disputed: Decimal | None = None
    explicit: bool = True
    language: str = "de"


def _check(new: NewComplaint) -> None:
    errors: dict[str, str] = {}
    if not new.customer_name.strip():
        errors["customer_name"] = msg("field.required")
    if not new.subject.strip():
        errors["subject"] = msg("field.required")
    if not new.description.strip():
        errors["description"] = msg("field.required")
    if new.channel not in CHANNELS:
        errors["channel"] = msg("field.one_of", values=", ".join(CHANNELS))
    if new.product_group is not None and new.product_group not in PRODUCT_GROUPS:
        errors["product_group"] = msg("field.one_of", values=", ".join(PRODUCT_GROUPS))
    if new.amount_disputed is not None and new.amount_disputed < 0:
        errors["amount_disputed"] = msg("field.not_negative")
    if errors:
        raise FormValidationError(errors)


def _customer(session: Session, new: NewComplaint, now: datetime) -> Customer:
    if new.customer_email:
        existing = session.scalars(select(Customer).where(Customer.email == new.customer_email.lower())).first()
        if existing is not None:
            return existing
    customer = Customer(
        name=new.customer_name.strip(),
        email=new.customer_email.lower() if new.customer_email else None,
        phone=new.customer_phone,
        segment=new.customer_segment,
        created_at=now,
    )
    session.add(customer)
    return customer


def process_variables(complaint: Complaint) -> dict[str, Any]:
    """The complaint's facts as the process sees them (names in engine.domain.process_data, documented in
    processes/README.md)."""
    return {
        "complaint_id": complaint.reference,
        "channel": complaint.channel,
        "explicit": complaint.explicit,
        "customer_name": complaint.customer.name,
        "customer_email": complaint.customer.email,
        "customer_segment": complaint.customer.segment,
        "subject": complaint.subject,
        "description": complaint.description,
        "product": complaint.product,
        "order_ref": complaint.order_ref,
        "amount": float(complaint.amount_disputed) if complaint.amount_disputed is not None else 0.0,
        "category": complaint.category,
        "language": complaint.language,
    }


@unit_of_work
def open_complaint(session: Session, actor: Actor, new: NewComplaint, process_key: str, now: datetime) -> Complaint:
    """Record the complaint and start its process, which classifies and routes it; one commit."""
    complaint = record_complaint(session, actor, new, process_key, now)
    commit(session)
    return complaint


def record_complaint(session: Session, actor: Actor, new: NewComplaint, process_key: str, now: datetime) -> Complaint:
    """The work of :func:`open_complaint` without the commit, for services that add to the same unit of work."""
    _check(new)
    definition = definition_for_start(session, process_key)
    complaint = Complaint(
        reference=f"TMP-{uuid4().hex[:20]}",
        customer=_customer(session, new, now),
        channel=new.channel,
        explicit=new.explicit,
        subject=new.subject.strip(),
        description=new.description.strip(),
        product=new.product,
        product_group=new.product_group,
        order_ref=new.order_ref,
        amount_disputed=new.amount_disputed,
        category=new.category,
        language=new.language,
        status="new",
        created_at=now,
        created_by=actor.username,
        updated_at=now,
        sla_pauses=[],
        extra={},
    )
    session.add(complaint)
    session.flush()
    # The reference is derived from the id so that it is unique without a separate counter table.
    complaint.reference = f"C-{now.year}-{complaint.id:06d}"
    data = process_variables(complaint)
    data["product_group"] = new.product_group
    run = WorkflowRun.start(parsed_definition(definition), data, now, DeployedVersions(session))
    instance = new_instance(session, actor, definition, complaint.reference, now)
    complaint.instance_id = instance.id
    complaint.status = "open"
    record(
        session,
        actor,
        "complaint_opened",
        now,
        instance_id=instance.id,
        after={"reference": complaint.reference, "channel": complaint.channel, "data": jsonable_data(data)},
    )
    run_actions(session, instance, run, actor, now)
    save_run(session, instance, run, actor, now)
    return complaint


def get_complaint(session: Session, reference: str) -> Complaint:
    """A complaint by its reference (C-2026-000042), or NotFound."""
    if "\x00" in reference:
        # No stored reference holds a NUL byte, and PostgreSQL refuses one even in a query parameter.
        raise NotFound(msg("notfound.complaint_reference", reference=reference))
    complaint = session.scalars(select(Complaint).where(Complaint.reference == reference)).first()
    if complaint is None:
        raise NotFound(msg("notfound.complaint", complaint=reference))
    return complaint
