"""SLA system actions for service tasks: sla_start, first_response, sla_pause, sla_resume, sla_stop.

Topics and variables are documented in docs/sla.md. Each handler changes the complaint row of the
instance (the SLA clock's truth, read by lists and KPIs) inside the step's unit of work and returns
the variables timers and gateways read, e.g. ``timeDate ${resolution_due_at}``.

An instance started without a complaint (``complaintflow start``, process tests) keeps the same clock
in the process variable ``sla_clock`` instead, so the diagrams behave the same either way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from engine.actions.context import ServiceContext
from engine.domain.calendars import pinned_key
from engine.domain.tasks import DEFAULT_AMBER_SHARE
from engine.services.audit import record
from engine.services.sla.business_calendars import sync_registry
from engine.services.sla.clock import (
    SlaError,
    complaint_for_instance,
    is_paused,
    pause_clock,
    record_first_response,
    resume_clock,
    start_clock,
    stop_clock,
    times_as_variables,
)
from engine.store.complaints import Complaint

CLOCK_VARIABLE = "sla_clock"


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _parse(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _setting(context: ServiceContext, name: str) -> Any:
    """A service-task property of that name if given, else the process variable (set by the SLA decision)."""
    value = context.value(name)
    if value in (None, ""):
        value = context.call.data.get(name)
    return None if value in (None, "") else value


def _share(context: ServiceContext) -> float:
    raw = _setting(context, "reminder_share")
    if raw is None:
        return DEFAULT_AMBER_SHARE
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise SlaError(f"reminder_share must be a number between 0 and 1, got {raw!r}") from None


def _holder(context: ServiceContext, starting: bool = False) -> tuple[Complaint, bool]:
    """The complaint row, or a detached stand-in built from ``sla_clock``; the flag says which."""
    # Another process (the admin pages) may have saved a calendar since this one last looked.
    sync_registry(context.session)
    complaint = complaint_for_instance(context.session, context.instance.id)
    if complaint is not None:
        return complaint, True
    state = context.call.data.get(CLOCK_VARIABLE)
    if not isinstance(state, dict):
        if not starting:
            raise SlaError(f"the SLA clock of instance {context.instance.id} was never started (run sla_start first)")
        state = {}
    # Never added to the session: it only carries the clock between the pure functions and the variables.
    stand_in = Complaint(
        reference=f"instance {context.instance.id}",
        created_at=_parse(state.get("started_at")) or context.instance.started_at,
        sla_calendar=state.get("calendar"),
        first_response_target=state.get("first_response_target"),
        resolution_target=state.get("resolution_target"),
        sla_pauses=list(state.get("pauses") or []),
        sla_paused_at=_parse(state.get("paused_at")),
        first_response_at=_parse(state.get("first_response_at")),
        first_response_met=state.get("first_response_met"),
        resolved_at=_parse(state.get("resolved_at")),
        resolution_met=state.get("resolution_met"),
    )
    return stand_in, False


def _result(complaint: Complaint, stored: bool, variables: dict[str, Any]) -> dict[str, Any]:
    result = dict(variables)
    result["sla_paused"] = is_paused(complaint)
    if not stored:
        result[CLOCK_VARIABLE] = {
            "started_at": _iso(complaint.created_at),
            "calendar": complaint.sla_calendar,
            "first_response_target": complaint.first_response_target,
            "resolution_target": complaint.resolution_target,
            "pauses": complaint.sla_pauses,
            "paused_at": _iso(complaint.sla_paused_at),
            "first_response_at": _iso(complaint.first_response_at),
            "first_response_met": complaint.first_response_met,
            "resolved_at": _iso(complaint.resolved_at),
            "resolution_met": complaint.resolution_met,
        }
    return result


def _audit(context: ServiceContext, action: str, after: dict[str, Any]) -> None:
    record(
        context.session,
        context.actor,
        action,
        context.now,
        instance_id=context.instance.id,
        element_id=context.call.element_id,
        after=after,
    )


def sla_start(context: ServiceContext) -> dict[str, Any]:
    """Start (or re-target) the clock from ``first_response_target``, ``resolution_target``, ``sla_calendar``."""
    resolution_target = _setting(context, "resolution_target")
    if resolution_target is None:
        raise SlaError("sla_start needs the variable resolution_target (e.g. '5 business days') from the SLA decision")
    first_target = _setting(context, "first_response_target")
    calendar = _setting(context, "sla_calendar")
    share = _share(context)
    complaint, stored = _holder(context, starting=True)
    # A stored calendar is pinned to its current version: later edits leave this clock's deadlines alone.
    times = start_clock(
        complaint,
        None if first_target is None else str(first_target),
        str(resolution_target),
        pinned_key(None if calendar is None else str(calendar)),
        context.now,
        share,
    )
    variables = times_as_variables(times)
    _audit(
        context,
        "sla_started",
        {
            "calendar": calendar or "default",
            "first_response_target": first_target,
            "resolution_target": resolution_target,
            **variables,
        },
    )
    return _result(complaint, stored, variables)


def first_response(context: ServiceContext) -> dict[str, Any]:
    """Record the first answer to the customer (the first call counts) and whether it was in time."""
    complaint, stored = _holder(context)
    answered_at, met = record_first_response(complaint, context.now)
    variables = {"first_response_at": _iso(answered_at), "first_response_met": met}
    _audit(context, "sla_first_response", variables)
    return _result(complaint, stored, variables)


def sla_pause(context: ServiceContext) -> dict[str, Any]:
    """Stop the clock while waiting for the customer; pausing a paused clock changes nothing."""
    complaint, stored = _holder(context)
    if pause_clock(complaint, context.now):
        _audit(context, "sla_paused", {"paused_at": _iso(context.now)})
    return _result(complaint, stored, {})


def sla_resume(context: ServiceContext) -> dict[str, Any]:
    """Run the clock again; returns the due times pushed back by the paused business time."""
    complaint, stored = _holder(context)
    was_paused = is_paused(complaint)
    times = resume_clock(complaint, context.now, _share(context))
    variables = times_as_variables(times)
    if was_paused:
        _audit(context, "sla_resumed", {"resumed_at": _iso(context.now), **variables})
    return _result(complaint, stored, variables)


def sla_stop(context: ServiceContext) -> dict[str, Any]:
    """Record the resolution time and whether the resolution target was met."""
    complaint, stored = _holder(context)
    resolved_at, met = stop_clock(complaint, context.now)
    variables = {"resolved_at": _iso(resolved_at), "resolution_met": met}
    _audit(context, "sla_stopped", variables)
    return _result(complaint, stored, variables)
