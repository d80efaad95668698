"""/v2/process-instances, /v2/messages and /v2/user-tasks: start, move on and finish Camunda 8 models."""

from __future__ import annotations

from collections.abc import Callable

from engine.store.models import ProcessDefinition, ProcessInstance
from tests.camunda7.conftest import basic
from tests.camunda8.conftest import V2
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import open_tasks


def _status(database: DatabaseUnderTest, instance_id: int) -> str:
    with database.session() as session:
        return session.get(ProcessInstance, instance_id).status


def test_create_by_id_and_by_key(v2: V2, database: DatabaseUnderTest) -> None:
    response = v2.post("/process-instances", {"processDefinitionId": "zeebe_jobs", "variables": {"amount": 7}})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["processDefinitionId"], body["processDefinitionVersion"], body["tenantId"]) == (
        "zeebe_jobs", 1, "<default>",
    )  # fmt: skip
    instance_id = int(body["processInstanceKey"])
    with database.session() as session:
        instance = session.get(ProcessInstance, instance_id)
        assert instance.variables["amount"] == 7 and str(instance.definition_id) == body["processDefinitionKey"]
        definition_key = session.get(ProcessDefinition, instance.definition_id).id
    by_key = v2.post("/process-instances", {"processDefinitionKey": str(definition_key)})
    assert by_key.status_code == 200 and by_key.get_json()["processDefinitionId"] == "zeebe_jobs"
    jobs = v2.post("/jobs/activation", {"type": "charge_card", "timeout": 1000, "maxJobsToActivate": 9,
                                        "requestTimeout": -1}).get_json()["jobs"]  # fmt: skip
    assert sorted(job["processInstanceKey"] for job in jobs) == sorted(
        [str(instance_id), by_key.get_json()["processInstanceKey"]]
    )


def test_create_refusals(v2: V2) -> None:
    assert v2.post("/process-instances", {"processDefinitionId": "nope"}).status_code == 404
    assert v2.post("/process-instances", {"processDefinitionKey": "999999"}).status_code == 404
    assert v2.post("/process-instances", {}).get_json()["title"] == "INVALID_ARGUMENT"
    waiting = v2.post("/process-instances", {"processDefinitionId": "zeebe_jobs", "awaitCompletion": True})
    assert waiting.status_code == 400
    # An agent works on tasks; starting instances over the API is for integrations.
    assert v2.post("/process-instances", {"processDefinitionId": "zeebe_jobs"}, basic("agent")).status_code == 403


def test_correlate_and_publish(v2: V2, database: DatabaseUnderTest, start: Callable[..., int]) -> None:
    first = start("zeebe_message", complaint_id="C-1")  # the business key the subscription waits under
    second = start("zeebe_message", complaint_id="C-2")
    body = {"name": "payment_received", "correlationKey": "C-1", "variables": {"paid": 12.5}}
    response = v2.post("/messages/correlation", body)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["processInstanceKey"] == str(first)
    with database.session() as session:
        instance = session.get(ProcessInstance, first)
        assert (instance.status, instance.variables["paid"]) == ("completed", 12.5)
    assert _status(database, second) != "completed"
    published = v2.post("/messages/publication", {"name": "payment_received", "correlationKey": "C-2"})
    assert published.status_code == 200 and published.get_json()["messageKey"].isdigit()
    assert _status(database, second) == "completed"
    # Nobody waits any more: not buffered, and not dropped silently either.
    late = v2.post("/messages/publication", {"name": "payment_received", "correlationKey": "C-2"})
    assert late.status_code == 404 and late.get_json()["title"] == "NOT_FOUND"


def test_search_and_complete_user_task(v2: V2, database: DatabaseUnderTest, start: Callable[..., int]) -> None:
    instance_id = start(amount=3)
    [job] = v2.post("/jobs/activation", {"type": "charge_card", "timeout": 1000, "maxJobsToActivate": 1,
                                         "requestTimeout": -1}).get_json()["jobs"]  # fmt: skip
    assert v2.post(f"/jobs/{job['jobKey']}/completion", {}).status_code == 204
    found = v2.post("/user-tasks/search", {"filter": {"processInstanceKey": str(instance_id)}}, basic("agent"))
    assert found.status_code == 200, found.get_data(as_text=True)
    [task] = found.get_json()["items"]
    assert (task["elementId"], task["state"], task["candidateGroups"]) == ("confirm", "CREATED", ["agent"])
    assert found.get_json()["page"]["totalItems"] == 1
    # The worker is in no candidate group of the task: it neither sees nor completes it.
    assert v2.post("/user-tasks/search", {}).get_json()["items"] == []
    assert v2.post(f"/user-tasks/{task['userTaskKey']}/completion", {}).status_code == 404
    done = v2.post(f"/user-tasks/{task['userTaskKey']}/completion", {"variables": {}}, basic("agent"))
    assert done.status_code == 204, done.get_data(as_text=True)
    assert _status(database, instance_id) == "completed"
    with database.session() as session:
        assert open_tasks(session, instance_id) == []


def test_zeebe_subscription_correlation_key(v2: V2, database: DatabaseUnderTest, start: Callable[..., int]) -> None:
    # correlationKey="=&quot;order-&quot; + string(orderId)": evaluated with FEEL when the catch event is reached.
    first, second = start("zeebe_keyed_message", orderId=1), start("zeebe_keyed_message", orderId=2)
    response = v2.post("/messages/correlation", {"name": "order_paid", "correlationKey": "order-2"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["processInstanceKey"] == str(second)
    assert (_status(database, first), _status(database, second)) != ("completed", "completed")
    assert _status(database, second) == "completed"
    # The instance's business key is not the key here: nothing waits under it.
    assert v2.post("/messages/correlation", {"name": "order_paid", "correlationKey": "1"}).status_code == 404
    assert v2.post("/messages/correlation", {"name": "order_paid", "correlationKey": "order-1"}).status_code == 200
    assert _status(database, first) == "completed"
