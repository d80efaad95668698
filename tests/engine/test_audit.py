"""The audit log: who did what, when, with before/after; append-only."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from engine.services.casework import tasks
from engine.services.instances import lifecycle as instances
from engine.store import queries
from tests.engine.helpers import ADMIN, ANNA, BASIC, LEA, complaint, deploy_paths, only_task


def test_trail_of_a_complaint(session: Session, now: datetime) -> None:
    deploy_paths(session, now, *BASIC)
    instance = instances.start_instance(session, ADMIN, "complaint_basic", complaint(), now)
    task = only_task(session, instance.id)
    tasks.claim_task(session, ANNA, task.id, now + timedelta(minutes=1))
    tasks.complete_task(
        session,
        ANNA,
        task.id,
        {"resolution": "refund", "refund_amount": 300, "reply": "Refund!"},
        now + timedelta(minutes=2),
    )
    approval = only_task(session, instance.id)
    tasks.complete_task(session, LEA, approval.id, {"approved": True}, now + timedelta(minutes=3))

    trail = queries.audit_trail(session, instance.id)
    assert [(e.actor, e.action, e.element_id) for e in trail] == [
        ("admin", "instance_started", None),
        ("admin", "task_created", "handle_complaint"),
        ("anna", "task_claimed", "handle_complaint"),
        ("anna", "task_completed", "handle_complaint"),
        ("anna", "task_created", "approve_resolution"),
        ("lea", "task_completed", "approve_resolution"),
        ("lea", "instance_completed", None),
    ]
    claimed = trail[2]
    assert (claimed.before, claimed.after, claimed.at) == (
        {"assignee": None},
        {"assignee": "anna"},
        now + timedelta(minutes=1),
    )
    completed = trail[3]
    assert completed.before == {}
    assert completed.after == {"refund_amount": 300, "reply": "Refund!", "resolution": "refund"}
    assert completed.task_id == task.id
    assert trail[5].after == {"approved": True}


def test_changed_values_show_before_and_after(session: Session, now: datetime) -> None:
    deploy_paths(session, now, *BASIC)
    instance = instances.start_instance(session, ADMIN, "complaint_basic", complaint(), now)
    tasks.complete_task(
        session,
        ANNA,
        only_task(session, instance.id).id,
        {"resolution": "refund", "refund_amount": 300, "reply": "Refund!"},
        now,
    )
    tasks.complete_task(session, LEA, only_task(session, instance.id).id, {"approved": False}, now)
    tasks.complete_task(
        session,
        ANNA,
        only_task(session, instance.id).id,
        {"resolution": "refund", "refund_amount": 150, "reply": "Refund!"},
        now,
    )
    last = [e for e in queries.audit_trail(session, instance.id) if e.action == "task_completed"][-1]
    assert (last.before, last.after) == ({"refund_amount": 300}, {"refund_amount": 150})


def test_audit_entries_cannot_be_changed_or_deleted(session: Session, now: datetime) -> None:
    deploy_paths(session, now, *BASIC)
    instance = instances.start_instance(session, ADMIN, "complaint_basic", complaint(), now)
    entry = queries.audit_trail(session, instance.id)[0]
    entry.actor = "somebody else"
    with pytest.raises(PermissionError, match="append-only"):
        session.flush()
    session.rollback()
    session.delete(queries.audit_trail(session, instance.id)[0])
    with pytest.raises(PermissionError, match="append-only"):
        session.flush()
    session.rollback()
