"""An instance completes only when every token reached an end: loops without a wait state are incidents.

The hostile cases of issue 13: a loop between two gateways, a loop through a script task and a ``PT0S``
timer that leads back to itself used to run ~1,000 steps and be marked *completed* (SpiffWorkflow stops
seeing tasks 1,000 levels deep), or end in a RecursionError. Each is now an incident naming the loop's
elements, with no ``instance_completed`` audit entry, and retrying with a corrected variable finishes it.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from designer_export.check import check_paths
from engine.runtime import limits
from engine.services.instances import lifecycle as instances
from engine.store import queries
from engine.store.models import AuditEntry, ProcessInstance
from tests.engine.helpers import ADMIN, DIAGRAMS, LEA, deploy_paths


def _actions(session: Session, instance: ProcessInstance) -> list[str]:
    rows = session.scalars(select(AuditEntry).where(AuditEntry.instance_id == instance.id).order_by(AuditEntry.id))
    return [row.action for row in rows]


def _start(
    session: Session, now: datetime, name: str, data: dict[str, object], path: Path | None = None
) -> ProcessInstance:
    deploy_paths(session, now, path or DIAGRAMS / f"{name}.bpmn")
    started = time.monotonic()
    instance = instances.start_instance(session, ADMIN, name, data, now)
    # Stopped early: the request that starts such an instance answers promptly.
    assert time.monotonic() - started < 10
    return instance


def test_loop_between_two_gateways_is_an_incident_not_completed(session: Session, now: datetime) -> None:
    instance = _start(session, now, "gateway_loop", {"leave": False})
    assert instance.status == "incident"
    assert instance.completed_at is None
    incident = queries.open_incident(session, instance.id)
    assert incident is not None
    assert incident.element_id in {"join", "again"}
    assert "Endless loop" in incident.message and "join → again" in incident.message
    assert "instance_completed" not in _actions(session, instance)
    assert "incident_raised" in _actions(session, instance)


def test_loop_through_a_script_task_is_an_incident_and_retry_with_a_fix_completes(
    session: Session, now: datetime
) -> None:
    instance = _start(session, now, "script_loop", {"counter": 0, "stop_at": 10**9})
    assert instance.status == "incident"
    incident = queries.open_incident(session, instance.id)
    assert incident is not None
    assert "Count up (count_up) → Done yet? (done_yet)" in incident.message

    # Retried unchanged, the loop is stopped again: never completed by accident.
    instances.retry_instance(session, LEA, instance.id, now)
    assert instance.status == "incident"

    # The retry runs the loop again from where it was entered, with the corrected stop value.
    instances.retry_instance(session, LEA, instance.id, now, data={"counter": 0, "stop_at": 3})
    assert instance.status == "completed"
    assert instance.variables["counter"] == 3
    assert _actions(session, instance).count("instance_completed") == 1


def test_bounded_loop_runs_to_its_end(session: Session, now: datetime) -> None:
    instance = _start(session, now, "script_loop", {"counter": 0, "stop_at": 150})
    assert instance.status == "completed"
    assert instance.variables["counter"] == 150


def test_pt0s_timer_looping_back_to_itself_is_an_incident_in_one_step(session: Session, now: datetime) -> None:
    # A timer due the moment it is reached is no wait state: it fires in the same unit of work.
    instance = _start(session, now, "timer_loop", {"answer_received": False})
    assert instance.status == "incident"
    incident = queries.open_incident(session, instance.id)
    assert incident is not None
    assert "join → Wait zero (wait_zero) → Answered? (answered)" in incident.message
    assert "instance_completed" not in _actions(session, instance)

    instances.retry_instance(session, LEA, instance.id, now, data={"answer_received": True})
    assert instance.status == "completed"


@pytest.mark.parametrize("budget", [25, 60])
def test_step_budget_is_configurable_and_names_the_loop(session: Session, now: datetime, budget: int) -> None:
    with limits.configured(step_budget=budget):
        instance = _start(session, now, "script_loop", {"counter": 0, "stop_at": 10**9})
    incident = queries.open_incident(session, instance.id)
    assert instance.status == "incident"
    assert incident is not None
    assert f"step budget of {budget} element executions" in incident.message
    assert "count_up" in incident.message and "done_yet" in incident.message
    # Each round of the loop is two executions (script, gateway), after the start event.
    assert budget // 2 - 1 <= instance.variables["counter"] <= budget // 2


def test_step_budget_allows_a_bounded_loop_below_it(session: Session, now: datetime) -> None:
    with limits.configured(step_budget=40):
        instance = _start(session, now, "script_loop", {"counter": 0, "stop_at": 15})
    assert instance.status == "completed"


def test_limits_reject_nonsense() -> None:
    with pytest.raises(ValueError):
        limits.EngineLimits(step_budget=0)


def test_check_reports_loops_without_a_wait_state_located(tmp_path: Path) -> None:
    reports = check_paths([str(DIAGRAMS / f"{name}.bpmn") for name in ("gateway_loop", "script_loop", "timer_loop")])
    found = {Path(r.file).stem: [d for d in r.diagnostics if d.code == "loop-without-wait"] for r in reports}
    assert [d.element_id for d in found["gateway_loop"]] == ["join"]
    assert "join → again" in found["gateway_loop"][0].message
    assert "Count up (count_up) → Done yet? (done_yet)" in found["script_loop"][0].message
    # A PT0S timer is no wait: the loop through it is reported like the others.
    assert "Wait zero (wait_zero)" in found["timer_loop"][0].message
    # Deployable; the exit conditions read start variables nothing in the diagrams sets: needs attention.
    assert all(r.status == "needs_attention" for r in reports)


def test_check_rejects_a_loop_with_no_way_out(tmp_path: Path) -> None:
    text = (DIAGRAMS / "gateway_loop.bpmn").read_text(encoding="utf-8")
    endless = tmp_path / "endless.bpmn"
    endless.write_text(text.replace("<bpmn:conditionExpression>leave<", "<bpmn:conditionExpression>False<"))
    [report] = check_paths([str(endless)])
    assert report.status == "rejected"
    [error] = [d for d in report.diagnostics if d.code == "endless-loop"]
    assert error.element_id == "join" and "no way out" in error.message


def test_check_accepts_a_loop_through_a_wait_state(tmp_path: Path) -> None:
    text = (DIAGRAMS / "timer_loop.bpmn").read_text(encoding="utf-8")
    waiting = tmp_path / "waiting.bpmn"
    waiting.write_text(text.replace("PT0S", "PT1H"))
    [report] = check_paths([str(waiting)])
    assert not [d for d in report.diagnostics if d.code in {"loop-without-wait", "endless-loop"}]


def test_limits_come_from_the_settings() -> None:
    from engine.settings import load_settings

    settings = load_settings(
        {"COMPLAINTFLOW_STEP_BUDGET": "250", "COMPLAINTFLOW_SCRIPT_CPU_SECONDS": "0.5",
         "COMPLAINTFLOW_SCRIPT_MEMORY_MB": "64"}
    )  # fmt: skip
    assert settings.engine_limits == limits.EngineLimits(250, 0.5, 64 * 2**20)
    assert load_settings({}).engine_limits == limits.EngineLimits()
    with pytest.raises(ValueError, match="step budget"):
        load_settings({"COMPLAINTFLOW_STEP_BUDGET": "0"})


def test_an_instance_deeper_than_the_engine_can_follow_is_stopped_not_completed(
    session: Session, now: datetime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A loop through a user task waits every round, but the task tree still grows: past the cap the
    instance gets an incident instead of SpiffWorkflow silently losing sight of its token."""
    from engine.services.casework import tasks
    from tests.designer.helpers import diagram
    from tests.engine.helpers import ANNA, only_task

    body = (
        '<startEvent id="start"/><userTask id="check" name="Check" camunda:candidateGroups="agent"/>'
        '<exclusiveGateway id="done" default="again"/><endEvent id="end"/>'
        '<sequenceFlow id="f0" sourceRef="start" targetRef="check"/>'
        '<sequenceFlow id="f1" sourceRef="check" targetRef="done"/>'
        '<sequenceFlow id="again" sourceRef="done" targetRef="check"/>'
        '<sequenceFlow id="out" sourceRef="done" targetRef="end"><conditionExpression>finished</conditionExpression>'
        "</sequenceFlow>"
    )
    path = tmp_path / "rounds.bpmn"
    path.write_text(diagram(body, process_id="rounds"), encoding="utf-8")
    monkeypatch.setattr(limits, "MAX_TASK_DEPTH", 12)
    instance = _start(session, now, "rounds", {"finished": False}, path)
    for _ in range(10):
        if instance.status != "running":
            break
        tasks.complete_task(session, ANNA, only_task(session, instance.id).id, {}, now)
    assert instance.status == "incident"
    incident = queries.open_incident(session, instance.id)
    assert incident is not None and "passed 12 elements since it started" in incident.message
    assert "check" in incident.message and "done" in incident.message
    assert "instance_completed" not in _actions(session, instance)
