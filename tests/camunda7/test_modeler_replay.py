"""Camunda Modeler's deploy dialog, request by request as its CamundaAPI/RestAPI send them, with Basic and Bearer.

The Modeler sends ``accept: application/json`` and ``authorization`` on every call; it probes with
``GET /deployment?maxResults=0`` and ``GET /version``, deploys a multipart form (``deployment-name``,
``deployment-source: Camunda Modeler``, ``enable-duplicate-filtering: true``, optional ``tenant-id``, the
diagram as ``text/xml`` named after the file, attachments such as forms) and starts with
``POST /process-definition/{id}/start`` and ``{"businessKey", "variables"}``.
"""

from __future__ import annotations

import io
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.services.users import api_tokens
from tests.camunda7.conftest import basic
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import ADMIN, EXAMPLES

BPMN = (Path(__file__).resolve().parent / "diagrams" / "external_flow.bpmn").read_text()
FORM = '{"components": [{"key": "amount", "type": "number", "label": "Amount"}], "type": "default"}'


@pytest.fixture(params=["basic", "bearer"])
def modeler(request: pytest.FixtureRequest, rest_app: tuple[Flask, str], database: DatabaseUnderTest,
            now: datetime) -> tuple[FlaskClient, dict[str, str]]:  # fmt: skip
    """The test client and the headers the Modeler sends, for a designer signed in either way."""
    app, _ = rest_app
    if request.param == "basic":
        auth = basic("designer")["Authorization"]
    else:
        with database.session() as session:
            _, token = api_tokens.create_token(session, ADMIN, "modeler", "designer", now, roles=["designer"])
        auth = f"Bearer {token}"
    return app.test_client(), {"accept": "application/json", "authorization": auth}


def _deploy(client: FlaskClient, headers: dict[str, str], files: dict[str, str], **fields: str) -> TestResponse:
    form: dict[str, object] = {"deployment-name": "external_flow", "deployment-source": "Camunda Modeler", **fields}
    for name, text in files.items():
        kind = "text/xml" if name.endswith((".bpmn", ".dmn")) else "application/octet-stream"
        form[name] = (io.BytesIO(text.encode()), name, kind)
    return client.post("/engine-rest/deployment/create", data=form, headers=headers, content_type="multipart/form-data")


def test_connection_probe_and_version(modeler: tuple[FlaskClient, dict[str, str]]) -> None:
    client, headers = modeler
    probe = client.get("/engine-rest/deployment?maxResults=0", headers=headers)
    assert probe.status_code == 200 and probe.json == [] and probe.headers["Content-Type"] == "application/json"
    assert client.get("/engine-rest/version", headers=headers).json == {"version": "7.21.0"}
    assert client.get("/engine-rest/version", headers={"accept": "application/json"}).status_code == 401
    wrong = {**headers, "authorization": "Bearer cft_nope"}
    assert client.get("/engine-rest/version", headers=wrong).status_code == 401


def test_deploy_with_duplicate_filtering_then_without(modeler: tuple[FlaskClient, dict[str, str]]) -> None:
    client, headers = modeler
    first = _deploy(client, headers, {"external_flow.bpmn": BPMN}, **{"enable-duplicate-filtering": "true"})
    assert first.status_code == 200, first.get_data(as_text=True)
    body = first.json
    uuid.UUID(body["id"])
    [definition] = body["deployedProcessDefinitions"].values()
    # The version the fixture deployed is unchanged content: filtering keeps it.
    assert definition["version"] == 1
    again = _deploy(client, headers, {"external_flow.bpmn": BPMN}, **{"enable-duplicate-filtering": "true"})
    assert [d["version"] for d in again.json["deployedProcessDefinitions"].values()] == [1]
    changed_only = _deploy(client, headers, {"external_flow.bpmn": BPMN}, **{"deploy-changed-only": "true"})
    assert [d["version"] for d in changed_only.json["deployedProcessDefinitions"].values()] == [1]
    fresh = _deploy(client, headers, {"external_flow.bpmn": BPMN, "amount.form": FORM})
    [new] = fresh.json["deployedProcessDefinitions"].values()
    assert new["version"] == 2 and fresh.json["id"] != body["id"]
    # The self link answers, and the form is stored with the deployment.
    [link] = fresh.json["links"]
    assert link["rel"] == "self"
    path = link["href"].split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path, headers=headers).json["id"] == fresh.json["id"]
    resources = client.get(f"/engine-rest/deployment/{fresh.json['id']}/resources", headers=headers).json
    assert {r["name"] for r in resources} >= {"external_flow.bpmn", "amount.form"}
    # Start exactly the new version, as the dialog does after deploying.
    started = client.post(f"/engine-rest/process-definition/{new['id']}/start",
                          json={"businessKey": "C-1", "variables": {"prio": {"value": 2, "type": "Integer"}}},
                          headers={**headers, "content-type": "application/json"})  # fmt: skip
    assert started.status_code == 200 and started.json["definitionId"] == new["id"]


