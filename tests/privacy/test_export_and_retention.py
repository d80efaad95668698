"""The customer export (everything of theirs, nothing of anyone else) and the retention clean-up."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine.domain.actors import Actor
from engine.domain.errors import PermissionDenied
from engine.services.privacy.data_export import export_customer, export_summary
from engine.services.privacy.retention import run_retention
from engine.store.complaints import Customer
from engine.store.models import AuditEntry
from tests.conftest import DatabaseUnderTest
from tests.privacy.support import ADMIN, add_history, close, complaint, traces
from tests.webui.support import COMPLAINTS, Seeded


def test_the_export_holds_everything_of_the_customer_and_nothing_else(
    database: DatabaseUnderTest, seeded: Seeded, now: datetime
) -> None:
    with database.session() as session:
        add_history(session, seeded.complaints["billing"], now - timedelta(hours=1), "meier-tag")
        add_history(session, seeded.complaints["delivery"], now - timedelta(hours=1), "schulz-tag")
        close(session, seeded.complaints["billing"], now - timedelta(minutes=5))
        customer_id = complaint(session, seeded.complaints["billing"]).customer_id
    with database.session() as session:
        export = export_customer(session, ADMIN, customer_id, now)
    text = json.dumps(export, ensure_ascii=False)
    assert export["customer"]["email"] == "meier@example.org" and export["customer"]["name"] == "Frau Meier"
    assert [c["reference"] for c in export["complaints"]] == [seeded.complaints["billing"], seeded.complaints["again"]]
    billing = export["complaints"][0]
    assert billing["description"] == COMPLAINTS["billing"][3]
    assert billing["feedback"] == {"csat": 4, "nps": 8, "comment": "Thanks, Frau Meier is happy"}
    assert any("meier-tag" in note["body"] and note["internal"] for note in billing["notes"])
    assert "meier-tag" in billing["handovers"][0]["question"] and "meier-tag" in billing["subtasks"][0]["description"]
    assert base64.b64decode(billing["attachments"][0]["content_base64"]) == b"%PDF meier-tag"
    assert any(m["recipient"] == "meier@example.org" for m in billing["messages"])
    assert billing["inbound_mail"] and billing["process"]["variables"]["customer_name"] == "Frau Meier"
    assert {"complaint_opened", "task_completed"} <= {entry["action"] for entry in billing["audit"]}
    for other in (
        "Herr Schulz",
        "schulz",
        "Acme",
        "schulz-tag",
        seeded.complaints["delivery"],
        seeded.complaints["big"],
    ):
        assert other not in text
    with database.session() as session:
        counted = export_summary(session, session.get(Customer, customer_id))  # type: ignore[arg-type]
    complaints = export["complaints"]
    assert counted == {
        "complaints": 2,
        "notes": sum(len(c["notes"]) for c in complaints),
        "attachments": 1,
        "messages": sum(len(c["messages"]) for c in complaints) + len(export["other_messages"]),
        "audit": sum(len(c["audit"]) for c in complaints),
    }
    assert counted["notes"] >= 1 and counted["messages"] >= 1
    with database.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "customer_data_exported")).one()
        assert entry.actor == ADMIN.username and entry.after == {"customer_id": customer_id, "complaints": 2}
        assert "Meier" not in json.dumps(entry.after) and entry.message is None


def test_only_an_admin_may_export(database: DatabaseUnderTest, seeded: Seeded, now: datetime) -> None:
    with database.session() as session, pytest.raises(PermissionDenied):
        export_customer(session, Actor("boss", roles=frozenset({"manager"})), 1, now)


def test_retention_lists_then_pseudonymises_only_complaints_closed_longer_than_the_period(
    database: DatabaseUnderTest, seeded: Seeded, now: datetime
) -> None:
    with database.session() as session:
        # Closed 40 days before the (injected) clock of the clean-up; Schulz's closed only 10 days before it.
        close(session, seeded.complaints["billing"], now - timedelta(minutes=30))
        close(session, seeded.complaints["delivery"], now - timedelta(minutes=20))
        complaint(session, seeded.complaints["delivery"]).closed_at = now - timedelta(days=10)
        complaint(session, seeded.complaints["billing"]).closed_at = now - timedelta(days=40)
        session.commit()
    later = now  # the clean-up runs "now"; closure dates are in the past relative to it

    with database.session() as session:
        dry = run_retention(session, ADMIN, 30, later, dry_run=True)
    assert [c.reference for c in dry.candidates] == [seeded.complaints["billing"]] and dry.done == []
    with database.session() as session:
        assert complaint(session, seeded.complaints["billing"]).pseudonymised_at is None
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "retention_run")).all() == []

    with database.session() as session:
        report = run_retention(session, ADMIN, 30, later)
    assert report.done == [seeded.complaints["billing"]] and report.failed == {}
    with database.session() as session:
        billing = complaint(session, seeded.complaints["billing"])
        assert billing.pseudonymised_at == later and billing.description == "[erased]" and billing.csat == 4
        delivery = complaint(session, seeded.complaints["delivery"])
        assert delivery.pseudonymised_at is None and delivery.description == COMPLAINTS["delivery"][3]
        assert traces(session, [COMPLAINTS["billing"][3], COMPLAINTS["billing"][2]]) == []
        # Frau Meier has another complaint that is still open: her record stays, only the old case is gone.
        meier = session.get(Customer, billing.customer_id)
        assert meier is not None and meier.email == "meier@example.org" and meier.pseudonymised_at is None
        actions = [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.at == later))]
        assert actions.count("complaint_pseudonymised") == 1 and actions.count("retention_run") == 1
        run = session.scalars(select(AuditEntry).where(AuditEntry.action == "retention_run")).one()
        assert run.after == {"retention_days": 30, "pseudonymised": 1, "skipped": 0, "failed": 0}

    with database.session() as session:
        assert run_retention(session, ADMIN, 30, later, dry_run=True).candidates == []
    with database.session() as session:
        # Thirty days on, Schulz's complaint is due as well; with it his only complaint, so his record goes too.
        report = run_retention(session, ADMIN, 30, later + timedelta(days=21))
    assert report.done == [seeded.complaints["delivery"]]
    with database.session() as session:
        schulz = complaint(session, seeded.complaints["delivery"]).customer
        assert schulz.pseudonymised_at is not None and schulz.email is None
        assert traces(session, ["Herr Schulz", "schulz@example.org"]) == []


def test_retention_needs_the_admin_role(database: DatabaseUnderTest, seeded: Seeded, now: datetime) -> None:
    with database.session() as session, pytest.raises(PermissionDenied):
        run_retention(session, Actor("boss", roles=frozenset({"manager"})), 30, now, dry_run=True)
