"""Staff pages: the in-app notification list, e-mail preferences, and the admins' delivery log and webhooks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask

from engine.domain.actors import Actor
from engine.services.delivery import notices
from engine.services.delivery.outbox import enqueue
from tests.conftest import DatabaseUnderTest
from tests.notifications.helpers import Clock, SmtpServer, channel_settings, dispatcher
from tests.webui.support import Client, app_context, make_app, seed


@pytest.fixture
def app(database: DatabaseUnderTest, now: datetime, tmp_path: Path) -> Flask:
    with database.session() as session:
        seed(session, now)
    context = app_context(database.url, database.engine, database.sessions, tmp_path / "instance")
    return make_app(context, now)


def _signed_in(app: Flask, username: str) -> Client:
    client = Client(app)
    assert client.sign_in(username).status_code == 302
    return client


def test_notifications_list_preferences_and_delivery_log(
    app: Flask, database: DatabaseUnderTest, smtp_server: SmtpServer, clock: Clock, now: datetime
) -> None:
    with database.session() as session:
        enqueue(
            session,
            now,
            kind="in_app",
            topic="subtask_assigned",
            recipient="agent",
            subject="C-1: <script>alert(1)</script>check",
            body="Please check the invoice.",
        )
        enqueue(
            session, now, kind="email", topic="customer_reply", recipient="erika@example.org", subject="Hi", body="x"
        )
        session.commit()
    assert dispatcher(database.sessions, channel_settings(smtp_server.port), clock).run_once().sent == 2

    agent = _signed_in(app, "agent")
    page = agent.text("/notifications/")
    assert "Please check the invoice." in page and "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert agent.post("/notifications/", {}).status_code == 302
    with database.session() as session:
        assert notices.unread_count(session, Actor("agent")) == 0

    assert agent.post("/notifications/preferences", {"task_assigned": "on"}).status_code == 200
    with database.session() as session:
        choices = notices.preferences(session, Actor("agent"))
    assert choices["task_assigned"] is True and choices["sla_reminder"] is False

    assert agent.get("/notifications/deliveries").status_code == 403
    admin = _signed_in(app, "admin")
    log = admin.text("/notifications/deliveries")
    assert "e…@example.org" in log and "erika@example.org" not in log, "admins see no customer addresses"
    bad = admin.post("/notifications/deliveries", {"url": "javascript:alert(1)", "events": "*"})
    assert bad.status_code == 400 and "absolute http" in bad.get_data(as_text=True)
    added = admin.post("/notifications/deliveries", {"url": "https://crm.example.org/hook", "events": "resolution"})
    assert added.status_code == 200 and "https://crm.example.org/hook" in added.get_data(as_text=True)
