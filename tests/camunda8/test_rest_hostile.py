"""Hostile requests to /v2 (Camunda 8's REST API, which serves no OpenAPI document) get problem details
with a 4xx status, never a 500: malformed or huge keys, numbers beyond int32, NUL characters, deep JSON."""

from __future__ import annotations

from typing import Any

import pytest

from tests.camunda8.conftest import V2

BIG = "9223372036854775808"


def _refused(response: Any, status: int) -> None:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]


@pytest.mark.parametrize(
    "path",
    ["/jobs/²/completion", f"/jobs/{BIG}0/completion", "/jobs/1%002/failure", "/user-tasks/²/completion",
     f"/user-tasks/{BIG}{BIG}/completion", "/user-tasks/a%00b/completion"],
)  # fmt: skip
def test_malformed_keys_name_nothing(v2: V2, path: str) -> None:
    _refused(v2.post(path, {}), 404)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/process-instances", {"processDefinitionId": "zeebe_jobs", "processDefinitionVersion": int(BIG)}),
        ("/process-instances", {"processDefinitionId": "zeebe_jobs", "processDefinitionVersion": "²"}),
        ("/process-instances", {"processDefinitionId": "zeebe\u0000jobs"}),
        ("/process-instances", {"processDefinitionId": "zeebe_jobs", "variables": {"note": "a\u0000b"}}),
        ("/jobs/activation", {"type": "t", "timeout": int(BIG), "maxJobsToActivate": 1}),
        ("/jobs/activation", {"type": "t", "timeout": 1000, "maxJobsToActivate": int(BIG)}),
        ("/jobs/activation", {"type": "t\u0000", "timeout": 1000, "maxJobsToActivate": 1}),
        ("/user-tasks/search", {"page": {"from": int(BIG)}}),
        ("/messages/publication", {"name": "m\u0000", "correlationKey": "k"}),
    ],
)
def test_bad_bodies_are_bad_requests(v2: V2, path: str, body: dict[str, Any]) -> None:
    _refused(v2.post(path, body), 400)


@pytest.mark.parametrize("definition", ["²", BIG, "-1", "1e3"])
def test_a_malformed_definition_key_is_not_found(v2: V2, definition: str) -> None:
    _refused(v2.post("/process-instances", {"processDefinitionKey": definition}), 404)


def test_deeply_nested_json_is_a_bad_request(v2: V2) -> None:
    response = v2.client.post(
        "/v2/process-instances",
        data="[" * 100_000 + "]" * 100_000,
        content_type="application/json",
        headers={"Authorization": f"Bearer {v2.token}"},
    )
    _refused(response, 400)
