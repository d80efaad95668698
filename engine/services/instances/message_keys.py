"""The correlation key each waiting message event subscribes under.

Camunda 7 models wait under the instance's business key. A Camunda 8 message with ``zeebe:subscription
correlationKey`` waits under the key its FEEL expression gives when the event is reached: evaluated once,
at the save that first sees the wait, and kept while it waits (a variable changed later does not move it).
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.subscriptions import correlation_expressions, correlation_key
from engine.runtime.model import MessageWait
from engine.store.models import DefinitionResource, MessageSubscription, ProcessInstance

# Per checksum of a deployed definition's files (ids repeat across databases in one process; contents do not).
_EXPRESSIONS: dict[str, dict[str, str]] = {}
_LOCK = threading.Lock()
KEY_LENGTH = 100  # message_subscription.correlation_key


def _expressions(session: Session, instance: ProcessInstance) -> dict[str, str]:
    checksum = instance.definition.checksum
    with _LOCK:
        known = _EXPRESSIONS.get(checksum)
    if known is not None:
        return known
    query = select(DefinitionResource.content).where(
        DefinitionResource.definition_id == instance.definition_id, DefinitionResource.kind == "bpmn"
    )
    found = correlation_expressions(session.scalars(query))
    with _LOCK:
        _EXPRESSIONS[checksum] = found
    return found


def subscription_keys(
    session: Session, instance: ProcessInstance, waits: tuple[MessageWait, ...], data: dict[str, Any]
) -> dict[str, str | None]:
    """Waiting task id -> the correlation key it subscribes under."""
    expressions = _expressions(session, instance)
    if not expressions or not any(wait.message_name in expressions for wait in waits):
        return {wait.task_id: instance.business_key for wait in waits}
    query = select(MessageSubscription.task_id, MessageSubscription.correlation_key).where(
        MessageSubscription.instance_id == instance.id
    )
    previous = {task_id: key for task_id, key in session.execute(query)}
    keys: dict[str, str | None] = {}
    for wait in waits:
        expression = expressions.get(wait.message_name)
        if expression is None:
            keys[wait.task_id] = instance.business_key
        elif wait.task_id in previous:
            keys[wait.task_id] = previous[wait.task_id]
        else:
            key = correlation_key(expression, wait.variables if wait.variables is not None else data)
            keys[wait.task_id] = key[:KEY_LENGTH] if key is not None else None
    return keys
