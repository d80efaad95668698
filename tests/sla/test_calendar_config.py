"""Business calendars from COMPLAINTFLOW_CALENDARS_FILE (TOML or JSON): valid files and clear errors."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from engine.domain import calendars
from engine.domain.calendar import add_business_time, is_working_day
from engine.services.sla.calendar_config import load_calendar_file, register_configured_calendars
from engine.settings import Settings, load_settings

TOML = """
[calendars.vienna]
timezone = "Europe/Vienna"
hours = "08:00-12:00, 13:00-17:00"
weekdays = ["mon", "tue", "wed", "thu", "fri"]
country = "AT"
subdivision = "9"
closing_days = ["2026-12-24"]

[calendars.weekend_desk]
timezone = "Europe/Berlin"
week = { mon = "08:00-20:00", sat = "10:00-14:00" }

[calendars.social]
timezone = "UTC"
always_open = true
"""


def test_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "calendars.toml"
    path.write_text(TOML, encoding="utf-8")
    loaded = load_calendar_file(path)
    assert sorted(loaded) == ["social", "vienna", "weekend_desk"]
    vienna = loaded["vienna"]
    assert vienna.hours[0] == ((time(8), time(12)), (time(13), time(17)))
    assert vienna.hours[5] == ()
    assert not is_working_day(vienna, date(2026, 12, 24))  # closing day
    assert not is_working_day(vienna, date(2026, 12, 8))  # Austrian holiday (Mariä Empfängnis)
    desk = loaded["weekend_desk"]
    assert [bool(day) for day in desk.hours] == [True, False, False, False, False, True, False]
    assert loaded["social"].always_open
    # Saturday 13:00 Berlin + 2 working hours: one hour on Saturday, one on Monday from 08:00.
    moment = add_business_time(desk, datetime(2026, 11, 28, 12, 0, tzinfo=UTC), timedelta(hours=2))
    assert moment == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_json_file_and_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calendars, "_CALENDARS", dict(calendars._CALENDARS))
    path = tmp_path / "calendars.json"
    path.write_text(json.dumps({"calendars": {"default": {"timezone": "UTC", "hours": "09:00-18:00"}}}))
    settings = load_settings({"COMPLAINTFLOW_INSTANCE_PATH": str(tmp_path), "COMPLAINTFLOW_CALENDARS_FILE": str(path)})
    assert settings.calendars_file == path
    assert register_configured_calendars(settings) == ["default"]
    # A file may replace a built-in calendar.
    assert calendars.calendar_named(None).timezone == "UTC"
    assert register_configured_calendars(Settings("sqlite://", tmp_path)) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[calendars.x]\nhours = '08:00-17:00'\n", "calendar 'x': timezone is required"),
        ("[calendars.x]\ntimezone = 'Mars/Olympus'\n", "calendar 'x': unknown time zone 'Mars/Olympus'"),
        ("[calendars.x]\ntimezone = 'UTC'\nopen = true\n", "unknown setting(s) open"),
        ("[calendars.x]\ntimezone = 'UTC'\nweekdays = ['funday']\n", "unknown weekday 'funday'"),
        ("[calendars.x]\ntimezone = 'UTC'\nhours = '8-17'\n", "cannot read working hours '8-17'"),
        ("[calendars.x]\ntimezone = 'UTC'\nclosing_days = ['soon']\n", "closing day 'soon' is not a date"),
        ("[calendars.x]\ntimezone = 'UTC'\ncountry = 'XX'\n", "calendar 'x'"),
        ("[calendars.x]\ntimezone = 'UTC'\nweek = { mon = '08:00-17:00' }\nhours = '08:00-17:00'\n", "not both"),
        ("[other]\nx = 1\n", "has no [calendars.<name>] tables"),
        ("[calendars.x\n", "is not valid TOML"),
    ],
)
def test_bad_files_name_file_and_calendar(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "calendars.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError) as error:
        load_calendar_file(path)
    assert message in str(error.value) and str(path) in str(error.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read calendars file .*missing.toml"):
        load_calendar_file(tmp_path / "missing.toml")
