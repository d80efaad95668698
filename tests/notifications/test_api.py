"""The REST API: token authentication, complaints, timeline, information, tasks; clear 4xx answers."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.domain.status_links import token_matches
from engine.services.users import api_tokens
from tests.conftest import DatabaseUnderTest
from tests.notifications.helpers import ADMIN
from tests.notifications.web_support import BASE_URL, portal_app

NEW = {
    "customer_name": "Erika Muster",
    "customer_email": "erika@example.org",
    "subject": "Kettle broken",
    "description": "It stopped working.",
    "channel": "phone",
    "language": "en",
}


@pytest.fixture
def app(database: DatabaseUnderTest, process: None, now: datetime, tmp_path: Path) -> Flask:
    return portal_app(database, now, tmp_path / "instance")


@pytest.fixture
def tokens(database: DatabaseUnderTest, now: datetime) -> dict[str, str]:
    with database.session() as session:
        _row, crm = api_tokens.create_token(session, ADMIN, "CRM", "crm", now, roles=["team_lead"])
        _row, agent = api_tokens.create_token(session, ADMIN, "Helpdesk", "helpdesk", now, groups=["agent"])
        _row, billing = api_tokens.create_token(session, ADMIN, "Billing", "biller", now, groups=["billing"])
        revoked_row, revoked = api_tokens.create_token(session, ADMIN, "Old", "old", now, roles=["team_lead"])
        api_tokens.revoke_token(session, ADMIN, revoked_row.id, now)
    return {"crm": crm, "agent": agent, "billing": billing, "revoked": revoked}


def _call(client: FlaskClient, method: str, path: str, token: str | None, body: Any = None) -> TestResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.open(
        f"/api/v1{path}",
        method=method,
        base_url=BASE_URL,
        headers=headers,
        data=json.dumps(body) if body is not None else None,
        content_type="application/json" if body is not None else None,
    )


def test_calls_without_or_with_a_wrong_token_get_401(app: Flask, tokens: dict[str, str]) -> None:
    client = app.test_client()
    for token in (None, "cft_wrong", tokens["crm"] + "x", tokens["revoked"], "Basic abc"):
        response = _call(client, "GET", "/tasks", token)
        assert response.status_code == 401, token
        assert response.is_json and "API token" in response.get_json()["error"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert _call(client, "POST", "/complaints", None, NEW).status_code == 401


def test_the_openapi_file_is_served(app: Flask) -> None:
    response = app.test_client().get("/api/v1/openapi.json", base_url=BASE_URL)
    spec = response.get_json()
    assert response.status_code == 200 and spec["openapi"].startswith("3.")
    assert {"/complaints", "/complaints/{reference}/timeline", "/tasks/{task_id}/complete"} <= set(spec["paths"])


def test_invalid_input_gets_422_with_a_message_per_field(app: Flask, tokens: dict[str, str]) -> None:
    client = app.test_client()
    response = _call(
        client,
        "POST",
        "/complaints",
        tokens["crm"],
        {
            "customer_name": "Eve\r\nBcc: x@example.org",
            "subject": 5,
            "amount_disputed": "lots",
            "attachments": [{"filename": "a.pdf", "content_type": "application/pdf", "content_base64": "!!!"}],
        },
    )
    assert response.status_code == 422
    fields = response.get_json()["fields"]
    assert set(fields) == {
        "customer_name",
        "subject",
        "description",
        "amount_disputed",
        "attachments[0].content_base64",
    }
    response = _call(client, "POST", "/complaints", tokens["crm"], {**NEW, "customer_name": "Eve\r\nBcc: x@e.org"})
    assert response.status_code == 422 and "single line" in response.get_json()["fields"]["customer_name"]
    response = _call(client, "POST", "/complaints", tokens["crm"], {**NEW, "channel": "pigeon"})
    assert response.status_code == 422 and "channel" in response.get_json()["fields"]
    not_json = client.post(
        "/api/v1/complaints", base_url=BASE_URL, data="x=1", headers={"Authorization": f"Bearer {tokens['crm']}"}
    )
    assert not_json.status_code == 422 and "JSON" in not_json.get_json()["fields"][""]
    wrong_type = {
        **NEW,
        "attachments": [
            {
                "filename": "x.pdf",
                "content_type": "application/pdf",
                "content_base64": base64.b64encode(b"<script>").decode(),
            }
        ],
    }
    response = _call(client, "POST", "/complaints", tokens["crm"], wrong_type)
    fields = response.get_json()["fields"]
    assert response.status_code == 422 and "application/pdf" in fields["attachments[0].content_base64"]


def test_a_crm_opens_a_complaint_adds_information_and_completes_the_task(app: Flask, tokens: dict[str, str]) -> None:
    client = app.test_client()
    pdf = base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode()
    created = _call(
        client,
        "POST",
        "/complaints",
        tokens["crm"],
        {**NEW, "attachments": [{"filename": "r.pdf", "content_type": "application/pdf", "content_base64": pdf}]},
    )
    assert created.status_code == 201, created.get_json()
    complaint = created.get_json()
    reference = complaint["reference"]
    assert complaint["channel"] == "phone" and complaint["status"] == "open"
    token = complaint["status_link"].rsplit("/", 1)[1]
    assert token_matches(app.config["SECRET_KEY"], reference, token)

    assert _call(client, "GET", f"/complaints/{reference}", tokens["crm"]).get_json()["status"] == "open"
    assert _call(client, "GET", "/complaints/C-2099-000001", tokens["crm"]).status_code == 404
    assert _call(client, "GET", "/tasks", tokens["crm"]).get_json() == {"tasks": []}

    added = _call(client, "POST", f"/complaints/{reference}/information", tokens["agent"], {"text": "Model K-200"})
    assert added.status_code == 404, "the helpdesk has no task on it yet: it may not see the complaint"
    added = _call(client, "POST", f"/complaints/{reference}/information", tokens["crm"], {"text": "Model K-200"})
    assert added.status_code == 201
    empty = _call(client, "POST", f"/complaints/{reference}/information", tokens["crm"], {"text": " "})
    assert empty.status_code == 422 and "text" in empty.get_json()["fields"]

    timeline = _call(client, "GET", f"/complaints/{reference}/timeline", tokens["crm"]).get_json()["entries"]
    assert any(entry["text"] == "Model K-200" for entry in timeline)
    (task,) = _call(client, "GET", f"/tasks?complaint={reference}", tokens["agent"]).get_json()["tasks"]
    assert task["element_id"] == "review_info"
    assert _call(client, "GET", f"/complaints/{reference}", tokens["billing"]).status_code == 404
    refused = _call(client, "POST", f"/tasks/{task['id']}/complete", tokens["billing"], {"data": {}})
    assert refused.status_code == 403
    bad = _call(client, "POST", f"/tasks/{task['id']}/complete", tokens["agent"], {"data": []})
    assert bad.status_code == 422
    done = _call(client, "POST", f"/tasks/{task['id']}/complete", tokens["agent"], {"data": {}})
    assert done.status_code == 200 and done.get_json()["status"] == "completed"
    again = _call(client, "POST", f"/tasks/{task['id']}/complete", tokens["agent"], {"data": {}})
    assert again.status_code == 409
    assert _call(client, "GET", f"/tasks?complaint={reference}", tokens["agent"]).get_json() == {"tasks": []}
