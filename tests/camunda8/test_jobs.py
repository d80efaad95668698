"""/v2/jobs: Camunda 8 workers activate jobs (external-task rows), complete, fail them and throw BPMN errors."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from engine.store.external_tasks import ExternalTask
from engine.store.models import AuditEntry, ProcessInstance
from tests.camunda7.conftest import basic
from tests.camunda8.conftest import V2
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import open_tasks


def _activate(v2: V2, **overrides: Any) -> list[dict[str, Any]]:
    body = {"type": "charge_card", "worker": "py-worker", "timeout": 60_000, "maxJobsToActivate": 5,
            "requestTimeout": -1, **overrides}  # fmt: skip
    response = v2.post("/jobs/activation", body)
    assert response.status_code == 200, response.get_data(as_text=True)
    jobs: list[dict[str, Any]] = response.get_json()["jobs"]
    return jobs


def _waiting_at(database: DatabaseUnderTest, instance_id: int) -> list[str]:
    with database.session() as session:
        return [task.element_id for task in open_tasks(session, instance_id)]


def test_activate_and_complete(v2: V2, database: DatabaseUnderTest, start: Callable[..., int]) -> None:
    first, second = start(amount=10, note="x"), start(amount=20, note="y")
    jobs = _activate(v2, fetchVariable=["amount"])
    assert sorted(job["processInstanceKey"] for job in jobs) == sorted([str(first), str(second)])
    job = next(job for job in jobs if job["processInstanceKey"] == str(first))
    assert job["variables"] == {"amount": 10}  # only what fetchVariable asked for
    assert job["customHeaders"] == {"currency": "EUR"}
    assert (job["type"], job["elementId"], job["worker"]) == ("charge_card", "charge", "py-worker")
    assert job["jobKey"].isdigit() and job["processDefinitionId"] == "zeebe_jobs" and job["retries"] == 3
    assert job["deadline"] > 0
    assert _activate(v2) == []  # both are locked for a minute

    response = v2.post(f"/jobs/{job['jobKey']}/completion", {"variables": {"receipt": "R-10"}})
    assert response.status_code == 204, response.get_data(as_text=True)
    assert _waiting_at(database, first) == ["confirm"]
    with database.session() as session:
        assert session.get(ProcessInstance, first).variables["receipt"] == "R-10"
        audit = select(AuditEntry.actor).where(AuditEntry.action == "external_task_completed")
        assert list(session.scalars(audit)) == ["worker"]
    again = v2.post(f"/jobs/{job['jobKey']}/completion", {})
    assert again.status_code == 404 and again.get_json()["title"] == "NOT_FOUND"
    assert again.headers["Content-Type"] == "application/problem+json"


def test_failure_with_retries_then_incident(v2: V2, database: DatabaseUnderTest, start: Callable[..., int]) -> None:
    instance_id = start(amount=5)
    [job] = _activate(v2)
    body = {"retries": 2, "errorMessage": "card service down", "retryBackOff": 0}
    assert v2.post(f"/jobs/{job['jobKey']}/failure", body).status_code == 204
    [again] = _activate(v2)  # no back-off: activatable at once, with the retries the worker left
    assert again["jobKey"] == job["jobKey"] and again["retries"] == 2
    assert v2.post(f"/jobs/{job['jobKey']}/failure", {"retries": 1, "retryBackOff": 600_000}).status_code == 204
    assert _activate(v2) == []  # backing off for ten minutes
    with database.session() as session:
        row = session.scalars(select(ExternalTask).where(ExternalTask.instance_id == instance_id)).one()
        row.lock_expires_at = None  # the back-off is over
        session.commit()
    [last] = _activate(v2)
    assert v2.post(f"/jobs/{last['jobKey']}/failure", {"retries": 0, "errorMessage": "gave up"}).status_code == 204
    with database.session() as session:
        row = session.scalars(select(ExternalTask).where(ExternalTask.instance_id == instance_id)).one()
        assert (row.status, row.error_message) == ("incident", "gave up")


def test_error_goes_to_the_boundary_event(v2: V2, database: DatabaseUnderTest, start: Callable[..., int]) -> None:
    instance_id = start(amount=99)
    [job] = _activate(v2)
    body = {"errorCode": "declined", "errorMessage": "limit", "variables": {"reason": "limit"}}
    assert v2.post(f"/jobs/{job['jobKey']}/error", body).status_code == 204
    with database.session() as session:
        instance = session.get(ProcessInstance, instance_id)
        assert instance.status == "completed" and instance.variables["reason"] == "limit"
    assert _waiting_at(database, instance_id) == []


def test_long_polling_answers_when_a_job_appears(v2: V2, start: Callable[..., int]) -> None:
    answer: dict[str, Any] = {}

    def poll() -> None:
        began = time.monotonic()
        answer["jobs"] = _activate(v2, requestTimeout=10_000)
        answer["seconds"] = time.monotonic() - began

    waiter = threading.Thread(target=poll)
    waiter.start()
    time.sleep(0.4)
    instance_id = start(amount=1)
    waiter.join(15)
    assert [job["processInstanceKey"] for job in answer["jobs"]] == [str(instance_id)]
    assert 0.3 < answer["seconds"] < 5


def test_errors_are_problem_details(v2: V2) -> None:
    assert v2.post("/jobs/activation", {"type": "charge_card"}).get_json()["detail"] == "No timeout provided."
    response = v2.post("/jobs/activation", {"type": "x", "timeout": 1, "maxJobsToActivate": 1}, headers={})
    assert response.status_code == 401 and response.get_json()["title"] == "UNAUTHORIZED"
    # An agent may not work on jobs (the worker group may): refused, not an empty answer.
    refused = v2.post("/jobs/activation", {"type": "x", "timeout": 1, "maxJobsToActivate": 1}, basic("agent"))
    assert refused.status_code == 403 and refused.get_json()["title"] == "FORBIDDEN"
    assert v2.post("/jobs/abc/completion", {}).status_code == 404
    assert v2.post("/jobs/12/error", {}).get_json()["detail"] == "No errorCode provided."


def test_topology_and_bearer_token(v2: V2) -> None:
    response = v2.get("/topology", headers={"Authorization": f"Bearer {v2.token}"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["clusterSize"] == 1 and body["brokers"][0]["partitions"][0]["role"] == "leader"


def test_task_definition_retries_count_down_to_an_incident_that_new_retries_resolve(
    v2: V2, database: DatabaseUnderTest, start: Callable[..., int]
) -> None:
    """zeebe:taskDefinition retries="2": each failure leaves the retries the worker reports (Camunda's workers
    report the job's retries minus one); 0 is an incident on the instance; new retries (the operator's fix,
    here through the Camunda 7 external-task path) make the job activatable again, and it runs on."""
    instance_id = start("zeebe_retries")
    [job] = _activate(v2, type="send_notice")
    assert job["retries"] == 2 and job["elementId"] == "notify" and job["customHeaders"] == {}
    failed = {"retries": job["retries"] - 1, "errorMessage": "mail server down", "retryBackOff": 0}
    assert v2.post(f"/jobs/{job['jobKey']}/failure", failed).status_code == 204
    [again] = _activate(v2, type="send_notice")
    assert (again["jobKey"], again["retries"]) == (job["jobKey"], 1)
    task_id = str(uuid.UUID(int=int(job["jobKey"])))
    # The second attempt fails through Camunda 7's external-task API: the same row, the same countdown.
    rest_failure = {"workerId": "py-worker", "errorMessage": "still down", "retries": again["retries"] - 1}
    rest = f"/engine-rest/external-task/{task_id}"
    response = v2.client.post(f"{rest}/failure", json=rest_failure, headers=basic("worker"))
    assert response.status_code == 204, response.get_data(as_text=True)
    assert _activate(v2, type="send_notice") == []
    with database.session() as session:
        assert session.get(ProcessInstance, instance_id).status == "incident"
        assert session.get(ExternalTask, task_id).status == "incident"
    response = v2.client.put(f"{rest}/retries", json={"retries": 2}, headers=basic("worker"))
    assert response.status_code == 204, response.get_data(as_text=True)
    [revived] = _activate(v2, type="send_notice")
    assert (revived["jobKey"], revived["retries"]) == (job["jobKey"], 2)
    with database.session() as session:
        assert session.get(ProcessInstance, instance_id).status != "incident"
    assert v2.post(f"/jobs/{revived['jobKey']}/completion", {"variables": {"sent": True}}).status_code == 204
    assert _waiting_at(database, instance_id) == ["done"]
