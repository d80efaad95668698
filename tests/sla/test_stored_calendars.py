"""Business calendars in the database: versions pin running clocks; recompute moves them on request."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.calendars import calendar_named
from engine.domain.errors import FormValidationError, NotFound, PermissionDenied
from engine.services.sla import business_calendars, calendar_admin
from engine.services.sla.business_calendars import CalendarData
from engine.store.complaints import Complaint
from engine.store.models import AuditEntry
from tests.engine.helpers import ADMIN, ANNA, only_task
from tests.sla.helpers import open_sla_complaint


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clean_registry() -> Iterator[None]:
    business_calendars.forget_stored()
    yield
    business_calendars.forget_stored()


def late_office(**overrides: object) -> CalendarData:
    """The default calendar moved to 12:00-20:00 UTC, Monday to Friday, no holidays."""
    values: dict[str, object] = {
        "name": "default",
        "timezone": "UTC",
        "week": ["12:00-20:00"] * 5 + ["", ""],
        "country": None,
    }
    values.update(overrides)
    return CalendarData(**values)  # type: ignore[arg-type]


def test_a_stored_calendar_pins_new_clocks_and_an_edit_leaves_them_alone(session: Session, now: datetime) -> None:
    calendar_admin.save_calendar(session, ADMIN, late_office(), now)
    first = open_sla_complaint(session, now)
    assert first.sla_calendar == "default@1"
    # Monday 09:00 UTC, the office opens at 12:00: 4 business hours -> 16:00 (business days keep the wall time).
    assert first.first_response_due_at == utc(23, 16)
    assert first.resolution_due_at == utc(25, 9)

    calendar_admin.save_calendar(session, ADMIN, late_office(week=["08:00-16:00"] * 5 + ["", ""]), now)
    session.refresh(first)
    assert (first.sla_calendar, first.first_response_due_at, first.resolution_due_at) == (
        "default@1",
        utc(23, 16),
        utc(25, 9),
    )
    # The old version still computes for the pinned clock; new clocks get the new one.
    assert calendar_named("default@1").hours[0][0][0].hour == 12
    second = open_sla_complaint(session, now)
    assert second.sla_calendar == "default@2"
    assert second.first_response_due_at == utc(23, 13)


def test_recompute_counts_first_then_moves_running_deadlines(session: Session, now: datetime) -> None:
    calendar_admin.save_calendar(session, ADMIN, late_office(), now)
    complaint = open_sla_complaint(session, now)
    assert complaint.instance_id is not None
    task = only_task(session, complaint.instance_id)
    assert task.due_at == utc(23, 16)
    calendar_admin.save_calendar(session, ADMIN, late_office(week=["08:00-16:00"] * 5 + ["", ""]), now)

    later = now + timedelta(minutes=5)
    dry = calendar_admin.recompute_deadlines(session, ADMIN, "default", later, dry_run=True)
    assert (dry.complaints, dry.tasks, dry.dry_run) == (1, 1, True)
    session.refresh(complaint)
    session.refresh(task)
    assert (complaint.sla_calendar, complaint.first_response_due_at, task.due_at) == (
        "default@1",
        utc(23, 16),
        utc(23, 16),
    )

    done = calendar_admin.recompute_deadlines(session, ADMIN, "default", later, dry_run=False)
    assert (done.complaints, done.tasks, done.dry_run) == (1, 1, False)
    session.refresh(complaint)
    session.refresh(task)
    assert complaint.sla_calendar == "default@2"
    assert complaint.first_response_due_at == utc(23, 13)
    assert complaint.resolution_due_at == utc(25, 9)
    assert task.due_at == utc(23, 13)
    assert task.amber_at == task.created_at + (task.due_at - task.created_at) * 0.75
    actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("%recomputed"))))
    assert sorted(actions) == ["calendar_recomputed", "sla_deadlines_recomputed"]
    # Nothing is left to move.
    assert calendar_admin.recompute_deadlines(session, ADMIN, "default", later, dry_run=True).complaints == 0


def test_resolved_complaints_are_never_recomputed(session: Session, now: datetime) -> None:
    calendar_admin.save_calendar(session, ADMIN, late_office(), now)
    complaint = open_sla_complaint(session, now)
    complaint.resolved_at = now + timedelta(hours=1)
    session.commit()
    calendar_admin.save_calendar(session, ADMIN, late_office(timezone="Europe/Berlin"), now)
    assert calendar_admin.recompute_deadlines(session, ADMIN, "default", now, dry_run=True).complaints == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "bad name"}, "name"),
        ({"name": "x@1"}, "name"),
        ({"week": ["8-17"] + [""] * 6}, "week_0"),
        ({"week": [""] * 7}, "week"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"country": "XX"}, "country"),
        ({"country": "DE", "subdivision": "ZZ"}, "subdivision"),
        ({"closing_days": ["24.12.2026"]}, "closing_days"),
    ],
)
def test_bad_calendars_are_refused_field_by_field(
    session: Session, now: datetime, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(FormValidationError) as refused:
        calendar_admin.save_calendar(session, ADMIN, late_office(**overrides), now)
    assert field in refused.value.errors
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "calendar_saved")).first() is None


def test_only_admins_manage_calendars(session: Session, now: datetime) -> None:
    with pytest.raises(PermissionDenied):
        calendar_admin.save_calendar(session, ANNA, late_office(), now)
    with pytest.raises(PermissionDenied):
        calendar_admin.recompute_deadlines(session, ANNA, "default", now, dry_run=True)
    with pytest.raises(PermissionDenied):
        calendar_admin.delete_calendar(session, ANNA, "default", now)


def test_delete_brings_back_the_built_in_calendar_and_keeps_pinned_versions(session: Session, now: datetime) -> None:
    calendar_admin.save_calendar(session, ADMIN, late_office(), now)
    complaint = open_sla_complaint(session, now)
    calendar_admin.delete_calendar(session, ADMIN, "default", now)
    assert calendar_named("default").timezone == "Europe/Berlin"  # the built-in one again
    assert calendar_named(complaint.sla_calendar).timezone == "UTC"
    with pytest.raises(NotFound):
        calendar_admin.delete_calendar(session, ADMIN, "default", now)
    entries = list(session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("calendar_%"))))
    assert sorted(entries) == ["calendar_deleted", "calendar_saved"]


def test_another_process_sees_a_saved_calendar_at_its_next_sla_step(session: Session, now: datetime) -> None:
    calendar_admin.save_calendar(session, ADMIN, late_office(), now)
    business_calendars.forget_stored()  # as a scheduler process that never saw the save
    complaint = open_sla_complaint(session, now)
    assert complaint.sla_calendar == "default@1"


def test_the_settings_file_imports_into_the_database(session: Session, now: datetime, tmp_path: Path) -> None:
    path = tmp_path / "calendars.toml"
    path.write_text(
        '[calendars.vienna]\ntimezone = "Europe/Vienna"\nhours = "08:00-12:00, 13:00-17:00"\ncountry = "AT"\n'
        'subdivision = "9"\nclosing_days = ["2026-12-24"]\n',
        encoding="utf-8",
    )
    assert calendar_admin.import_calendars(session, ADMIN, path, now) == ["vienna"]
    [row] = business_calendars.current_versions(session).values()
    assert (row.timezone, row.week[0], row.week[5], row.country, row.subdivision, row.closing_days) == (
        "Europe/Vienna",
        "08:00-12:00, 13:00-17:00",
        "",
        "AT",
        "9",
        ["2026-12-24"],
    )
    vienna = calendar_named("vienna")
    # Five business days from Monday 09:00 UTC (10:00 in Vienna): next Monday 10:00 Vienna time.
    assert business_calendars.business_days_from(vienna, now, 5) == utc(30, 9)
    holidays = dict(business_calendars.upcoming_holidays(vienna, now.date(), "de"))
    assert holidays[datetime(2026, 12, 25).date()] == "Christtag"
    assert holidays[datetime(2026, 12, 24).date()] == ""  # the closing day
    with pytest.raises(FormValidationError):
        calendar_admin.import_calendars(session, ADMIN, tmp_path / "missing.toml", now)


def test_complaints_pinned_to_stored_versions_are_read_back(session: Session, now: datetime) -> None:
    calendar_admin.save_calendar(session, ADMIN, late_office(), now)
    open_sla_complaint(session, now)
    stored = session.scalars(select(Complaint.sla_calendar)).all()
    assert stored == ["default@1"]
