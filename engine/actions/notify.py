"""The ``notify`` system action: queue a notification to an address, a user or a group.

Topics are documented in processes/README.md.
"""

from __future__ import annotations

from typing import Any

from engine.actions.context import ServiceContext
from engine.domain.notification_channels import CHANNEL_EMAIL
from engine.services.audit import record
from engine.services.delivery.outbox import enqueue
from engine.store.outbox import OutboxMessage


def queue_notification(
    context: ServiceContext, *, kind: str, template: str, recipient: str, complaint_id: int | None = None
) -> OutboxMessage:
    """Queue ``template`` for ``recipient`` with the task's plain variables, and audit it (``notification_queued``).

    The service task's ``subject`` property, if any, is the subject.
    """
    variables = {k: v for k, v in context.call.data.items() if isinstance(v, str | int | float | bool)}
    message = enqueue(
        context.session,
        context.now,
        kind=kind,
        topic=template,
        recipient=recipient,
        subject=context.value("subject"),
        payload={"variables": variables},
        complaint_id=complaint_id,
        instance_id=context.instance.id,
    )
    record(
        context.session,
        context.actor,
        "notification_queued",
        context.now,
        instance_id=context.instance.id,
        element_id=context.call.element_id,
        after={"to": recipient, "template": template},
    )
    return message


def notify(context: ServiceContext) -> dict[str, Any]:
    """Queue a notification; properties: ``to`` (address, user, ``group:<name>``), ``template``, ``channel``."""
    recipient = context.value("to")
    if not recipient:
        raise ValueError("the service task has no 'to' property (or its variable is empty)")
    template = str(context.value("template", context.call.element_id))
    kind = str(context.value("channel", CHANNEL_EMAIL))
    message = queue_notification(context, kind=kind, template=template, recipient=str(recipient))
    return {f"{context.call.element_id}_queued": True} if message else {}
