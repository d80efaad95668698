"""Human tasks as rows: assignment from the diagram, claim/unclaim/assign permissions, completion."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.errors import Conflict, FormValidationError, NotFound, PermissionDenied
from engine.services.casework import tasks
from engine.services.instances import lifecycle as instances
from engine.store import queries
from engine.store.models import HumanTask, ProcessInstance
from tests.engine.helpers import ADMIN, ANNA, BASIC, BERND, CARLA, DIAGRAMS, LEA, complaint, deploy_paths, only_task

REPLY = {"resolution": "refund", "refund_amount": 500, "reply": "We refund you."}


@pytest.fixture
def basic(session: Session, now: datetime) -> ProcessInstance:
    deploy_paths(session, now, *BASIC)
    return instances.start_instance(session, ADMIN, "complaint_basic", complaint(), now)


def test_start_runs_until_the_first_human_task(session: Session, basic: ProcessInstance, now: datetime) -> None:
    task = only_task(session, basic.id)
    assert basic.status == "running"
    assert basic.business_key == "C-100"
    assert (task.element_id, task.title, task.lane) == ("handle_complaint", "Handle complaint", "Agent")
    # candidateGroups="${responsible_group}" and dueDate="${handling_due}" come from the DMN result.
    assert task.candidate_groups == ["agent"]
    assert task.due_at == now + timedelta(days=3)
    assert task.priority == 50  # "normal"
    assert task.assignee is None
    assert [field["id"] for field in task.form] == ["resolution", "refund_amount", "reply"]
    assert basic.variables["priority"] == "normal"


def test_lane_is_the_group_when_the_diagram_names_none(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "script_flow.bpmn")
    instance = instances.start_instance(session, ADMIN, "script_flow", {"amount": 10, "divisor": 2}, now)
    task = only_task(session, instance.id)
    assert (task.lane, task.candidate_groups) == ("Agent", ["agent"])


def test_assignee_priority_and_duration_due_date_from_attributes(session: Session, now: datetime) -> None:
    deploy_paths(session, now, DIAGRAMS / "gateway_flow.bpmn")
    instance = instances.start_instance(
        session, ADMIN, "gateway_flow", {"channel": "phone", "urgent": True, "caller": "bernd"}, now
    )
    task = only_task(session, instance.id)
    assert (task.element_id, task.assignee, task.priority) == ("call_back", "bernd", 100)
    assert task.candidate_groups == ["phone_team"]
    assert task.due_at == now + timedelta(hours=4)
    assert task.claimed_at == now


def test_task_lists_by_user_and_group_sorted_by_due(session: Session, now: datetime) -> None:
    deploy_paths(session, now, *BASIC)
    late = instances.start_instance(session, ADMIN, "complaint_basic", complaint(complaint_id="A"), now)
    soon = instances.start_instance(session, ADMIN, "complaint_basic", complaint(complaint_id="B", amount=5000), now)
    agent_list = queries.list_tasks(session, queries.TaskFilter(user="anna", groups=("agent",)))
    assert [t.instance_id for t in agent_list] == [late.id]
    second_level = queries.list_tasks(session, queries.TaskFilter(groups=("second_level", "agent")))
    assert [t.instance_id for t in second_level] == [soon.id, late.id]  # P1D before P3D
    assert queries.list_tasks(session, queries.TaskFilter(user="nobody", groups=("legal",))) == []


def test_claim_unclaim_and_assign(session: Session, basic: ProcessInstance, now: datetime) -> None:
    task = only_task(session, basic.id)
    with pytest.raises(PermissionDenied, match="carla is not a candidate"):
        tasks.claim_task(session, CARLA, task.id, now)
    tasks.claim_task(session, ANNA, task.id, now)
    assert task.assignee == "anna"
    with pytest.raises(Conflict, match="already claimed by anna"):
        tasks.claim_task(session, BERND, task.id, now)
    with pytest.raises(PermissionDenied):
        tasks.unclaim_task(session, BERND, task.id, now)
    with pytest.raises(PermissionDenied, match="team leads"):
        tasks.assign_task(session, ANNA, task.id, "bernd", now)
    tasks.assign_task(session, LEA, task.id, "bernd", now)
    assert task.assignee == "bernd"
    tasks.unclaim_task(session, BERND, task.id, now)
    assert task.assignee is None and task.claimed_at is None
    with pytest.raises(NotFound):
        tasks.claim_task(session, ANNA, "does-not-exist", now)


def test_only_the_assignee_completes_a_claimed_task(session: Session, basic: ProcessInstance, now: datetime) -> None:
    task = only_task(session, basic.id)
    tasks.claim_task(session, ANNA, task.id, now)
    with pytest.raises(PermissionDenied, match="assigned to anna"):
        tasks.complete_task(session, BERND, task.id, REPLY, now)
    tasks.complete_task(session, ANNA, task.id, REPLY, now + timedelta(hours=1))
    assert (task.status, task.completed_by, task.completed_at) == ("completed", "anna", now + timedelta(hours=1))


def test_invalid_form_data_is_rejected_field_by_field(session: Session, basic: ProcessInstance, now: datetime) -> None:
    task = only_task(session, basic.id)
    with pytest.raises(FormValidationError) as error:
        tasks.complete_task(
            session, ANNA, task.id, {"resolution": "voucher", "refund_amount": "-5", "reply": "ok", "extra": 1}, now
        )
    assert error.value.errors == {
        "resolution": "must be one of: explanation, replacement, refund",
        "refund_amount": "must be at least 0",
        "reply": "must have at least 5 characters",
        "extra": "is not a field of this form",
    }
    # Nothing changed: the task is still open and the instance untouched.
    session.expire_all()
    assert session.get(HumanTask, task.id).status == "open"  # type: ignore[union-attr]
    assert session.get(ProcessInstance, basic.id).lock_version == basic.lock_version  # type: ignore[union-attr]


def test_values_are_typed_before_they_reach_the_workflow(
    session: Session, basic: ProcessInstance, now: datetime
) -> None:
    task = only_task(session, basic.id)
    tasks.complete_task(
        session, ANNA, task.id, {"resolution": "refund", "refund_amount": "250", "reply": "Sorry!"}, now
    )
    approval = only_task(session, basic.id)  # 250 > 200: the gateway compared a number, not a string
    assert (approval.element_id, approval.candidate_groups) == ("approve_resolution", ["team_lead"])
    assert session.get(ProcessInstance, basic.id).variables["refund_amount"] == 250  # type: ignore[union-attr]


def test_full_path_with_rejection_loop(session: Session, basic: ProcessInstance, now: datetime) -> None:
    tasks.complete_task(session, ANNA, only_task(session, basic.id).id, REPLY, now)
    approval = only_task(session, basic.id)
    with pytest.raises(PermissionDenied):
        tasks.complete_task(session, ANNA, approval.id, {"approved": True}, now)
    tasks.complete_task(session, LEA, approval.id, {"approved": False, "approval_note": "too much"}, now)
    retry = only_task(session, basic.id)
    assert retry.element_id == "handle_complaint"
    tasks.complete_task(
        session, ANNA, retry.id, {"resolution": "refund", "refund_amount": 150, "reply": "Partial."}, now
    )
    assert session.get(ProcessInstance, basic.id).status == "completed"  # type: ignore[union-attr]
    history = session.scalars(
        select(HumanTask.element_id)
        .where(HumanTask.instance_id == basic.id)
        .order_by(HumanTask.created_at, HumanTask.completed_at)
    ).all()
    assert sorted(history) == ["approve_resolution", "handle_complaint", "handle_complaint"]


def test_completing_twice_names_who_completed(session: Session, basic: ProcessInstance, now: datetime) -> None:
    task = only_task(session, basic.id)
    tasks.complete_task(session, ANNA, task.id, REPLY, now)
    with pytest.raises(Conflict, match="already completed by anna"):
        tasks.complete_task(session, BERND, task.id, REPLY, now)


def test_amber_time_is_three_quarters_of_the_way_to_due(
    session: Session, basic: ProcessInstance, now: datetime
) -> None:
    task = only_task(session, basic.id)
    assert task.amber_at == now + timedelta(days=3) * 0.75
