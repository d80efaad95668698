"""/engine-rest/process-instance, message, incident and history over HTTP (both databases)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tests.camunda7.conftest import DIAGRAMS, Rest, basic
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import deploy_paths

SHAPES = json.loads((Path(__file__).resolve().parent / "camunda_dto_shapes.json").read_text())
FETCH = {"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "charge", "lockDuration": 1000}]}


def _ref(instance_id: int) -> str:
    return str(uuid.UUID(int=instance_id))


def test_query_get_variables_and_suspension(rest: Rest, start: Callable[..., int]) -> None:
    first = start(amount=100, complaint_id="C-1")
    start(amount=5, complaint_id="C-2")
    listed = rest.get("/process-instance?processDefinitionKey=external_flow", headers=basic("boss"))
    assert listed.status_code == 200 and len(listed.json) == 2
    assert set(listed.json[0]) == set(SHAPES["ProcessInstanceDto"])
    big = rest.post("/process-instance", {"variables": [{"name": "amount", "operator": "gt", "value": 50}]})
    assert [row["id"] for row in big.json] == [_ref(first)]
    assert rest.get("/process-instance/count?businessKey=C-2").json == {"count": 1}
    assert rest.get("/process-instance?variables=amount_lteq_5").json[0]["businessKey"] == "C-2"
    single = rest.get(f"/process-instance/{_ref(first)}").json
    assert single["definitionKey"] == "external_flow" and single["suspended"] is False

    variables = rest.get(f"/process-instance/{_ref(first)}/variables").json
    assert variables["amount"] == {"type": "Integer", "value": 100, "valueInfo": {}}
    put = rest.put(f"/process-instance/{_ref(first)}/variables/amount", {"value": "250", "type": "Long"})
    assert put.status_code == 204
    modified = rest.post(f"/process-instance/{_ref(first)}/variables",
                         {"modifications": {"note": {"value": "checked"}}, "deletions": ["prio"]})  # fmt: skip
    assert modified.status_code == 204
    after = rest.get(f"/process-instance/{_ref(first)}/variables").json
    assert after["amount"]["value"] == 250 and after["note"]["value"] == "checked" and "prio" not in after
    # The worker sees the changed value.
    [task] = rest.post("/external-task/fetchAndLock", dict(FETCH, topics=[{"topicName": "charge",
                       "lockDuration": 1000, "businessKey": "C-1"}])).json  # fmt: skip
    assert task["variables"]["amount"]["value"] == 250

    assert (
        rest.put(f"/process-instance/{_ref(first)}/suspended", {"suspended": True}, headers=basic("boss")).status_code
        == 204
    )
    assert rest.get(f"/process-instance/{_ref(first)}").json["suspended"] is True
    assert rest.get("/process-instance?suspended=true").json[0]["id"] == _ref(first)
    assert (
        rest.put(f"/process-instance/{_ref(first)}/suspended", {"suspended": False}, headers=basic("boss")).status_code
        == 204
    )
    assert rest.get("/process-instance", headers=basic("agent")).status_code == 403


def test_delete_cancels_and_history_shows_it(rest: Rest, start: Callable[..., int]) -> None:
    instance_id = start()
    deleted = rest.call("DELETE", f"/process-instance/{_ref(instance_id)}?deleteReason=test", headers=basic("boss"))
    assert deleted.status_code == 204
    assert rest.get(f"/process-instance/{_ref(instance_id)}").status_code == 404
    history = rest.get(f"/history/process-instance/{_ref(instance_id)}").json
    assert set(history) == set(SHAPES["HistoricProcessInstanceDto"])
    assert history["state"] == "EXTERNALLY_TERMINATED" and history["endTime"]
    assert rest.get("/history/process-instance?finished=true").json[0]["id"] == _ref(instance_id)
    activities = rest.get(f"/history/activity-instance?processInstanceId={_ref(instance_id)}").json
    assert activities and set(activities[0]) == set(SHAPES["HistoricActivityInstanceDto"])
    assert "charge" in {row["activityId"] for row in activities}


def test_incident_listed_after_failures(rest: Rest, start: Callable[..., int]) -> None:
    instance_id = start()
    [task] = rest.post("/external-task/fetchAndLock", FETCH).json
    rest.post(f"/external-task/{task['id']}/failure", {"workerId": "w", "errorMessage": "down", "retries": 0})
    [incident] = rest.get(f"/incident?processInstanceId={_ref(instance_id)}").json
    assert set(incident) == set(SHAPES["IncidentDto"])
    assert (incident["activityId"], incident["incidentMessage"]) == ("charge", "down")
    assert rest.get("/incident/count").json == {"count": 1}
    assert rest.get("/process-instance?withIncident=true").json[0]["id"] == _ref(instance_id)


def test_message_correlation(rest: Rest, database: DatabaseUnderTest, now: datetime) -> None:
    with database.session() as session:
        deploy_paths(session, now, DIAGRAMS / "wait_for_payment.bpmn")
    for key in ("P-1", "P-2"):
        started = rest.post("/process-definition/key/wait_for_payment/start", {"businessKey": key})
        assert started.status_code == 200
    ambiguous = rest.post("/message", {"messageName": "payment_received"})
    assert ambiguous.status_code == 400 and ambiguous.json["type"] == "InvalidRequestException"
    nobody = rest.post("/message", {"messageName": "payment_received", "businessKey": "P-9"})
    assert nobody.status_code == 404
    one = rest.post("/message", {"messageName": "payment_received", "businessKey": "P-1",
                                 "processVariables": {"paid": {"value": 12.5, "type": "Double"}},
                                 "resultEnabled": True, "variablesInResultEnabled": True})  # fmt: skip
    assert one.status_code == 200 and one.json[0]["resultType"] == "Execution"
    assert one.json[0]["variables"]["paid"] == {"type": "Double", "value": 12.5, "valueInfo": {}}
    assert rest.post("/message", {"messageName": "payment_received", "all": True}).status_code == 204
    assert rest.get("/process-instance?processDefinitionKey=wait_for_payment").json[0]["ended"] is False


def test_signal_reaches_every_waiting_instance(rest: Rest, database: DatabaseUnderTest, now: datetime,
                                               start: Callable[..., int]) -> None:  # fmt: skip
    with database.session() as session:
        deploy_paths(session, now, DIAGRAMS / "wait_for_signal.bpmn")
    ids = [rest.post("/process-definition/key/wait_for_signal/start", {}).json["id"] for _ in range(2)]
    start()  # an instance of another process: untouched
    other = rest.post("/signal", {"name": "other"})
    assert other.status_code == 204
    sent = rest.post("/signal", {"name": "go", "variables": {"why": {"value": "ready", "type": "String"}}})
    assert sent.status_code == 204 and sent.get_data() == b""
    for ref in ids:
        variables = rest.get(f"/process-instance/{ref}/variables").json
        assert variables["why"]["value"] == "ready"
    waiting = rest.get("/task?taskDefinitionKey=after_go", headers=basic("agent")).json
    assert len(waiting) == 2
    assert rest.post("/signal", {}).status_code == 400
