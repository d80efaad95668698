"""The admin's data protection pages: find, preview, export, erase (with confirmation), retention; 403 for others."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from engine.store.complaints import Customer
from engine.store.models import AuditEntry
from tests.conftest import DatabaseUnderTest
from tests.privacy.support import close, complaint, traces
from tests.webui.support import Client, Seeded, app_context, make_app


def test_admin_finds_previews_exports_and_erases_a_customer(
    client_for: Callable[[str], Client], database: DatabaseUnderTest, seeded: Seeded, now: datetime
) -> None:
    admin = client_for("admin")
    page = admin.text("/privacy/?q=MEIER@example.org")
    with database.session() as session:
        customer_id = complaint(session, seeded.complaints["billing"]).customer_id
    assert f"/privacy/customers/{customer_id}" in page and "Frau Meier" in page
    assert "No customer" in admin.text("/privacy/?q=nobody@example.org")
    assert f"/privacy/customers/{customer_id}" in admin.text(f"/privacy/?q={customer_id}")

    preview = admin.text(f"/privacy/customers/{customer_id}")
    assert "Cannot be erased yet" in preview and seeded.complaints["again"] in preview
    export = admin.post(f"/privacy/customers/{customer_id}/export")
    assert export.status_code == 200 and export.mimetype == "application/json"
    assert json.loads(export.get_data(as_text=True))["customer"]["name"] == "Frau Meier"
    assert admin.post(f"/privacy/customers/{customer_id}/export", csrf=False).status_code == 400

    refused = admin.post(f"/privacy/customers/{customer_id}/erase", {"confirm": "y"})
    assert refused.status_code == 302
    assert "still has open complaints" in admin.text(f"/privacy/customers/{customer_id}")

    with database.session() as session:
        close(session, seeded.complaints["billing"], now - timedelta(minutes=10))
        close(session, seeded.complaints["again"], now - timedelta(minutes=5))
    page = admin.text(f"/privacy/customers/{customer_id}")
    assert "Erase the customer" in page
    admin.post(f"/privacy/customers/{customer_id}/erase", {})  # not confirmed: nothing happens
    assert "Tick the box" in admin.text(f"/privacy/customers/{customer_id}")
    with database.session() as session:
        assert session.get(Customer, customer_id).pseudonymised_at is None  # type: ignore[union-attr]
    assert admin.post(f"/privacy/customers/{customer_id}/erase", {"confirm": "y"}, csrf=False).status_code == 400
    done = admin.post(f"/privacy/customers/{customer_id}/erase", {"confirm": "y"})
    assert done.status_code == 302
    page = admin.text(f"/privacy/customers/{customer_id}")
    assert "keep their statistics under the pseudonym" in page and "Already erased" in page
    with database.session() as session:
        assert traces(session, ["Frau Meier", "meier@example.org"]) == []
        actions = [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.actor == "admin"))]
        assert "customer_data_exported" in actions and "customer_erased" in actions


@pytest.mark.parametrize("user", ["manager", "lead", "agent", "designer", "dept"])
def test_only_admins_reach_the_data_protection_pages(client_for: Callable[[str], Client], user: str) -> None:
    client = client_for(user)
    for path in ("/privacy/", "/privacy/customers/1", "/privacy/retention"):
        assert client.get(path).status_code == 403
    for path in ("/privacy/customers/1/export", "/privacy/customers/1/erase", "/privacy/retention/run"):
        assert client.post(path, {"confirm": "y"}).status_code == 403


def test_retention_page_previews_and_runs(
    database: DatabaseUnderTest, seeded: Seeded, now: datetime, tmp_path: Path, app: Flask
) -> None:
    with database.session() as session:
        close(session, seeded.complaints["delivery"], now - timedelta(minutes=10))
        complaint(session, seeded.complaints["delivery"]).closed_at = now - timedelta(days=100)
        session.commit()
    context = app_context(database.url, database.engine, database.sessions, tmp_path / "with-retention")
    context.settings = context.settings.__class__(**{**context.settings.__dict__, "retention_days": 90})
    client = Client(make_app(context, now))
    assert client.sign_in("admin").status_code == 302
    page = client.text("/privacy/retention")
    assert seeded.complaints["delivery"] in page and seeded.complaints["billing"] not in page
    assert client.post("/privacy/retention/run").status_code == 302
    assert "1 complaint(s) pseudonymised" in client.text("/privacy/retention")
    with database.session() as session:
        assert complaint(session, seeded.complaints["delivery"]).pseudonymised_at == now
    # Without a period (the default app), the page says so and a run changes nothing.
    default = Client(app)
    default.sign_in("admin")
    assert "No retention period is set" in default.text("/privacy/retention")
