"""Service tasks run system actions by topic inside the unit of work; unknown topics are incidents."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actions.context import ServiceContext
from engine.actions.registry import HANDLERS
from engine.services.instances import lifecycle as instances
from engine.store import queries
from engine.store.outbox import OutboxMessage
from tests.engine.helpers import ADMIN, DIAGRAMS, deploy_paths, only_task


@pytest.fixture
def crm_handler_removed() -> Iterator[None]:
    HANDLERS.pop("crm_update", None)
    yield
    HANDLERS.pop("crm_update", None)


def test_notify_queues_an_outbox_row_and_unknown_topic_is_an_incident(
    session: Session, now: datetime, crm_handler_removed: None
) -> None:
    deploy_paths(session, now, DIAGRAMS / "service_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "service_flow", {"customer_email": "kunde@example.org"}, now)
    [message] = session.scalars(select(OutboxMessage)).all()
    assert (message.kind, message.topic, message.recipient, message.status) == (
        "email",
        "complaint_received",
        "kunde@example.org",
        "pending",
    )
    assert message.instance_id == instance.id
    incident = queries.open_incident(session, instance.id)
    assert incident is not None and incident.element_id == "update_crm"
    assert "no system action for topic 'crm_update'" in incident.message

    calls: list[str] = []

    def crm_update(context: ServiceContext) -> dict[str, object]:
        calls.append(context.call.element_id)
        return {"crm_ticket": "CRM-1"}

    HANDLERS["crm_update"] = crm_update
    instances.retry_instance(session, ADMIN, instance.id, now)
    assert calls == ["update_crm"]
    assert instance.status == "running" and instance.variables["crm_ticket"] == "CRM-1"
    assert only_task(session, instance.id).element_id == "handle"
    # The receipt was sent once, not again on retry.
    assert len(session.scalars(select(OutboxMessage)).all()) == 1


def test_failing_handler_is_an_incident(session: Session, now: datetime, crm_handler_removed: None) -> None:
    def broken(context: ServiceContext) -> None:
        raise RuntimeError("CRM is down")

    HANDLERS["crm_update"] = broken
    deploy_paths(session, now, DIAGRAMS / "service_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "service_flow", {"customer_email": "k@example.org"}, now)
    incident = queries.open_incident(session, instance.id)
    assert incident is not None and incident.message == "crm_update failed: CRM is down"


def test_notify_without_recipient_is_an_incident(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "service_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "service_flow", {}, now)
    incident = queries.open_incident(session, instance.id)
    assert incident is not None and incident.element_id == "send_receipt"
    assert session.scalars(select(OutboxMessage)).all() == []
