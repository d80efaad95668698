"""SLA clock system actions on complaints: start, first response, pause/resume, stop (injected clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from engine.domain import calendars
from engine.services.casework import tasks
from engine.services.instances import lifecycle as instances
from engine.services.sla.calendar_config import register_configured_calendars
from engine.settings import Settings
from engine.store import queries
from tests.engine.helpers import ADMIN, ANNA, deploy_paths, only_task
from tests.sla.helpers import DIAGRAMS, actions, open_sla_complaint, pending_timers_of, task_named


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_sla_start_computes_due_times_on_the_business_calendar(session: Session, now: datetime) -> None:
    # Monday 10:00 in Berlin: 4 business hours -> 14:00; 2 business days -> Wednesday 10:00.
    complaint = open_sla_complaint(session, now)
    assert (complaint.first_response_target, complaint.resolution_target, complaint.sla_calendar) == (
        "4 business hours",
        "2 business days",
        None,
    )
    assert complaint.first_response_due_at == utc(23, 13)
    assert complaint.resolution_due_at == utc(25, 9)
    # 75 % of the 18 working hours (Mon 7 h, Tue 9 h, Wed 2 h): Tuesday 14:30 in Berlin.
    assert complaint.resolution_amber_at == utc(24, 13, 30)
    assert complaint.instance is not None
    variables = complaint.instance.variables
    assert variables["first_response_due_at"] == "2026-11-23T13:00:00+00:00"
    assert variables["resolution_due_at"] == "2026-11-25T09:00:00+00:00"
    assert variables["sla_reminder_at"] == "2026-11-24T13:30:00+00:00"
    assert variables["sla_paused"] is False
    assert "sla_clock" not in variables  # the complaint row holds the clock
    assert only_task(session, complaint.instance.id).due_at == utc(23, 13)
    [started] = actions(session, complaint.instance.id, "sla_started")
    assert started.after is not None and started.after["calendar"] == "default"


def test_social_media_runs_round_the_clock(session: Session, now: datetime) -> None:
    complaint = open_sla_complaint(session, now, channel="social_media")
    assert complaint.sla_calendar == "24/7"
    assert (complaint.first_response_due_at, complaint.resolution_due_at, complaint.resolution_amber_at) == (
        now + timedelta(hours=1),
        now + timedelta(hours=8),
        now + timedelta(hours=6),
    )


@pytest.mark.parametrize(("answered_at", "met"), [(utc(23, 12, 59), True), (utc(23, 13, 1), False)])
def test_first_response_is_recorded_with_whether_it_was_in_time(
    session: Session, now: datetime, answered_at: datetime, met: bool
) -> None:
    complaint = open_sla_complaint(session, now)
    assert complaint.instance_id is not None
    tasks.complete_task(session, ANNA, only_task(session, complaint.instance_id).id, {}, answered_at)
    assert (complaint.first_response_at, complaint.first_response_met) == (answered_at, met)
    assert complaint.instance is not None and complaint.instance.variables["first_response_met"] is met


def test_waiting_for_the_customer_pauses_the_clock_and_pushes_the_due_time(session: Session, now: datetime) -> None:
    complaint = open_sla_complaint(session, now)
    instance_id = complaint.instance_id
    assert instance_id is not None
    tasks.complete_task(session, ANNA, only_task(session, instance_id).id, {}, utc(23, 10))
    resolve = task_named(session, instance_id, "resolve_complaint")
    assert resolve.due_at == utc(25, 9)
    # Monday 12:00 Berlin: ask the customer. The task's reminder and escalation timers go with it.
    tasks.complete_task(session, ANNA, resolve.id, {"need_info": True}, utc(23, 11))
    assert complaint.sla_paused_at == utc(23, 11)
    assert pending_timers_of(session, instance_id) == {}
    assert complaint.instance is not None and complaint.instance.variables["sla_paused"] is True

    # Tuesday 12:00 Berlin: the answer arrives. Paused working time: Mon 12-17 + Tue 8-12 = 9 h.
    instances.deliver_message(session, ANNA, "customer_info_received", complaint.reference, {}, utc(24, 11))
    assert complaint.sla_paused_at is None
    assert complaint.sla_pauses == [["2026-11-23T11:00:00+00:00", "2026-11-24T11:00:00+00:00"]]
    # Wednesday 10:00 + 9 working hours = Thursday 10:00 Berlin.
    assert complaint.resolution_due_at == utc(26, 9)
    # 13.5 h of the 18 h: 2 h before the pause, 5 h on Tuesday afternoon, 6.5 h on Wednesday -> 14:30 Berlin.
    assert complaint.resolution_amber_at == utc(25, 13, 30)
    variables = complaint.instance.variables
    assert (variables["resolution_due_at"], variables["sla_reminder_at"]) == (
        "2026-11-26T09:00:00+00:00",
        "2026-11-25T13:30:00+00:00",
    )
    timers = pending_timers_of(session, instance_id)
    assert {name: row.due_at for name, row in timers.items()} == {
        "reminder_due": utc(25, 13, 30),
        "resolution_breached": utc(26, 9),
    }
    assert task_named(session, instance_id, "resolve_complaint").due_at == utc(26, 9)
    assert [entry.action for entry in queries.audit_trail(session, instance_id) if entry.action.startswith("sla_")] == [
        "sla_started",
        "sla_first_response",
        "sla_paused",
        "sla_resumed",
    ]


@pytest.mark.parametrize(("resolved_at", "met"), [(utc(25, 8, 59), True), (utc(25, 9, 1), False)])
def test_sla_stop_records_the_resolution(session: Session, now: datetime, resolved_at: datetime, met: bool) -> None:
    complaint = open_sla_complaint(session, now)
    instance_id = complaint.instance_id
    assert instance_id is not None
    tasks.complete_task(session, ANNA, only_task(session, instance_id).id, {}, utc(23, 10))
    resolve = task_named(session, instance_id, "resolve_complaint")
    if not met:
        # The escalation fired before the late resolution: the second-level agent completes.
        from engine.services.instances import timers

        timers.fire_due_timers(session, resolved_at)
        resolve = task_named(session, instance_id, "resolve_complaint")
    actor = ANNA if met else ADMIN
    tasks.complete_task(session, actor, resolve.id, {"need_info": False}, resolved_at)
    assert (complaint.resolved_at, complaint.resolution_met) == (resolved_at, met)
    assert complaint.instance is not None and complaint.instance.status == "completed"
    assert complaint.instance.variables["resolution_met"] is met


def test_an_instance_without_a_complaint_keeps_its_clock_in_variables(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "sla_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "sla_flow", {"channel": "email"}, now, business_key="K-1")
    clock = instance.variables["sla_clock"]
    assert (clock["started_at"], clock["resolution_target"], clock["pauses"]) == (
        "2026-11-23T09:00:00+00:00",
        "2 business days",
        [],
    )
    tasks.complete_task(session, ANNA, only_task(session, instance.id).id, {}, utc(23, 10))
    resolve = task_named(session, instance.id, "resolve_complaint")
    tasks.complete_task(session, ANNA, resolve.id, {"need_info": True}, utc(23, 11))
    instances.deliver_message(session, ANNA, "customer_info_received", "K-1", {}, utc(24, 11))
    # The same answers as the complaint row gives in the test above.
    assert instance.variables["resolution_due_at"] == "2026-11-26T09:00:00+00:00"
    assert instance.variables["sla_reminder_at"] == "2026-11-25T13:30:00+00:00"
    assert instance.variables["sla_clock"]["first_response_met"] is True


def _start_targets(session: Session, now: datetime, **data: object) -> int:
    if queries.latest_definition(session, "escalation_flow") is None:
        deploy_paths(session, now, DIAGRAMS / "escalation_flow.bpmn")
    return instances.start_instance(session, ADMIN, "escalation_flow", dict(data), now).id


@pytest.mark.parametrize(
    ("data", "message", "fix"),
    [
        ({}, "sla_start needs the variable resolution_target", {"resolution_target": "PT4H"}),
        ({"resolution_target": "soon"}, "cannot read SLA duration 'soon'", {"resolution_target": "PT4H"}),
        (
            {"resolution_target": "PT4H", "first_response_target": "x"},
            "first_response_target: cannot read",
            {"first_response_target": "PT1H"},
        ),
        (
            {"resolution_target": "PT4H", "sla_calendar": "mars"},
            "unknown business calendar 'mars'; known: 24/7",
            {"sla_calendar": "24/7"},
        ),
    ],
)
def test_bad_targets_are_an_incident_and_write_nothing(
    session: Session, now: datetime, data: dict[str, object], message: str, fix: dict[str, object]
) -> None:
    instance_id = _start_targets(session, now, **data)
    incident = queries.open_incident(session, instance_id)
    assert incident is not None and incident.element_id == "start_sla"
    assert message in incident.message
    assert actions(session, instance_id, "sla_started") == []
    instance = instances.get_instance(session, instance_id)
    assert "sla_clock" not in instance.variables
    # Fixed and retried: the clock starts at the instance start, not at the retry.
    instances.retry_instance(session, ADMIN, instance_id, now + timedelta(hours=1), fix)
    assert instance.status == "running"
    assert instance.variables["resolution_due_at"] == "2026-11-23T13:00:00+00:00"


def test_calendars_from_the_settings_file(
    session: Session, now: datetime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calendars, "_CALENDARS", dict(calendars._CALENDARS))
    path = tmp_path / "calendars.toml"
    path.write_text(
        '[calendars.late_desk]\ntimezone = "UTC"\nhours = "12:00-20:00"\nweekdays = ["mon"]\n', encoding="utf-8"
    )
    assert register_configured_calendars(Settings("sqlite://", tmp_path, calendars_file=path)) == ["late_desk"]
    instance_id = _start_targets(session, now, resolution_target="10 working hours", sla_calendar="late_desk")
    # Monday 12:00-20:00 UTC only: 8 h this Monday, 2 h next Monday.
    assert instances.get_instance(session, instance_id).variables["resolution_due_at"] == "2026-11-30T14:00:00+00:00"
