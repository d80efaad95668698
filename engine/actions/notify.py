"""The ``notify`` system action: queue a notification to an address, a user or a group.

Topics are documented in processes/README.md.
"""

from __future__ import annotations

from typing import Any

from engine.actions.context import ServiceContext
from engine.services.audit import record
from engine.services.delivery.outbox import enqueue


def notify(context: ServiceContext) -> dict[str, Any]:
    """Queue a notification; properties: ``to`` (address, user, ``group:<name>``), ``template``, ``channel``."""
    recipient = context.value("to")
    if not recipient:
        raise ValueError("the service task has no 'to' property (or its variable is empty)")
    template = str(context.value("template", context.call.element_id))
    message = enqueue(
        context.session,
        context.now,
        kind=str(context.value("channel", "email")),
        topic=template,
        recipient=str(recipient),
        subject=context.value("subject"),
        payload={"variables": {k: v for k, v in context.call.data.items() if isinstance(v, str | int | float | bool)}},
        instance_id=context.instance.id,
    )
    record(
        context.session,
        context.actor,
        "notification_queued",
        context.now,
        instance_id=context.instance.id,
        element_id=context.call.element_id,
        after={"to": str(recipient), "template": template},
    )
    return {f"{context.call.element_id}_queued": True} if message else {}
