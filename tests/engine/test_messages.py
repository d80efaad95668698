"""Messages delivered by name and business key to the waiting instance."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.domain.errors import NotFound
from engine.services.casework import tasks
from engine.services.instances import lifecycle as instances
from engine.store.models import MessageSubscription
from tests.engine.helpers import ADMIN, ANNA, DIAGRAMS, deploy_paths, only_task


def _waiting(session: Session, now: datetime, key: str):  # type: ignore[no-untyped-def]
    instance = instances.start_instance(session, ADMIN, "message_flow", {"complaint_id": key}, now)
    tasks.complete_task(session, ANNA, only_task(session, instance.id).id, {"question": "Order number?"}, now)
    return instance


def test_message_reaches_the_instance_with_the_same_key(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "message_flow.bpmn")
    first = _waiting(session, now, "C-1")
    second = _waiting(session, now, "C-2")
    assert first.status == "waiting"
    subscription = session.scalars(select(MessageSubscription).where(MessageSubscription.instance_id == first.id)).one()
    assert (subscription.message_name, subscription.correlation_key) == ("customer_info_received", "C-1")

    delivered = instances.deliver_message(
        session, ADMIN, "customer_info_received", "C-2", {"order_number": "4711"}, now
    )
    assert delivered == [second.id]
    assert second.status == "running"
    assert second.variables["order_number"] == "4711"
    assert only_task(session, second.id).element_id == "review_info"
    assert first.status == "waiting"
    assert session.scalar(select(func.count()).select_from(MessageSubscription)) == 1


def test_message_without_a_waiting_instance_is_refused(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "message_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "message_flow", {"complaint_id": "C-1"}, now)
    # Not waiting yet: the agent has not asked the customer.
    with pytest.raises(NotFound, match="no instance is waiting"):
        instances.deliver_message(session, ADMIN, "customer_info_received", "C-1", {}, now)
    with pytest.raises(NotFound):
        instances.deliver_message(session, ADMIN, "customer_info_received", "C-9", {}, now)
    assert instance.status == "running"
