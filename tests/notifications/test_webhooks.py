"""Webhooks: signed JSON to configured URLs per event, retried after a server error, logged for admins."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.domain.actors import Actor
from engine.domain.errors import FormValidationError, PermissionDenied
from engine.services.delivery import webhooks as webhook_admin
from engine.services.delivery.outbox import enqueue
from notifications import webhooks
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


def test_signed_event_reaches_the_receiver_once_after_a_server_error(
    database: DatabaseUnderTest,
    process: None,
    smtp_server: SmtpServer,
    receiver: WebhookReceiver,
    clock: Clock,
    now: datetime,
) -> None:
    with database.session() as session:
        endpoint = webhook_admin.create_endpoint(session, ADMIN, receiver.url, ["complaint_received"], now)
        webhook_admin.create_endpoint(session, ADMIN, receiver.url + "/other", ["sla_escalation"], now)
        receiver.secret = endpoint.secret
        complaint = open_test_complaint(session, now)
        enqueue(
            session,
            now,
            kind="email",
            topic="complaint_received",
            recipient="erika@example.org",
            complaint_id=complaint.id,
            instance_id=complaint.instance_id,
        )
        enqueue(
            session,
            now,
            kind="email",
            topic="customer_reply",
            recipient="erika@example.org",
            subject="s",
            body="b",
            complaint_id=complaint.id,
        )
        session.commit()
        reference = complaint.reference
    receiver.fail_next = 1
    worker = dispatcher(database.sessions, channel_settings(smtp_server.port), clock)

    assert worker.run_once().sent == 2  # the two mails; the webhook row was queued by the first claim
    report = worker.run_once()
    assert (report.sent, report.retrying) == (0, 1)
    clock.advance(seconds=59)
    assert worker.run_once().retrying == 0
    clock.advance(seconds=1)
    assert worker.run_once().sent == 1
    clock.advance(hours=1)
    assert worker.run_once().sent == 0

    assert [call["status"] for call in receiver.calls] == [500, 200]
    assert all(call["valid"] for call in receiver.calls), "the receiver verified the HMAC-SHA256 signature"
    first, second = receiver.calls
    assert first["delivery"] == second["delivery"] == second["json"]["id"], "same idempotency key on the retry"
    assert second["event"] == "complaint_received"
    body = second["json"]
    assert body["complaint"]["reference"] == reference and body["complaint"]["status"] == "open"
    assert "/portal/status/" not in str(body), "the customer's private link is not shared with integrations"

    with database.session() as session:
        log = [entry for entry in webhook_admin.delivery_log(session, ADMIN) if entry.channel == "webhook"]
        assert [(entry.success, entry.status_code) for entry in reversed(log)] == [(False, 500), (True, 200)]
        with pytest.raises(PermissionDenied):
            webhook_admin.delivery_log(session, Actor("anna"))


def test_a_wrong_secret_is_rejected_by_the_receiver_and_not_retried(
    database: DatabaseUnderTest, receiver: WebhookReceiver, clock: Clock, now: datetime
) -> None:
    with database.session() as session:
        webhook_admin.create_endpoint(session, ADMIN, receiver.url, ["*"], now)
        receiver.secret = "not-the-endpoint-secret"
        enqueue(session, now, kind="in_app", topic="anything", recipient="somebody@example.org", subject="x")
        session.commit()
    worker = dispatcher(database.sessions, channel_settings(1), clock)
    worker.run_once()  # the mail fails (no SMTP on port 1); the webhook row is queued all the same
    report = worker.run_once()
    assert report.failed == 1 and [call["status"] for call in receiver.calls] == [401]


def test_the_process_acknowledgement_is_the_complaint_received_event(
    database: DatabaseUnderTest, process: None, receiver: WebhookReceiver, clock: Clock, now: datetime
) -> None:
    """The shipped process acknowledges with its own mail topic; subscribers of "complaint_received" hear of it."""
    with database.session() as session:
        endpoint = webhook_admin.create_endpoint(session, ADMIN, receiver.url, ["complaint_received"], now)
        receiver.secret = endpoint.secret
        complaint = open_test_complaint(session, now)
        enqueue(session, now, kind="in_app", topic="complaint_acknowledgement", recipient="erika@example.org",
                subject="x", complaint_id=complaint.id, instance_id=complaint.instance_id)  # fmt: skip
        session.commit()
    worker = dispatcher(database.sessions, channel_settings(1), clock)
    worker.run_once()
    worker.run_once()
    assert [(call["status"], call["event"]) for call in receiver.calls] == [(200, "complaint_received")]
    assert receiver.calls[0]["json"]["event"] == "complaint_received"


def test_signature_check_detects_a_changed_body() -> None:
    body = webhooks.body_bytes({"event": "resolution", "amount": 10})
    signature = webhooks.sign("s3cret", 1_800_000_000, body)
    assert webhooks.verify("s3cret", "1800000000", body, signature)
    assert not webhooks.verify("s3cret", "1800000000", body.replace(b"10", b"99"), signature)
    assert not webhooks.verify("s3cret", "1800000001", body, signature)
    assert not webhooks.verify("other", "1800000000", body, signature)


def test_only_admins_register_endpoints_and_bad_urls_are_refused(database: DatabaseUnderTest, now: datetime) -> None:
    with database.session() as session:
        with pytest.raises(PermissionDenied):
            webhook_admin.create_endpoint(session, Actor("anna"), "https://crm.example.org/hook", ["*"], now)
        for url in (
            "javascript:alert(1)",
            "ftp://x.example.org/",
            "https://user:pw@crm.example.org/",
            "https://crm.example.org/a b",
            "/relative",
        ):
            with pytest.raises(FormValidationError) as error:
                webhook_admin.create_endpoint(session, ADMIN, url, ["*"], now)
            assert "url" in error.value.errors
        with pytest.raises(FormValidationError) as error:
            webhook_admin.create_endpoint(session, ADMIN, "https://crm.example.org/hook", ["<script>"], now)
        assert "events" in error.value.errors
        assert webhook_admin.list_endpoints(session, ADMIN) == []
