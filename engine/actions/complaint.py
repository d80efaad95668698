"""System actions of the complaint lifecycle (service-task topics used by the processes in ``processes/``).

- ``record_actor``: remembers who completed the step before it (four-eyes needs the proposer's name).
- ``notify_customer``: queues a message to the complaint's customer, or notes that there is no address.
- ``record_closure`` / ``record_reopening``: keep ``closed_at`` on the complaint row in step with the process.

Topics, properties and results are documented in processes/README.md.
"""

from __future__ import annotations

from typing import Any

from engine.actions.context import ServiceContext
from engine.actions.notify import queue_notification
from engine.domain.notification_channels import CHANNEL_EMAIL
from engine.services.audit import record
from engine.services.casework import responses
from engine.services.casework.responses import record_response
from engine.services.sla.clock import complaint_for_instance


def _required(context: ServiceContext, name: str) -> str:
    value = context.value(name)
    if value in (None, ""):
        raise ValueError(f"the service task needs the property {name!r}")
    return str(value)


def record_actor(context: ServiceContext) -> dict[str, Any]:
    """Store the acting user's name in the variable named by the property ``variable``.

    Service tasks run in the unit of work of the step that reached them, so right after a user task the
    actor is the person who completed it. The diagram cannot know that name any other way: form data
    comes from the user and could claim to be anyone.
    """
    return {_required(context, "variable"): context.actor.username}


def notify_customer(context: ServiceContext) -> dict[str, Any]:
    """Queue an e-mail to the complaint's customer (properties ``template``, ``subject``, ``response``).

    The address comes from the customer row, not from process variables. Complaints by phone, letter or
    in person often have none: then the step records that the agent has to inform the customer on the
    complaint's channel, instead of failing the instance.

    ``response`` (``acknowledgement``, ``holding`` or ``final``) names the letter this is for the register: its
    date is recorded on the complaint only when the message was queued, never for a customer left uninformed.
    """
    template = _required(context, "template")
    response = context.value("response")
    complaint = complaint_for_instance(context.session, context.instance.id)
    address = complaint.customer.email if complaint is not None else context.call.data.get("customer_email")
    element = context.call.element_id
    if not address:
        channel = complaint.channel if complaint is not None else context.call.data.get("channel")
        record(
            context.session,
            context.actor,
            "customer_not_notified",
            context.now,
            instance_id=context.instance.id,
            element_id=element,
            after={"template": template, "channel": channel},
            message="the customer has no e-mail address; inform them on the complaint's channel",
        )
        return {f"{element}_queued": False}
    complaint_id = complaint.id if complaint is not None else None
    queue_notification(
        context, kind=CHANNEL_EMAIL, template=template, recipient=str(address), complaint_id=complaint_id
    )
    if response and complaint is not None:
        record_response(complaint, str(response), context.now)
    return {f"{element}_queued": True}


def record_closure(context: ServiceContext) -> dict[str, Any]:
    """Mark the complaint closed now (``closed_at``); the status follows through ``complaint_status``."""
    complaint = complaint_for_instance(context.session, context.instance.id)
    data = context.call.data
    if complaint is not None:
        responses.record_closure(complaint, context.now)
    record(
        context.session,
        context.actor,
        "complaint_closed",
        context.now,
        instance_id=context.instance.id,
        element_id=context.call.element_id,
        after={key: data.get(key) for key in ("outcome", "root_cause", "resolution_type", "closure_reason")},
    )
    return {"complaint_status": "closed", "closed_at": context.now.isoformat()}


def record_reopening(context: ServiceContext) -> dict[str, Any]:
    """Mark the complaint reopened: it is no longer closed; the reason stays in the audit trail."""
    complaint = complaint_for_instance(context.session, context.instance.id)
    if complaint is not None:
        responses.record_reopening(complaint, context.now)
    record(
        context.session,
        context.actor,
        "complaint_reopened",
        context.now,
        instance_id=context.instance.id,
        element_id=context.call.element_id,
        after={"reopen_count": context.call.data.get("reopen_count")},
        message=str(context.call.data.get("reopen_reason") or "") or None,
    )
    return {"complaint_status": "reopened", "closed_at": None}
