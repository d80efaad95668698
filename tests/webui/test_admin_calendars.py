"""The business calendar pages: create, preview, validation, recompute with a dry run, delete; admins only."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from engine.store.calendars import BusinessCalendarVersion
from engine.store.complaints import Complaint
from engine.store.models import AuditEntry
from tests.conftest import DatabaseUnderTest
from tests.sla.helpers import open_sla_complaint
from tests.webui.support import Client

FORM = {
    "name": "vienna",
    "team": "billing",
    "timezone": "Europe/Vienna",
    "week_0": "08:00-12:00, 13:00-17:00",
    "week_1": "08:00-17:00",
    "week_2": "08:00-17:00",
    "week_3": "08:00-17:00",
    "week_4": "08:00-14:00",
    "week_5": "",
    "week_6": "",
    "country": "AT",
    "subdivision": "9",
    "closing_days": "2026-12-24\n2026-12-31",
}


def test_admin_creates_a_calendar_and_sees_its_preview(
    client_for: Callable[[str], Client], database: DatabaseUnderTest
) -> None:
    admin = client_for("admin")
    created = admin.post("/admin/calendars/new", FORM)
    assert created.status_code == 302, created.get_data(as_text=True)
    assert created.location.endswith("/admin/calendars/vienna/recompute")
    dry_run = admin.get("/admin/calendars/vienna/recompute").get_data(as_text=True)
    assert "0 open complaints still count on an earlier version of vienna." in dry_run
    listing = admin.get("/admin/calendars/").get_data(as_text=True)
    assert "Europe/Vienna" in listing and "database, version 1" in listing and "+ 2 closing days" in listing
    # Monday 09:00 UTC (10:00 in Vienna) plus five business days: the next Monday, same wall time.
    edit = admin.get("/admin/calendars/vienna").get_data(as_text=True)
    assert "Christtag" not in edit  # English holiday names for an English user
    assert "Christmas Day" in edit and "company closing day" in edit
    with database.session() as session:
        row = session.scalars(select(BusinessCalendarVersion)).one()
        assert (row.team, row.week[0], row.closing_days) == (
            "billing",
            "08:00-12:00, 13:00-17:00",
            ["2026-12-24", "2026-12-31"],
        )
        saved = session.scalars(select(AuditEntry).where(AuditEntry.action == "calendar_saved")).one()
        assert saved.actor == "admin" and saved.after is not None and saved.after["name"] == "vienna"


def test_bad_input_is_shown_field_by_field_in_german(
    client_for: Callable[[str], Client], database: DatabaseUnderTest
) -> None:
    admin = client_for("admin")
    assert admin.post("/profile/", {"language": "de"}).status_code == 302
    bad = admin.post("/admin/calendars/new", {**FORM, "week_1": "8-17", "timezone": "Mars/Olympus", "country": "XX"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "HH:MM-HH:MM, mehrere durch Kommas getrennt" in text
    assert "unbekannte Zeitzone" in text
    with database.session() as session:
        assert session.scalars(select(BusinessCalendarVersion)).first() is None


def test_a_new_version_asks_before_moving_running_deadlines(
    client_for: Callable[[str], Client], database: DatabaseUnderTest, now: datetime
) -> None:
    admin = client_for("admin")
    with database.session() as session:
        for _ in range(2):
            open_sla_complaint(session, now)
        running = session.scalars(
            select(Complaint).where(Complaint.resolved_at.is_(None), Complaint.resolution_target.is_not(None))
        ).all()
        due = {complaint.id: complaint.resolution_due_at for complaint in running}
    assert running
    # The seeded complaints count on the built-in "default"; a stored one of that name is a new version.
    assert admin.post("/admin/calendars/new", {**FORM, "name": "default", "timezone": "UTC"}).status_code == 302
    page = admin.get("/admin/calendars/default/recompute").get_data(as_text=True)
    assert f"{len(running)} open complaints still count on an earlier version of default" in page
    with database.session() as session:
        assert {
            c.id: c.resolution_due_at for c in session.scalars(select(Complaint).where(Complaint.id.in_(due)))
        } == due
    moved = admin.post("/admin/calendars/default/recompute")
    assert moved.status_code == 302
    assert f"Deadlines of {len(running)} complaints recomputed." in admin.get("/admin/calendars/").get_data(
        as_text=True
    )
    again = admin.get("/admin/calendars/default/recompute").get_data(as_text=True)
    assert "0 open complaints still count" in again
    with database.session() as session:
        assert {c.sla_calendar for c in session.scalars(select(Complaint).where(Complaint.id.in_(due)))} == {
            "default@1"
        }


def test_only_admins_reach_the_calendars(client_for: Callable[[str], Client]) -> None:
    for name in ("agent", "lead", "manager", "designer"):
        client = client_for(name)
        assert client.get("/admin/calendars/").status_code == 403
        assert client.post("/admin/calendars/new", FORM).status_code == 403


def test_the_settings_file_is_imported_on_request(
    app: Flask, client_for: Callable[[str], Client], tmp_path: Path
) -> None:
    admin = client_for("admin")
    assert admin.post("/admin/calendars/import").status_code == 404  # no file configured
    path = tmp_path / "calendars.toml"
    path.write_text('[calendars.social_desk]\ntimezone = "Europe/Berlin"\nalways_open = true\n', encoding="utf-8")
    context = app.extensions["complaintflow"]
    context.settings = dataclasses.replace(context.settings, calendars_file=path)
    assert "Import the settings file" in admin.get("/admin/calendars/").get_data(as_text=True)
    assert admin.post("/admin/calendars/import").status_code == 302
    listing = admin.get("/admin/calendars/").get_data(as_text=True)
    assert "Imported from the settings file: social_desk." in listing
    assert "round the clock" in listing and "database, version 1" in listing
