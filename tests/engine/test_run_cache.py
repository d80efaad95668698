"""The run cache: a committed save is reused by the next step, anything else is restored from the row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from engine.services.casework import tasks
from engine.services.instances import lifecycle as instances
from engine.services.instances.lifecycle import load_run
from engine.services.instances.persistence import save_run
from engine.services.instances.run_cache import RUN_CACHE
from engine.store.models import ProcessInstance
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import ADMIN, BASIC, complaint, deploy_paths, only_task

HANDLE = {"resolution": "refund", "refund_amount": 500, "reply": "We refund you."}


def _started(database: DatabaseUnderTest, now: datetime, complaint_id: str = "C-100") -> tuple[int, str]:
    with database.session() as session:
        deploy_paths(session, now, *BASIC)
        data = complaint(complaint_id=complaint_id)
        instance = instances.start_instance(session, ADMIN, "complaint_basic", data, now)
        return instance.id, only_task(session, instance.id).id


def test_next_step_reuses_the_committed_run_and_ends_like_a_restored_one(
    database: DatabaseUnderTest, now: datetime
) -> None:
    instance_id, task_id = _started(database, now)
    hits = RUN_CACHE.hits
    with database.session() as session:
        tasks.complete_task(session, ADMIN, task_id, HANDLE, now)
        approve = only_task(session, instance_id)
    assert RUN_CACHE.hits == hits + 1
    with database.session() as session:
        tasks.complete_task(session, ADMIN, approve.id, {"approved": True, "approval_note": "ok"}, now)
    assert RUN_CACHE.hits == hits + 2
    with database.session() as session:
        instance = session.get(ProcessInstance, instance_id)
        assert instance is not None and instance.status == "completed"
        assert instance.variables["refund_amount"] == 500 and instance.variables["approved"] is True


def test_a_taken_run_is_not_handed_out_twice(database: DatabaseUnderTest, now: datetime) -> None:
    instance_id, _task_id = _started(database, now)
    with database.session() as first, database.session() as second:
        one = load_run(first, instances.get_instance(first, instance_id), now)
        two = load_run(second, instances.get_instance(second, instance_id), now)
        assert one is not two and one.workflow is not two.workflow
        assert one.snapshot() == two.snapshot()


def test_another_row_version_or_other_state_bytes_are_restored_not_reused(
    database: DatabaseUnderTest, now: datetime
) -> None:
    instance_id, _task_id = _started(database, now)
    other_id, _other_task = _started(database, now, complaint_id="C-200")
    with database.session() as session:
        # Written behind the ORM's back: the version moves, the state stays.
        session.execute(
            update(ProcessInstance)
            .where(ProcessInstance.id == instance_id)
            .values(lock_version=ProcessInstance.lock_version + 1)
        )
        session.commit()
    misses = RUN_CACHE.misses
    with database.session() as session:
        load_run(session, instances.get_instance(session, instance_id), now)
    assert RUN_CACHE.misses == misses + 1

    with database.session() as session:
        other = instances.get_instance(session, other_id)
        # Same version, but another instance's state: what the row says wins.
        session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id).values(state=other.state))
        session.commit()
    with database.session() as session:
        misses = RUN_CACHE.misses
        run = load_run(session, instances.get_instance(session, other_id), now)
        assert RUN_CACHE.misses == misses  # the other instance's own entry is fine
        copied = load_run(session, instances.get_instance(session, instance_id), now)
        assert RUN_CACHE.misses == misses + 1
        assert [t.task_id for t in copied.snapshot().human_tasks] == [t.task_id for t in run.snapshot().human_tasks]


def test_rolled_back_or_changed_after_save_is_not_kept(database: DatabaseUnderTest, now: datetime) -> None:
    instance_id, task_id = _started(database, now)
    with database.session() as session:
        instance = instances.get_instance(session, instance_id)
        run = load_run(session, instance, now)
        run.complete_task(task_id, HANDLE)
        save_run(session, instance, run, ADMIN, now)
        session.flush()
        session.rollback()
    with database.session() as session:
        instance = instances.get_instance(session, instance_id)
        reloaded = load_run(session, instance, now)
        assert reloaded is not run and reloaded.is_ready(task_id)  # the rolled-back step never happened
        save_run(session, instance, reloaded, ADMIN, now)
        reloaded.complete_task(task_id, HANDLE)  # ran on after its save, and not saved again
        session.commit()
    with database.session() as session:
        again = load_run(session, instances.get_instance(session, instance_id), now)
        assert again is not reloaded and again.is_ready(task_id)
