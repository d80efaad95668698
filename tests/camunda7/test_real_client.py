"""Camunda's own Python worker (camunda-external-task-client-python3 from PyPI) against the served app."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from camunda.external_task.external_task import ExternalTask as CamundaTask
from camunda.external_task.external_task import TaskResult
from camunda.external_task.external_task_worker import ExternalTaskWorker, NoExternalTaskFound
from sqlalchemy import select

from complaintflow.context import utcnow
from engine.services.instances import lifecycle as instances
from engine.store import queries
from engine.store.external_tasks import ExternalTask
from tests.camunda7.conftest import PASSWORD, seed_camunda_users
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import ADMIN, open_tasks
from tests.webui.live_server import serving
from tests.webui.support import app_context
from webui import create_app


@pytest.fixture
def served(database: DatabaseUnderTest, now: datetime, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The app on a loopback port with the real clock; yields (engine-rest URL, API token)."""
    token = seed_camunda_users(database, now)
    context = app_context(database.url, database.engine, database.sessions, tmp_path / "instance")
    app = create_app({"CONTEXT": context, "CLOCK": utcnow, "TESTING": True})
    with serving(app) as base:
        yield base + "/engine-rest", token


def _worker(url: str, worker_id: str, **config: Any) -> ExternalTaskWorker:
    settings = {"auth_basic": {"username": "worker", "password": PASSWORD}, "asyncResponseTimeout": 1000,
                "maxTasks": 1, "sleepSeconds": 0, **config}  # fmt: skip
    return ExternalTaskWorker(worker_id=worker_id, base_url=url, config=settings)


def _start(database: DatabaseUnderTest, **data: Any) -> int:
    with database.session() as session:
        values = {"prio": 0, "amount": 30, **data}
        return instances.start_instance(session, ADMIN, "external_flow", values, utcnow()).id


def _work_until_empty(worker: ExternalTaskWorker, action: Any, limit: int = 50) -> int:
    for done in range(limit):
        try:
            worker.fetch_and_execute("charge", action)
        except NoExternalTaskFound:
            return done
    raise AssertionError("the worker never ran out of tasks")


def _waiting_at(database: DatabaseUnderTest, instance_id: int) -> list[str]:
    with database.session() as session:
        return [task.element_id for task in open_tasks(session, instance_id)]


def test_worker_completes_tasks_with_variables(database: DatabaseUnderTest, served: tuple[str, str]) -> None:
    url, _ = served
    ids = [_start(database, amount=amount) for amount in (10, 20)]
    seen: list[int] = []

    def charge(task: CamundaTask) -> TaskResult:
        seen.append(task.get_variable("amount"))
        return task.complete({"charged": True, "receipt": f"R-{task.get_variable('amount')}"})

    assert _work_until_empty(_worker(url, "py-1"), charge) == 2
    assert sorted(seen) == [10, 20]
    for instance_id in ids:
        assert _waiting_at(database, instance_id) == ["confirm"]
    with database.session() as session:
        assert instances.get_instance(session, ids[0]).variables["receipt"] == "R-10"


def test_worker_throws_a_bpmn_error_with_a_bearer_token(database: DatabaseUnderTest, served: tuple[str, str]) -> None:
    url, token = served
    instance_id = _start(database)
    worker = _worker(url, "py-bearer", auth_basic=None, auth_bearer={"access_token": token})

    def decline(task: CamundaTask) -> TaskResult:
        return task.bpmn_error("card_declined", "limit reached", {"reason": "limit"})

    assert _work_until_empty(worker, decline) == 1
    assert _waiting_at(database, instance_id) == ["handle_declined"]


def test_worker_fails_with_retries_until_an_incident(database: DatabaseUnderTest, served: tuple[str, str]) -> None:
    url, _ = served
    instance_id = _start(database)
    retries_seen: list[Any] = []

    def broken(task: CamundaTask) -> TaskResult:
        retries_seen.append(task._context["retries"])
        return task.failure("gateway down", "stack trace", max_retries=3, retry_timeout=0)

    assert _work_until_empty(_worker(url, "py-fail"), broken) == 4
    assert retries_seen == [None, 3, 2, 1]
    with database.session() as session:
        incident = queries.open_incident(session, instance_id)
        assert incident is not None and incident.message == "gateway down"
        assert instances.get_instance(session, instance_id).status == "incident"


def test_worker_extends_its_lock_while_working(database: DatabaseUnderTest, served: tuple[str, str]) -> None:
    url, _ = served
    _start(database)
    worker = _worker(url, "py-slow", lockDuration=2000)
    expirations: list[str] = []

    def slow(task: CamundaTask) -> TaskResult:
        # The Python client has no call for it: the worker posts extendLock with the client's own headers.
        headers = worker.client._get_headers()
        extended = requests.post(
            f"{url}/external-task/{task.get_task_id()}/extendLock",
            json={"workerId": "py-slow", "newDuration": 600000},
            headers=headers,
            timeout=10,
        )
        assert extended.status_code == 204 and extended.content == b""
        expirations.append(requests.get(f"{url}/external-task/{task.get_task_id()}", headers=headers, timeout=10)
                           .json()["lockExpirationTime"])  # fmt: skip
        time.sleep(2.2)  # past the first lock: still ours, nobody else may fetch it
        other = _worker(url, "py-other", asyncResponseTimeout=0)
        assert other.client.fetch_and_lock("charge") == []
        return task.complete({"charged": True})

    assert _work_until_empty(worker, slow) == 1
    assert len(expirations) == 1


def test_two_workers_racing_never_get_the_same_task(database: DatabaseUnderTest, served: tuple[str, str]) -> None:
    url, _ = served
    for _ in range(12):
        _start(database)
    got: dict[str, list[str]] = {"a": [], "b": []}

    def run(name: str) -> None:
        worker = _worker(url, f"race-{name}", maxTasks=3, asyncResponseTimeout=0)

        def take(task: CamundaTask) -> TaskResult:
            got[name].append(task.get_task_id())
            return task.complete({"by": name})

        _work_until_empty(worker, take)

    threads = [threading.Thread(target=run, args=(name,)) for name in got]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not set(got["a"]) & set(got["b"])
    assert len(got["a"]) + len(got["b"]) == 12
    with database.session() as session:
        rows = session.scalars(select(ExternalTask)).all()
        assert {row.status for row in rows} == {"completed"} and len(rows) == 12


def test_long_poll_answers_as_soon_as_a_task_appears(database: DatabaseUnderTest, served: tuple[str, str]) -> None:
    url, _ = served
    worker = _worker(url, "py-poll", asyncResponseTimeout=20000)
    result: dict[str, Any] = {}

    def poll() -> None:
        began = time.monotonic()
        result["tasks"] = worker.client.fetch_and_lock("charge")
        result["answered"] = time.monotonic()
        result["waited"] = result["answered"] - began

    thread = threading.Thread(target=poll)
    thread.start()
    time.sleep(0.5)
    instance_id = _start(database)
    ready = time.monotonic()  # committed: the waiting worker is woken now (not after its 20 s)
    thread.join(timeout=30)
    assert len(result["tasks"]) == 1 and uuid.UUID(result["tasks"][0]["processInstanceId"]).int == instance_id
    assert result["answered"] - ready < 2.0, result
