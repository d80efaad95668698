"""/engine-rest/process-definition: list, by id and key, start (exact id), XML, statistics."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tests.camunda7.conftest import Rest, basic
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import BASIC, deploy_paths

SHAPES = json.loads((Path(__file__).resolve().parent / "camunda_dto_shapes.json").read_text())


def test_definitions_by_key_and_id_and_xml(rest: Rest) -> None:
    by_key = rest.get("/process-definition/key/external_flow", headers=basic("boss"))
    assert by_key.status_code == 200 and by_key.headers["Content-Type"] == "application/json"
    definition = by_key.json
    assert set(definition) == set(SHAPES["ProcessDefinitionDto"])
    assert (definition["key"], definition["version"]) == ("external_flow", 1)
    uuid.UUID(definition["deploymentId"])
    assert rest.get(f"/process-definition/{definition['id']}").json == definition
    assert [d["id"] for d in rest.get("/process-definition?latestVersion=true").json] == [definition["id"]]
    xml = rest.get("/process-definition/key/external_flow/xml").json
    assert xml["id"] == definition["id"] and 'camunda:topic="charge"' in xml["bpmn20Xml"]
    assert rest.get("/process-definition/key/nope").status_code == 404


def test_start_by_key_and_exact_id(rest: Rest) -> None:
    definition = rest.get("/process-definition/key/external_flow").json
    started = rest.post(
        "/process-definition/key/external_flow/start",
        {"businessKey": "C-9", "variables": {"prio": {"value": "4", "type": "integer"}}, "withVariablesInReturn": True},
    )
    assert started.status_code == 200, started.get_data(as_text=True)
    body = started.json
    assert set(body) == set(SHAPES["ProcessInstanceWithVariablesDto"])
    assert body["businessKey"] == "C-9" and body["definitionId"] == definition["id"] and not body["ended"]
    assert body["variables"]["prio"] == {"type": "Integer", "value": 4, "valueInfo": {}}
    uuid.UUID(body["id"])
    key, version, row = definition["id"].split(":")
    wrong = rest.post(f"/process-definition/{key}:{version}:{int(row) + 100}/start", {})
    assert wrong.status_code == 404 and wrong.json["type"] == "InvalidRequestException"
    assert rest.post(f"/process-definition/{definition['id']}/start", {}).status_code == 200
    assert rest.post(f"/process-definition/{definition['id']}/start", {}, headers=basic("agent")).status_code == 403


def test_statistics_count_instances_and_incidents(rest: Rest, start: Callable[..., int]) -> None:
    start()
    start()
    fetch = {"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "charge", "lockDuration": 1000}]}
    [task] = rest.post("/external-task/fetchAndLock", fetch).json
    rest.post(f"/external-task/{task['id']}/failure", {"workerId": "w", "errorMessage": "x", "retries": 0})
    [stats] = rest.get("/process-definition/statistics").json
    assert stats["instances"] == 2 and stats["failedJobs"] == 1
    assert stats["incidents"] == [{"incidentType": "failedExternalTask", "incidentCount": 1}]


def test_decision_definitions_list_and_evaluate(rest: Rest, database: DatabaseUnderTest, now: datetime) -> None:
    with database.session() as session:
        deploy_paths(session, now, *BASIC)
    [decision] = rest.get("/decision-definition").json
    assert set(decision) == set(SHAPES["DecisionDefinitionDto"])
    assert (decision["key"], decision["resource"]) == ("complaint_priority", "complaint_priority.dmn")
    result = rest.post("/decision-definition/key/complaint_priority/evaluate",
                       {"variables": {"category": {"value": "billing", "type": "String"},
                                      "amount": {"value": 5000, "type": "Integer"}}})  # fmt: skip
    assert result.status_code == 200, result.get_data(as_text=True)
    [row] = result.json
    assert set(row) == {"priority", "responsible_group", "handling_due"}
    assert row["priority"] == {"type": "String", "value": "high", "valueInfo": {}}
    assert rest.post("/decision-definition/key/nope/evaluate", {}).status_code == 404
