"""Hostile requests to /engine-rest get Camunda's error answers (4xx with type and message), never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.camunda7.conftest import Rest

BIG = "9223372036854775808"
FETCH = "/external-task/fetchAndLock"


def _topic(name: str = "t", duration: int = 1000) -> list[dict[str, Any]]:
    return [{"topicName": name, "lockDuration": duration}]


def _refused(response: Any, status: int = 400) -> None:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.headers["Content-Type"] == "application/json"
    body = response.get_json()
    assert body["type"] and isinstance(body["message"], str) and body["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/process-definition/Process:x:6",
        "/process-definition/external_flow:1:²",
        f"/process-definition/external_flow:1:{BIG}",
        "/process-definition/external_flow:1:99999999999",
        "/process-instance/99999999999",
        "/process-instance/ffffffff-ffff-ffff-ffff-ffffffffffff",
        "/process-instance/²",
        "/history/process-instance/99999999999",
        "/external-task/99999999999",
        "/task/99999999999",
        "/task/%C2%B2",
        "/process-instance/a%00b",
        "/external-task/a%00b",
        "/task/a%00b",
        "/deployment/a%00b",
        "/process-definition/key/a%00b",
    ],
)
def test_unknown_or_malformed_ids_are_not_found(rest: Rest, path: str) -> None:
    _refused(rest.get(path), 404)


@pytest.mark.parametrize(
    "query",
    [
        f"/process-instance?firstResult={BIG}",
        f"/process-instance?maxResults={BIG}",
        f"/task?firstResult={BIG}",
        f"/external-task?firstResult={BIG}",
        f"/process-definition?maxResults={BIG}",
        f"/history/process-instance?firstResult={BIG}",
        "/process-instance?firstResult=²",
        "/process-instance?firstResult=-1",
        "/task?maxResults=abc",
        "/process-definition?version=x",
        f"/process-definition?version={BIG}",
        "/process-instance?suspended=maybe",
    ],
)
def test_out_of_range_or_malformed_parameters_are_bad_requests(rest: Rest, query: str) -> None:
    _refused(rest.get(query))


@pytest.mark.parametrize(
    "query",
    [
        "/process-instance?businessKey=a%00b",
        "/process-instance?processDefinitionKey=a%00b",
        "/process-definition?key=a%00b",
        "/history/process-instance?processInstanceBusinessKey=a%00b",
        "/external-task?topicName=a%00b",
        "/task?processInstanceBusinessKey=a%00b",
    ],
)
def test_nul_bytes_in_query_parameters_are_bad_requests(rest: Rest, query: str) -> None:
    """PostgreSQL refuses NUL even as a parameter: the document states it and the server says so plainly."""
    _refused(rest.get(query))


@pytest.mark.parametrize(
    "body",
    [
        {"businessKey": 42},
        {"businessKey": ["a"]},
        {"businessKey": "a\u0000b"},
        {"variables": "x"},
        {"withVariablesInReturn": "yes"},
    ],
)
def test_bad_start_bodies_are_bad_requests(rest: Rest, body: dict[str, Any]) -> None:
    _refused(rest.post("/process-definition/key/external_flow/start", body, headers=rest.bearer()))


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/external-task/fetchAndLock", {"workerId": 7, "maxTasks": 1, "topics": []}),
        ("/external-task/fetchAndLock", {"workerId": "w", "maxTasks": int(BIG), "topics": []}),
        (FETCH, {"workerId": "w", "maxTasks": 1, "topics": _topic(duration=int(BIG))}),
        (FETCH, {"workerId": "w\u0000", "maxTasks": 1, "topics": _topic()}),
        (FETCH, {"workerId": "w", "maxTasks": 1, "topics": _topic("t\u0000")}),
        ("/external-task/fetchAndLock", {"workerId": "w", "maxTasks": 1, "topics": ["t"]}),
        ("/message", {"messageName": 5}),
        ("/message", {"messageName": "m", "businessKey": 5}),
        ("/message", {"messageName": "m\u0000"}),
        ("/signal", {"name": ["s"]}),
        ("/process-instance", {"businessKey": 3}),
        ("/task", {"assignee": {"a": 1}}),
        ("/external-task", {"topicName": 1}),
        ("/process-instance/count", {"processDefinitionKey": ["a"]}),
    ],
)
def test_bad_bodies_are_bad_requests(rest: Rest, path: str, body: dict[str, Any]) -> None:
    _refused(rest.post(path, body, headers=rest.bearer()))


@pytest.mark.parametrize(
    "sorting", [[{"weekdays": 1}], [{"sortBy": "nothing"}], [{"sortBy": "id", "sortOrder": "ASC"}], ["id"]]
)
def test_external_task_sorting_outside_the_documented_rule_is_a_bad_request(rest: Rest, sorting: Any) -> None:
    _refused(rest.post("/external-task", {"sorting": sorting}))


def test_filter_dates_beyond_the_calendars_ends_filter_as_its_ends(rest: Rest) -> None:
    """0001-01-01T00:00+01:00 is a valid date-time with no UTC equivalent: nothing expires before it."""
    for name, date in (("lockExpirationBefore", "0001-01-01T00:00:00+01:00"),
                       ("lockExpirationAfter", "9999-12-31T23:59:59-01:00")):  # fmt: skip
        response = rest.post("/external-task", {name: date, "sorting": [{"sortBy": "id", "sortOrder": "desc"}]})
        assert response.status_code == 200 and response.get_json() == [], response.get_data(as_text=True)
    response = rest.post("/task", {"dueBefore": "0001-01-01T00:00:00+01:00"}, headers=rest.bearer())
    assert response.status_code == 200 and response.get_json() == []