def test_tenant_and_refused_diagram(modeler: tuple[FlaskClient, dict[str, str]]) -> None:
    client, headers = modeler
    tenant = _deploy(client, headers, {"external_flow.bpmn": BPMN}, **{"tenant-id": "acme"})
    assert tenant.status_code == 400 and "tenant" in tenant.json["message"]
    broken = _deploy(client, headers, {"broken.bpmn": BPMN.replace('targetRef="confirm"', 'targetRef="nowhere"')})
    assert broken.status_code == 400 and broken.json["message"].startswith("ENGINE-09005 Could not parse BPMN")


def test_decision_table_on_its_own_is_a_new_decision_version(modeler: tuple[FlaskClient, dict[str, str]]) -> None:
    """The process is not redeployed: its business rule task takes the latest version when it runs."""
    client, headers = modeler
    bpmn = (EXAMPLES / "complaint_basic.bpmn").read_text()
    dmn = (EXAMPLES / "complaint_priority.dmn").read_text()
    assert _deploy(client, headers, {"complaint_basic.bpmn": bpmn, "complaint_priority.dmn": dmn}).status_code == 200
    alone = _deploy(client, headers, {"complaint_priority.dmn": dmn.replace('"low"', '"lowest"')})
    assert alone.status_code == 200, alone.get_data(as_text=True)
    assert alone.json["deployedProcessDefinitions"] is None
    decisions = alone.json["deployedDecisionDefinitions"]
    assert decisions and {(d["key"], d["version"]) for d in decisions.values()} == {("complaint_priority", 2)}


def test_an_agent_may_not_deploy(rest_app: tuple[Flask, str]) -> None:
    app, _ = rest_app
    response = _deploy(app.test_client(), {"authorization": basic("agent")["Authorization"]}, {"x.bpmn": BPMN})
    assert response.status_code == 403 and response.json["type"] == "AuthorizationException"


def test_delete_a_deployment_without_instances(modeler: tuple[FlaskClient, dict[str, str]]) -> None:
    client, headers = modeler
    other = BPMN.replace('id="external_flow"', 'id="to_delete"')
    created = _deploy(client, headers, {"to_delete.bpmn": other})
    assert created.status_code == 200, created.get_data(as_text=True)
    ref = created.json["id"]
    assert client.delete(f"/engine-rest/deployment/{ref}?cascade=true", headers=headers).status_code == 400
    assert client.delete(f"/engine-rest/deployment/{ref}", headers=headers).status_code == 204
    assert client.get(f"/engine-rest/deployment/{ref}", headers=headers).status_code == 404
    assert client.get("/engine-rest/process-definition/key/to_delete", headers=headers).status_code == 404
    used = client.get("/engine-rest/process-definition/key/external_flow", headers=headers).json
    start = client.post(f"/engine-rest/process-definition/{used['id']}/start", json={}, headers=headers)
    assert start.status_code == 200
    refused = client.delete(f"/engine-rest/deployment/{used['deploymentId']}", headers=headers)
    assert refused.status_code == 400 and "instance" in refused.json["message"]
