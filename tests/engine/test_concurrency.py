"""Optimistic locking: of two writers of one instance or two completions of one task, exactly one wins."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.domain.errors import Conflict
from engine.services.casework import tasks
from engine.services.instances import lifecycle as instances
from engine.store.models import AuditEntry, HumanTask, ProcessInstance
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import ADMIN, ANNA, BASIC, BERND, complaint, deploy_paths, only_task

REPLY = {"resolution": "explanation", "refund_amount": 0, "reply": "Here is why."}


def test_two_threads_completing_the_same_task(database: DatabaseUnderTest, now: datetime) -> None:
    with database.session() as session:
        deploy_paths(session, now, *BASIC)
        instance = instances.start_instance(session, ADMIN, "complaint_basic", complaint(), now)
        task_id = only_task(session, instance.id).id
        instance_id = instance.id

    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def complete(actor_name: str) -> None:
        actor = ANNA if actor_name == "anna" else BERND
        with database.session() as session:
            task = tasks.get_task(session, task_id)
            session.get(ProcessInstance, task.instance_id)  # both read the same version first
            barrier.wait(timeout=10)
            try:
                tasks.complete_task(session, actor, task_id, REPLY, now)
                outcomes[actor_name] = "won"
            except Conflict as error:
                outcomes[actor_name] = f"conflict: {error}"

    threads = [threading.Thread(target=complete, args=(name,)) for name in ("anna", "bernd")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcome == "won" for outcome in outcomes.values()) == [False, True], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "won")
    loser_message = next(outcome for outcome in outcomes.values() if outcome != "won")
    assert f"already completed by {winner}" in loser_message or "someone else changed" in loser_message
    with database.session() as session:
        task = session.get(HumanTask, task_id)
        assert task is not None and (task.status, task.completed_by) == ("completed", winner)
        completions = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "task_completed", AuditEntry.instance_id == instance_id)
        )
        assert completions == 1
        assert session.get(ProcessInstance, instance_id).status == "completed"  # type: ignore[union-attr]


def test_stale_writer_of_an_instance_loses_and_writes_nothing(database: DatabaseUnderTest, now: datetime) -> None:
    with database.session() as setup:
        deploy_paths(setup, now, *BASIC)
        instance_id = instances.start_instance(setup, ADMIN, "complaint_basic", complaint(), now).id
        task_id = only_task(setup, instance_id).id

    slow: Session = database.session()
    fast: Session = database.session()
    try:
        stale = slow.get(ProcessInstance, instance_id)
        assert stale is not None
        slow.get(HumanTask, task_id)
        tasks.complete_task(fast, ANNA, task_id, REPLY, now)  # commits lock_version + 1

        audit_before = fast.scalar(select(func.count()).select_from(AuditEntry))
        with pytest.raises(Conflict):
            # The slow session still holds the old version: its completion must not overwrite the fast one.
            tasks.complete_task(slow, BERND, task_id, REPLY, now)
        with database.session() as check:
            assert check.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
            task = check.get(HumanTask, task_id)
            assert task is not None and task.completed_by == "anna"
    finally:
        slow.close()
        fast.close()
