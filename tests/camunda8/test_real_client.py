"""Camunda's own Python SDK (camunda-orchestration-sdk from PyPI) as a Camunda 8 job worker against the served app.

The worker is written as the SDK's README shows (CamundaAsyncClient, create_job_worker, JobError for a BPMN
error); only the address and the Basic credentials point at complaintflow.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from camunda_orchestration_sdk import (
    CamundaAsyncClient,
    CamundaClient,
    ConnectedJobContext,
    JobError,
    ProcessCreationById,
    ProcessDefinitionId,
    UserTaskSearchQuery,
    WorkerConfig,
)

from complaintflow.context import utcnow
from engine.store.models import ProcessInstance
from tests.camunda7.conftest import PASSWORD
from tests.camunda8.conftest import seed
from tests.conftest import DatabaseUnderTest
from tests.webui.live_server import serving
from tests.webui.support import app_context
from webui import create_app


@pytest.fixture
def served(database: DatabaseUnderTest, now: datetime, tmp_path: Path) -> Iterator[str]:
    """The app on a loopback port with the real clock; yields the /v2 address."""
    seed(database, now)
    context = app_context(database.url, database.engine, database.sessions, tmp_path / "instance")
    app = create_app({"CONTEXT": context, "CLOCK": utcnow, "TESTING": True})
    with serving(app) as base:
        yield base + "/v2"


def _configuration(address: str, user: str) -> dict[str, Any]:
    return {"CAMUNDA_REST_ADDRESS": address, "CAMUNDA_AUTH_STRATEGY": "BASIC",
            "CAMUNDA_BASIC_AUTH_USERNAME": user, "CAMUNDA_BASIC_AUTH_PASSWORD": PASSWORD}  # fmt: skip


def _statuses(database: DatabaseUnderTest, ids: list[int]) -> dict[int, str]:
    with database.session() as session:
        return {instance_id: session.get(ProcessInstance, instance_id).status for instance_id in ids}


async def _run_worker(address: str, database: DatabaseUnderTest, ids: list[int], seen: list[Any]) -> None:
    async def charge(job: ConnectedJobContext) -> dict[str, object]:
        variables = job.variables.to_dict()
        seen.append((variables["amount"], job.custom_headers.to_dict()))
        if variables["amount"] > 50:
            raise JobError(error_code="declined", message="over the limit", variables={"reason": "limit"})
        return {"receipt": f"R-{variables['amount']}"}

    async with CamundaAsyncClient(configuration=_configuration(address, "worker")) as client:
        config = WorkerConfig(job_type="charge_card", job_timeout_milliseconds=30_000,
                              request_timeout_milliseconds=1_000, worker_name="sdk-worker")  # fmt: skip
        worker = client.create_job_worker(config=config, callback=charge)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(seen) < len(ids):
            await asyncio.sleep(0.2)
        # The last completion is sent after the handler returns: wait until the server has both answers
        # (the large instance ended by the thrown error, the small one holding its receipt) before stopping.
        while time.monotonic() < deadline and not _both_answered(database, ids):
            await asyncio.sleep(0.1)
        worker.stop()


def _both_answered(database: DatabaseUnderTest, ids: list[int]) -> bool:
    small, large = ids
    with database.session() as session:
        answered_small = "receipt" in (session.get(ProcessInstance, small).variables or {})
        return answered_small and session.get(ProcessInstance, large).status == "completed"


def test_sdk_worker_completes_and_throws(served: str, database: DatabaseUnderTest) -> None:
    with CamundaClient(configuration=_configuration(served, "worker")) as client:
        assert client.get_topology().cluster_size == 1
        ids = []
        for amount in (20, 80):
            data = ProcessCreationById.from_dict({"processDefinitionId": "zeebe_jobs", "variables": {"amount": amount}})
            assert data.process_definition_id == ProcessDefinitionId("zeebe_jobs")
            ids.append(int(client.create_process_instance(data=data).process_instance_key))
    seen: list[Any] = []
    asyncio.run(_run_worker(served, database, ids, seen))
    assert sorted(seen, key=lambda item: item[0]) == [(20, {"currency": "EUR"}), (80, {"currency": "EUR"})]
    small, large = ids
    # 80 > 50: the worker threw "declined", the boundary event ended the instance; 20 waits at the user task.
    assert _statuses(database, ids)[large] == "completed"
    with database.session() as session:
        assert session.get(ProcessInstance, large).variables["reason"] == "limit"
        assert session.get(ProcessInstance, small).variables["receipt"] == "R-20"
    with CamundaClient(configuration=_configuration(served, "agent")) as agent:
        query = UserTaskSearchQuery.from_dict({"filter": {"processInstanceKey": str(small)}})
        [task] = agent.search_user_tasks(data=query).items
        assert task.element_id == "confirm"
        agent.complete_user_task(user_task_key=task.user_task_key)
    assert _statuses(database, ids) == {small: "completed", large: "completed"}
