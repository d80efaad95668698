"""The complaint columns copied onto task rows (category, channel, priority, customer name) stay in step."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from engine.domain.actors import SYSTEM
from engine.services.casework.tasks import claim_task, complete_task
from engine.services.instances.complaint_sync import sync_complaint_tasks, sync_customer_tasks
from engine.services.intake.complaints import NewComplaint, open_complaint
from engine.store import tasklist
from engine.store.complaints import Complaint
from engine.store.models import TASK_COMPLETED, TASK_OPEN, HumanTask
from tests.engine.helpers import ANNA, BASIC, DIAGRAMS, deploy_paths


def _open(session: Session, process_key: str, now: datetime, name: str = "Frau Meier", **fields: object) -> Complaint:
    new = NewComplaint(
        customer_name=name,
        customer_email=f"{name.replace(' ', '.').lower()}@example.org",
        subject="Invoice charged twice",
        description="The router was billed twice.",
        channel=str(fields.get("channel", "email")),
        category=str(fields.get("category", "billing")),
        amount_disputed=Decimal(80),
        language="en",
    )
    return open_complaint(session, SYSTEM, new, process_key, now)


def _tasks(session: Session, complaint: Complaint) -> dict[str, HumanTask]:
    query = select(HumanTask).where(HumanTask.instance_id == complaint.instance_id)
    return {task.element_id: task for task in session.scalars(query)}


def _copies(task: HumanTask) -> tuple[str | None, ...]:
    return task.category, task.channel, task.complaint_priority, task.customer_name


def test_a_new_task_carries_the_complaint_s_columns(session: Session, now: datetime) -> None:
    deploy_paths(session, now - timedelta(days=1), *BASIC)
    complaint = _open(session, "complaint_basic", now, channel="phone")
    (task,) = [t for t in _tasks(session, complaint).values() if t.status == TASK_OPEN]
    # The classification DMN decided the priority after the task's complaint row was written.
    assert _copies(task) == ("billing", "phone", complaint.priority, "Frau Meier")


def test_a_reclassified_complaint_s_open_task_follows(session: Session, now: datetime) -> None:
    deploy_paths(session, now - timedelta(days=1), DIAGRAMS / "reclassify_flow.bpmn")
    complaint = _open(session, "reclassify_flow", now)
    tasks = _tasks(session, complaint)
    assert _copies(tasks["handle"])[:2] == ("billing", "email")

    claim_task(session, ANNA, tasks["review"].id, now)
    complete_task(session, ANNA, tasks["review"].id, {"ok": True}, now + timedelta(minutes=5))
    session.expire_all()

    tasks = _tasks(session, complaint)
    assert (complaint.category, complaint.priority) == ("delivery", "critical")
    assert tasks["handle"].status == TASK_OPEN
    # "handle" was open before and stays open; "confirm" is new after the reclassification.
    assert _copies(tasks["handle"]) == ("delivery", "email", "critical", "Frau Meier")
    assert _copies(tasks["confirm"]) == _copies(tasks["handle"])
    # A closed task keeps the values it had while it was open.
    assert tasks["review"].status == TASK_COMPLETED and tasks["review"].category == "billing"

    # The list's filters see the change.
    both = {"handle", "confirm"}
    for filters, expected in (
        ({}, both),
        ({"category": "delivery"}, both),
        ({"category": "billing"}, set()),
        ({"priority": "critical"}, both),
        ({"priority": "normal"}, set()),
        ({"channel": "email"}, both),
        ({"q": "meier"}, both),
    ):
        criteria = tasklist.TaskListCriteria("anna", ("agent",), tasklist.SCOPE_GROUPS, **filters)  # type: ignore[arg-type]
        assert {row.task.element_id for row in tasklist.list_page(session, criteria, now)} == expected, filters


def test_changes_outside_a_workflow_step_are_copied_by_the_service(session: Session, now: datetime) -> None:
    deploy_paths(session, now - timedelta(days=1), DIAGRAMS / "reclassify_flow.bpmn")
    first = _open(session, "reclassify_flow", now)
    second = _open(session, "reclassify_flow", now, name="Herr Meier")
    other = _open(session, "reclassify_flow", now, name="Herr Schulz")
    assert first.customer_id != second.customer_id  # different e-mail addresses

    first.channel = "letter"
    sync_complaint_tasks(session, first)
    first.customer.name = "Kundin 4711"  # pseudonymised
    sync_customer_tasks(session, first.customer)
    session.commit()
    session.expire_all()

    assert {_copies(t)[1::2] for t in _tasks(session, first).values()} == {("letter", "Kundin 4711")}
    assert {t.customer_name for t in _tasks(session, second).values()} == {"Herr Meier"}
    assert {t.channel for t in _tasks(session, other).values()} == {"email"}
    criteria = tasklist.TaskListCriteria("anna", ("agent",), "groups", q="4711")
    assert {row.complaint.reference for row in tasklist.list_page(session, criteria, now) if row.complaint} == {
        first.reference
    }


def test_postgresql_has_the_trigram_indexes_for_the_search(session: Session) -> None:
    """Migration 0005 creates pg_trgm and its GIN indexes on PostgreSQL (the test server runs as superuser)."""
    if session.get_bind().dialect.name != "postgresql":
        assert not set(tasklist.TRIGRAM_INDEXES) & {name for (name,) in session.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'index'"))}  # fmt: skip
        return
    found = set(session.scalars(text("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%gin_trgm_ops%'")))
    assert found == set(tasklist.TRIGRAM_INDEXES)
