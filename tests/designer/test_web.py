"""Camunda Modeler's deploy dialog against /engine-rest, and the designer downloads, via the Flask test client."""

from __future__ import annotations

import base64
import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.designer.helpers import diagram, linear
from tests.webui.conftest import app, client_for, seeded  # noqa: F401 - fixtures of the web UI tests

GOOD = diagram(linear('<userTask id="s1" name="Answer" camunda:candidateGroups="agent"/>'), process_id="modeler_p")
BROKEN = diagram(
    linear('<serviceTask id="s1" name="Pay"/>', '<userTask id="s2" camunda:candidateGroups="agent"/>'),
    process_id="broken_p",
)


def basic(user: str, password: str = "demo") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def rest(app: Flask) -> FlaskClient:  # noqa: F811 - the fixture is passed in
    return app.test_client()


def deploy(client: FlaskClient, text: str, name: str = "diagram.bpmn", user: str = "designer") -> Any:
    form = {"deployment-name": "From the modeller", "deployment-source": "Camunda Modeler",
            "enable-duplicate-filtering": "true", name: (io.BytesIO(text.encode()), name)}  # fmt: skip
    return client.post(
        "/engine-rest/deployment/create", data=form, headers=basic(user), content_type="multipart/form-data",
        base_url="https://localhost",
    )  # fmt: skip


def test_connection_check_needs_a_designer(app: Flask) -> None:  # noqa: F811
    client = rest(app)
    anonymous = client.get("/engine-rest/deployment?maxResults=0", base_url="https://localhost")
    assert anonymous.status_code == 401 and "Basic" in anonymous.headers["WWW-Authenticate"]
    wrong = client.get("/engine-rest/version", headers=basic("designer", "nope"), base_url="https://localhost")
    assert wrong.status_code == 401 and wrong.json["type"] == "AuthenticationException"
    agent = client.get("/engine-rest/version", headers=basic("agent"), base_url="https://localhost")
    assert agent.status_code == 403 and agent.json["type"] == "AuthorizationException"
    ok = client.get("/engine-rest/deployment?maxResults=0", headers=basic("designer"), base_url="https://localhost")
    assert ok.status_code == 200 and ok.json == []
    version = client.get("/engine-rest/version", headers=basic("designer"), base_url="https://localhost")
    assert version.json["version"].startswith("7.")


def test_deploy_from_the_modeller_then_start_an_instance(app: Flask) -> None:  # noqa: F811
    client = rest(app)
    response = deploy(client, GOOD)
    assert response.status_code == 200, response.get_data(as_text=True)
    [(definition_id, definition)] = response.json["deployedProcessDefinitions"].items()
    assert (definition["key"], definition["version"], definition["resource"]) == ("modeler_p", 1, "diagram.bpmn")
    assert response.json["name"] == "From the modeller" and response.json["id"] == definition["deploymentId"]
    again = deploy(client, GOOD)
    assert list(again.json["deployedProcessDefinitions"]) == [definition_id]
    started = client.post(
        f"/engine-rest/process-definition/{definition_id}/start",
        json={"businessKey": "C-77", "variables": {"amount": {"value": 80, "type": "Integer"}}},
        headers=basic("designer"),
        base_url="https://localhost",
    )
    assert started.status_code == 200 and started.json["businessKey"] == "C-77" and not started.json["ended"]


def test_a_refused_diagram_is_a_parse_exception_the_modeller_shows(app: Flask) -> None:  # noqa: F811
    response = deploy(rest(app), BROKEN, "broken.bpmn")
    assert response.status_code == 400
    body = response.json
    assert body["type"] == "ParseException"
    assert body["message"].startswith("ENGINE-09005 Could not parse BPMN process. Errors:")
    [error] = body["details"]["broken.bpmn"]["errors"]
    assert (error["mainElementId"], error["line"] > 0) == ("s1", True)
    junk = deploy(rest(app), "\x00\x01 not xml", "junk.bpmn")
    assert junk.status_code == 400 and junk.json["type"] == "ParseException"
    nothing = rest(app).post(
        "/engine-rest/deployment/create", data={"deployment-name": "x"}, headers=basic("designer"),
        content_type="multipart/form-data", base_url="https://localhost",
    )  # fmt: skip
    assert nothing.status_code == 400 and "no .bpmn" in nothing.json["message"]


def test_designer_downloads(app: Flask, client_for) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    deploy(rest(app), GOOD)
    designer = client_for("designer")
    templates = designer.get("/designer/element-templates.json")
    assert templates.status_code == 200 and {"org.complaintflow.notify"} <= {t["id"] for t in templates.json}
    exact = designer.get("/designer/versions/modeler_p/1/files/diagram.bpmn")
    assert exact.status_code == 200 and exact.get_data(as_text=True) == GOOD
    assert designer.get("/designer/versions/modeler_p/7/files/diagram.bpmn").status_code == 404
    assert client_for("agent").get("/designer/element-templates.json").status_code == 403
    svg = client_for("lead").get("/designer/instances/1/diagram.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
