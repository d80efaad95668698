"""/engine-rest/external-task over HTTP: shapes, typed variables, errors and status codes as Camunda 7 sends them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tests.camunda7.conftest import Rest, basic
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import ADMIN

SHAPES = json.loads((Path(__file__).resolve().parent / "camunda_dto_shapes.json").read_text())
FETCH = {"workerId": "w1", "maxTasks": 5, "topics": [{"topicName": "charge", "lockDuration": 60000}]}


def _is_json(response: object) -> None:
    assert response.headers["Content-Type"] == "application/json"  # type: ignore[attr-defined]


def test_fetch_complete_round_trip_with_camunda_shapes(rest: Rest, start: Callable[..., int]) -> None:
    instance_id = start(amount=300, note="hello", when={"nested": [1, 2]})
    fetched = rest.post("/external-task/fetchAndLock", FETCH)
    assert fetched.status_code == 200, fetched.get_data(as_text=True)
    _is_json(fetched)
    [task] = fetched.json
    assert set(task) == set(SHAPES["LockedExternalTaskDto"])
    uuid.UUID(task["id"])
    assert uuid.UUID(task["processInstanceId"]).int == instance_id
    assert (task["topicName"], task["workerId"], task["retries"]) == ("charge", "w1", None)
    assert task["activityId"] == "charge"
    assert task["lockExpirationTime"] == "2026-11-23T09:01:00.000+0000"
    assert task["processDefinitionKey"] == "external_flow"
    assert task["processDefinitionId"].startswith("external_flow:1:")
    variables = task["variables"]
    assert variables["amount"] == {"type": "Integer", "value": 300, "valueInfo": {}}
    assert variables["note"] == {"type": "String", "value": "hello", "valueInfo": {}}
    assert variables["when"]["type"] == "Json" and json.loads(variables["when"]["value"]) == {"nested": [1, 2]}
    assert all("type" in value for value in variables.values())

    done = rest.post(
        f"/external-task/{task['id']}/complete",
        {
            "workerId": "w1",
            "variables": {
                "approved": {"value": "true", "type": "boolean"},
                "count": {"value": 3, "type": "LONG"},
                "due": {"value": "2026-12-01T10:00:00.000+0100", "type": "Date"},
                "plain": 7,
                "blob": {"value": '{"a": 1}', "type": "Json"},
            },
            "localVariables": {"rate": {"value": 1.5, "type": "Double"}},
            "someFieldCamundaAddsLater": True,
        },
    )
    assert done.status_code == 204 and done.get_data() == b""
    instance = rest.get(f"/external-task?processInstanceId={uuid.UUID(int=instance_id)}")
    assert instance.json == []
    assert rest.post("/external-task/fetchAndLock", FETCH).json == []


def test_variables_filter_and_count_and_query(rest: Rest, start: Callable[..., int]) -> None:
    start(amount=1, complaint_id="C-1")
    start(amount=2, complaint_id="C-2")
    topic = {"topicName": "charge", "lockDuration": 1000, "variables": ["amount", "missing"], "businessKey": "C-2"}
    body = {"workerId": "w", "maxTasks": 1, "topics": [topic]}
    [task] = rest.post("/external-task/fetchAndLock", body).json
    assert task["variables"] == {"amount": {"type": "Integer", "value": 2, "valueInfo": {}}}
    assert task["businessKey"] == "C-2"
    assert rest.get("/external-task/count").json == {"count": 2}
    assert rest.post("/external-task/count", {"locked": True}).json == {"count": 1}
    assert rest.get("/external-task/count?notLocked=true").json == {"count": 1}
    listed = rest.get("/external-task?topicName=charge&sortBy=createTime&sortOrder=desc&maxResults=1")
    assert len(listed.json) == 1 and set(listed.json[0]) == set(SHAPES["ExternalTaskDto"])
    single = rest.get(f"/external-task/{task['id']}")
    assert single.json["workerId"] == "w" and single.json["id"] == task["id"]
    assert rest.get("/external-task/topic-names").json == ["charge"]


def test_errors_in_camunda_format(rest: Rest, start: Callable[..., int]) -> None:
    start()
    [task] = rest.post("/external-task/fetchAndLock", FETCH).json
    missing = rest.post(f"/external-task/{uuid.uuid4()}/complete", {"workerId": "w1"})
    assert missing.status_code == 404 and missing.json["type"] == "InvalidRequestException"
    _is_json(missing)
    wrong = rest.post(f"/external-task/{task['id']}/complete", {"workerId": "other"})
    assert wrong.status_code == 400 and "locked by worker 'w1'" in wrong.json["message"]
    not_a_number = {"n": {"value": "x", "type": "Integer"}}
    bad_type = rest.post(f"/external-task/{task['id']}/complete", {"workerId": "w1", "variables": not_a_number})
    assert bad_type.status_code == 400 and bad_type.json["type"] == "InvalidRequestException"
    no_worker = rest.post("/external-task/fetchAndLock", {"topics": []})
    assert no_worker.status_code == 400
    anonymous = rest.post("/external-task/fetchAndLock", FETCH, headers={})
    assert anonymous.status_code == 401
    agent = rest.post("/external-task/fetchAndLock", FETCH, headers=basic("agent"))
    assert agent.status_code == 403 and agent.json["type"] == "AuthorizationException"
    assert rest.post("/external-task/fetchAndLock", FETCH, headers=basic("worker", "wrong")).status_code == 401


def test_failure_retries_incident_and_retries_endpoint(rest: Rest, start: Callable[..., int]) -> None:
    start()
    [task] = rest.post("/external-task/fetchAndLock", FETCH).json
    failed = rest.post(
        f"/external-task/{task['id']}/failure",
        {"workerId": "w1", "errorMessage": "down", "errorDetails": "trace...", "retries": 0, "retryTimeout": 0},
    )
    assert failed.status_code == 204 and failed.get_data() == b""
    stuck = rest.get(f"/external-task/{task['id']}").json
    assert (stuck["retries"], stuck["errorMessage"]) == (0, "down")
    assert rest.get(f"/external-task/{task['id']}/errorDetails").get_data(as_text=True) == "trace..."
    assert rest.get("/external-task/count?noRetriesLeft=true").json == {"count": 1}
    assert rest.post("/external-task/fetchAndLock", FETCH).json == []
    # A manager (cockpit operator) sets retries again: the incident is resolved, the task fetchable.
    assert rest.put(f"/external-task/{task['id']}/retries", {"retries": 2}, headers=basic("boss")).status_code == 204
    [again] = rest.post("/external-task/fetchAndLock", FETCH).json
    assert again["id"] == task["id"] and again["retries"] == 2 and again["errorMessage"] == "down"


def test_bpmn_error_extend_and_unlock_over_http(rest: Rest, start: Callable[..., int]) -> None:
    start()
    [task] = rest.post("/external-task/fetchAndLock", FETCH).json
    extended = rest.post(f"/external-task/{task['id']}/extendLock", {"workerId": "w1", "newDuration": 120000})
    assert extended.status_code == 204
    assert rest.get(f"/external-task/{task['id']}").json["lockExpirationTime"] == "2026-11-23T09:02:00.000+0000"
    assert rest.post(f"/external-task/{task['id']}/unlock").status_code == 204
    [task] = rest.post("/external-task/fetchAndLock", FETCH, headers=rest.bearer()).json
    error = rest.post(
        f"/external-task/{task['id']}/bpmnError",
        {"workerId": "w1", "errorCode": "card_declined", "errorMessage": "no", "variables": {"why": {"value": "x"}}},
    )
    assert error.status_code == 204
    assert rest.get("/external-task/count").json == {"count": 0}


def test_long_poll_times_out_with_an_empty_list(rest: Rest) -> None:
    body = dict(FETCH, asyncResponseTimeout=300)
    response = rest.post("/external-task/fetchAndLock", body)
    assert response.status_code == 200 and response.json == []


def test_unknown_paths_and_methods_answer_in_camunda_format(rest: Rest) -> None:
    missing = rest.get("/job-definition")
    assert missing.status_code == 404 and missing.json["type"] == "InvalidRequestException"
    assert missing.headers["Content-Type"] == "application/json"
    wrong_method = rest.call("DELETE", "/external-task/fetchAndLock")
    assert wrong_method.status_code == 405 and wrong_method.json["type"] == "InvalidRequestException"


def test_tenant_filters_behave_as_for_tenants_nothing_belongs_to(rest: Rest, start: Callable[..., int]) -> None:
    start(amount=1)
    # complaintflow refuses deployments with a tenant id, so nothing belongs to a tenant: asking for
    # tenants matches nothing, and asking for "without tenant" matches everything, as in Camunda.
    for_tenant = {"topicName": "charge", "lockDuration": 1000, "tenantIdIn": ["acme"]}
    assert rest.post("/external-task/fetchAndLock", {"workerId": "w", "topics": [for_tenant]}).json == []
    assert rest.post("/external-task/count", {"tenantIdIn": ["acme"]}).json == {"count": 0}
    assert rest.get("/external-task?tenantIdIn=acme").json == []
    assert rest.get("/process-instance?tenantIdIn=acme").json == []
    assert rest.get("/process-definition?tenantIdIn=acme").json == []
    assert rest.get("/process-definition/count?tenantIdIn=acme").json == {"count": 0}
    assert len(rest.get("/process-definition?withoutTenantId=true").json) >= 1
    assert len(rest.get("/process-instance?withoutTenantId=true").json) == 1
    without = {"topicName": "charge", "lockDuration": 1000, "withoutTenantId": True}
    [task] = rest.post("/external-task/fetchAndLock", {"workerId": "w", "topics": [without]}).json
    assert task["tenantId"] is None


LOCAL_FLOW = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs_local" targetNamespace="urn:t">
  <bpmn:process id="local_flow" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:serviceTask id="notify" camunda:type="external" camunda:topic="notify_local">
      <bpmn:extensionElements>
        <camunda:inputOutput>
          <camunda:inputParameter name="channel">sms</camunda:inputParameter>
          <camunda:inputParameter name="amount">${amount * 2}</camunda:inputParameter>
        </camunda:inputOutput>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="notify" />
    <bpmn:sequenceFlow id="f2" sourceRef="notify" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_local_variables_are_the_steps_input_parameters(rest: Rest, database: DatabaseUnderTest, now: datetime) -> None:
    from engine.bpmn.resources import Resource
    from engine.services.designer import deployment
    from engine.services.instances import lifecycle as instances

    with database.session() as session:
        deployment.deploy(session, ADMIN, [Resource("local_flow.bpmn", LOCAL_FLOW)], now)
        instances.start_instance(session, ADMIN, "local_flow", {"amount": 21, "note": "x"}, now)
    topic = {"topicName": "notify_local", "lockDuration": 1000, "localVariables": True}
    [task] = rest.post("/external-task/fetchAndLock", {"workerId": "w", "topics": [topic]}).json
    # Only the step's own variables; an input parameter is text or a ${...} expression evaluated on arrival.
    assert task["variables"] == {
        "channel": {"type": "String", "value": "sms", "valueInfo": {}},
        "amount": {"type": "Integer", "value": 42, "valueInfo": {}},
    }
    assert rest.post(f"/external-task/{task['id']}/unlock", {}).status_code == 204
    everything = {"topicName": "notify_local", "lockDuration": 1000, "includeExtensionProperties": True}
    [again] = rest.post("/external-task/fetchAndLock", {"workerId": "w", "topics": [everything]}).json
    # Without localVariables: process and local variables, the local one shadowing; not extension properties.
    assert {name: value["value"] for name, value in again["variables"].items()} == {
        "amount": 42, "note": "x", "channel": "sms"
    }  # fmt: skip
    assert again["extensionProperties"] == {}
