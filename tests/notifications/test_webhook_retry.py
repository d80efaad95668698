"""The webhook delivery log with status, and retrying a delivery that gave up (admins, audited)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from engine.domain.actors import Actor
from engine.domain.errors import FormValidationError, InvalidState, PermissionDenied
from engine.services.delivery import webhooks as webhook_admin
from engine.services.delivery.outbox import enqueue
from engine.store.models import AuditEntry
from tests.conftest import DatabaseUnderTest
from tests.notifications.helpers import (
    ADMIN,
    Clock,
    SmtpServer,
    WebhookReceiver,
    channel_settings,
    dispatcher,
    open_test_complaint,
)


def test_a_refused_delivery_is_logged_failed_and_retried_on_request(
    database: DatabaseUnderTest,
    process: None,
    smtp_server: SmtpServer,
    receiver: WebhookReceiver,
    clock: Clock,
    now: datetime,
) -> None:
    with database.session() as session:
        endpoint = webhook_admin.create_endpoint(
            session, ADMIN, receiver.url, ["complaint_received"], now, secret="a-secret-of-our-own"
        )
        assert endpoint.secret == "a-secret-of-our-own"
        receiver.secret = "the receiver expects another one"
        complaint = open_test_complaint(session, now)
        enqueue(session, now, kind="email", topic="complaint_received", recipient="erika@example.org",
                complaint_id=complaint.id, instance_id=complaint.instance_id)  # fmt: skip
        session.commit()
        endpoint_id = endpoint.id
    send = dispatcher(database.sessions, channel_settings(smtp_server.port), clock)
    send.run_once()
    send.run_once()
    assert [call["status"] for call in receiver.calls] == [401]
    with database.session() as session:
        [item] = webhook_admin.webhook_deliveries(session, ADMIN, endpoint_id=endpoint_id)
        assert (item.message.status, item.message.attempts, item.status_code) == ("failed", 1, 401)
        assert item.endpoint_id == endpoint_id and item.message.topic == "complaint_received"
        with pytest.raises(PermissionDenied):
            webhook_admin.retry_delivery(session, Actor("agent", roles=frozenset({"agent"})), item.message.id, now)
        webhook_admin.retry_delivery(session, ADMIN, item.message.id, clock())
        delivery_id = item.message.id
    # Fixed on the receiving side; the next dispatcher pass delivers it.
    receiver.secret = "a-secret-of-our-own"
    send.run_once()
    assert [call["status"] for call in receiver.calls] == [401, 200]
    with database.session() as session:
        [item] = webhook_admin.webhook_deliveries(session, ADMIN)
        assert (item.message.status, item.status_code) == ("sent", 200)
        with pytest.raises(InvalidState):
            webhook_admin.retry_delivery(session, ADMIN, delivery_id, now)
        retried = session.scalars(select(AuditEntry).where(AuditEntry.action == "webhook_retried")).one()
        assert retried.actor == "admin" and retried.after == {
            "delivery": delivery_id,
            "endpoint": f"webhook:{endpoint_id}",
        }


def test_a_short_secret_is_refused(database: DatabaseUnderTest, now: datetime) -> None:
    with database.session() as session, pytest.raises(FormValidationError) as refused:
        webhook_admin.create_endpoint(session, ADMIN, "https://crm.example.org/hook", ["*"], now, secret="short")
    assert set(refused.value.errors) == {"secret"}
