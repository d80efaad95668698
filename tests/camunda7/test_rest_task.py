"""/engine-rest/task: list, get, claim, unclaim, assignee, complete, form variables; the web UI's permissions."""

from __future__ import annotations

from collections.abc import Callable

from tests.camunda7.conftest import Rest, basic

AGENT = basic("agent")
FETCH = {"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "charge", "lockDuration": 1000}]}


def _to_confirm(rest: Rest, start: Callable[..., int]) -> str:
    start()
    [task] = rest.post("/external-task/fetchAndLock", FETCH).json
    assert rest.post(f"/external-task/{task['id']}/complete", {"workerId": "w"}).status_code == 204
    [human] = rest.get("/task?taskDefinitionKey=confirm", headers=AGENT).json
    return str(human["id"])


def test_agent_claims_and_completes_with_variables_in_return(rest: Rest, start: Callable[..., int]) -> None:
    task_id = _to_confirm(rest, start)
    task = rest.get(f"/task/{task_id}", headers=AGENT).json
    assert (task["name"], task["taskDefinitionKey"], task["assignee"]) == ("Confirm", "confirm", None)
    assert rest.get("/task?candidateGroup=agent", headers=AGENT).json[0]["id"] == task_id
    assert rest.get("/task/count", headers=AGENT).json == {"count": 1}
    # The worker is no agent: it does not see the task.
    assert rest.get("/task").json == [] and rest.get(f"/task/{task_id}").status_code == 404
    assert rest.post(f"/task/{task_id}/claim", {"userId": "agent"}, headers=AGENT).status_code == 204
    assert rest.get(f"/task/{task_id}", headers=AGENT).json["assignee"] == "agent"
    assert rest.post(f"/task/{task_id}/unclaim", headers=AGENT).status_code == 204
    assert rest.post(f"/task/{task_id}/claim", {}, headers=AGENT).status_code == 204
    variables = rest.get(f"/task/{task_id}/variables", headers=AGENT).json
    assert variables["amount"] == {"type": "Integer", "value": 30, "valueInfo": {}}
    done = rest.post(f"/task/{task_id}/complete", {"variables": {}, "withVariablesInReturn": True}, headers=AGENT)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.json["amount"]["value"] == 30
    assert rest.get(f"/task/{task_id}", headers=AGENT).status_code == 404


def test_form_rules_apply(rest: Rest, start: Callable[..., int]) -> None:
    task_id = _to_confirm(rest, start)
    rest.post(f"/task/{task_id}/claim", {}, headers=AGENT)
    unknown = rest.post(f"/task/{task_id}/complete", {"variables": {"anything": {"value": 1}}}, headers=AGENT)
    assert unknown.status_code == 400 and unknown.json["type"] == "InvalidRequestException"
    assert rest.get(f"/task/{task_id}/form-variables", headers=AGENT).json == {}
