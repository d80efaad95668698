"""The webhook page: subscriptions with events and secret (shown once), the delivery log, retry, switch off."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from engine.store.channels import DeliveryAttempt, WebhookEndpoint
from engine.store.models import AuditEntry
from engine.store.outbox import OUTBOX_FAILED, OutboxMessage
from tests.conftest import DatabaseUnderTest
from tests.webui.support import Client

SECRET = re.compile(r'<code id="secret-value">([^<]+)</code>')


def failed_delivery(database: DatabaseUnderTest, endpoint_id: int, now: datetime) -> int:
    """A delivery as the dispatcher leaves one the receiver refused (HTTP 401, permanent)."""
    with database.session() as session:
        row = OutboxMessage(created_at=now, kind="webhook", topic="complaint_received",
                            recipient=f"webhook:{endpoint_id}", payload={}, status=OUTBOX_FAILED, attempts=1,
                            last_error="HTTP 401")  # fmt: skip
        session.add(row)
        session.flush()
        session.add(DeliveryAttempt(outbox_id=row.id, channel="webhook", target="https://crm.example.org/hook", at=now,
                                    success=False, status_code=401, error="HTTP 401"))  # fmt: skip
        session.commit()
        return row.id


def test_admin_subscribes_sees_the_log_and_retries(
    client_for: Callable[[str], Client], database: DatabaseUnderTest, now: datetime
) -> None:
    admin = client_for("admin")
    form = {"url": "https://crm.example.org/hook", "events": ["complaint_received", "resolution"], "description": "CRM"}
    assert admin.post("/admin/webhooks/", form).status_code == 302
    page = admin.get("/admin/webhooks/").get_data(as_text=True)
    [secret] = SECRET.findall(page)
    assert "Complaint received, Resolution sent" in page
    assert secret not in admin.get("/admin/webhooks/").get_data(as_text=True), "shown once"
    with database.session() as session:
        endpoint = session.scalars(select(WebhookEndpoint)).one()
        assert (endpoint.events, endpoint.secret, endpoint.description) == (
            ["complaint_received", "resolution"],
            secret,
            "CRM",
        )
    delivery = failed_delivery(database, endpoint.id, now)
    log = admin.get(f"/admin/webhooks/?subscription={endpoint.id}").get_data(as_text=True)
    assert "gave up" in log and "401" in log and "HTTP 401" in log
    assert admin.post(f"/admin/webhooks/deliveries/{delivery}/retry").status_code == 302
    assert f"Delivery {delivery} queued again." in admin.get("/admin/webhooks/").get_data(as_text=True)
    with database.session() as session:
        row = session.get(OutboxMessage, delivery)
        assert row is not None and (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, now)
        actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("webhook_%"))))
    assert actions == {"webhook_created", "webhook_retried"}
    again = admin.post(f"/admin/webhooks/deliveries/{delivery}/retry")
    assert again.status_code == 302
    assert "Only a failed delivery can be retried" in admin.get("/admin/webhooks/").get_data(as_text=True)
    assert admin.post(f"/admin/webhooks/{endpoint.id}/deactivate").status_code == 302
    with database.session() as session:
        assert session.get(WebhookEndpoint, endpoint.id).active is False  # type: ignore[union-attr]


def test_bad_subscriptions_are_refused_in_german(
    client_for: Callable[[str], Client], database: DatabaseUnderTest
) -> None:
    admin = client_for("admin")
    assert admin.post("/profile/", {"language": "de"}).status_code == 302
    bad = admin.post("/admin/webhooks/", {"url": "javascript:alert(1)", "secret": "short"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "muss eine absolute http://- oder https://-URL sein" in text
    assert "mindestens ein Ereignis wählen" in text and "mindestens 16 und höchstens 200 Zeichen" in text
    with database.session() as session:
        assert session.scalars(select(WebhookEndpoint)).first() is None


def test_only_admins_manage_webhooks(client_for: Callable[[str], Client]) -> None:
    for name in ("agent", "lead", "manager", "designer"):
        client = client_for(name)
        assert client.get("/admin/webhooks/").status_code == 403
        assert client.post("/admin/webhooks/", {"url": "https://x.example", "events": ["*"]}).status_code == 403
