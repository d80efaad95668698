"""A Camunda 8 user task with a linked Camunda Form: deployed with its .form file, rendered, validated, completed."""

from __future__ import annotations

import base64
import io
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from complaintflow.web import DEFAULT_GROUPS, DEMO_USERS, OPERATOR
from engine.services.instances import lifecycle as instances
from engine.services.users import accounts as user_service
from engine.store.models import HumanTask, ProcessInstance
from tests.conftest import DatabaseUnderTest
from tests.designer.web_support import upload
from tests.engine.helpers import ADMIN
from tests.webui.support import Client, app_context, make_app
from webui.camunda8_rest.user_tasks import user_task_key

FORMS = Path(__file__).resolve().parent / "forms"


@pytest.fixture
def app(database: DatabaseUnderTest, now: datetime, tmp_path: Path) -> Flask:
    with database.session() as session:
        user_service.ensure_users(session, OPERATOR, DEFAULT_GROUPS, DEMO_USERS, now - timedelta(days=1))
        session.commit()
    return make_app(app_context(database.url, database.engine, database.sessions, tmp_path / "instance"), now)


def _deploy(app: Flask, *names: str) -> Any:
    files = {name: (io.BytesIO((FORMS / name).read_bytes()), name) for name in names}
    token = base64.b64encode(b"designer:demo").decode()
    return app.test_client().post(
        "/engine-rest/deployment/create",
        data={"deployment-name": "forms", **files},
        headers={"Authorization": f"Basic {token}"},
        content_type="multipart/form-data",
        base_url="https://localhost",
    )


def _agent(app: Flask) -> Client:
    client = Client(app)
    assert client.sign_in("agent").status_code == 302
    return client


def _start(database: DatabaseUnderTest, now: datetime) -> tuple[int, str]:
    with database.session() as session:
        variables = {
            "customerName": "Ada Lovelace",
            "summary": "Card used abroad",
            "channels": [{"label": "Letter", "value": "letter"}, {"label": "E-mail", "value": "email"}],
        }
        instance = instances.start_instance(session, ADMIN, "dispute_review", variables, now)
        task = session.query(HumanTask).filter_by(instance_id=instance.id).one()
        return instance.id, task.id


def _inputs(page: str) -> set[str]:
    return set(re.findall(r'name="(c8\.[^"]+)"', page))


def test_linked_form_renders_validates_and_completes(app: Flask, database: DatabaseUnderTest, now: datetime) -> None:
    deployed = _deploy(app, "dispute_review.bpmn", "dispute_review.form")
    assert deployed.status_code == 200, deployed.get_data(as_text=True)
    instance_id, task_id = _start(database, now)
    agent = _agent(app)
    page = agent.text(f"/task/{task_id}")
    # Every input of the form, prefilled from the process variables and the form's defaults.
    assert _inputs(page) == {
        "c8.summary",
        "c8.notes",
        "c8.amount",
        "c8.urgent",
        "c8.checks",
        "c8.decision",
        "c8.channel",
        "c8.tags",
        "c8.decidedOn",
        "c8.dueOn",
        "c8.callAt",
        "c8.followUp",
        "c8.contact.email",
        "c8.contact.phone",
        "c8.contact.bank.iban",
        "c8.positions.0.name",
        "c8.positions.0.amount",
    }
    assert 'value="Card used abroad"' in page and ">none</textarea>" in page
    assert "<strong>customer&#39;s</strong>" in page or "<strong>customer's</strong>" in page
    assert "Ada Lovelace" in page and '<option value="email"' in page
    assert "c8.rejectionReason" not in page  # hidden while the decision is not "reject"

    # One more dynamic-list entry: the form comes back with what was typed, nothing completed.
    typed = {
        "c8.summary": "Card used abroad twice",
        "c8.amount": "12,5",
        "c8.decision": "reject",
        "c8rows.positions": "1",
        "c8.positions.0.name": "Hotel",
        "c8.positions.0.amount": "40",
    }
    grown = agent.post(f"/task/{task_id}/complete", {**typed, "c8add": "positions"})
    assert grown.status_code == 200
    assert "c8.positions.1.name" in _inputs(grown.get_data(as_text=True))

    bad = {
        **typed,
        "c8rows.positions": "2",
        "c8.positions.1.name": "",
        "c8.positions.1.amount": "0",
        "c8.contact.email": "not-an-address",
    }
    refused = agent.post(f"/task/{task_id}/complete", bad)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="c8-contact-email-error">must be an e-mail address' in text
    assert 'id="c8-positions-1-name-error">is required' in text and 'id="c8-rejectionReason-error">is required' in text
    assert 'value="Card used abroad twice"' in text and 'value="12,5"' in text and 'value="Hotel"' in text

    good = {
        **typed,
        "c8rows.positions": "2",
        "c8.positions.1.name": "Taxi",
        "c8.positions.1.amount": "12.5",
        "c8.contact.email": "ada@example.org",
        "c8.rejectionReason": "No receipt",
        "c8.urgent": "true",
        "c8.checks": ["receipt", "card"],
        "c8.tags": "fraud",
        "c8.decidedOn": "2026-12-01",
        "c8.channel": "email",
    }
    done = agent.post(f"/task/{task_id}/complete", good)
    assert done.status_code == 302, done.get_data(as_text=True)
    with database.session() as session:
        variables = session.get(ProcessInstance, instance_id).variables  # type: ignore[union-attr]
    assert variables["amount"] == 12.5 and variables["urgent"] is True and variables["decision"] == "reject"
    assert variables["checks"] == ["receipt", "card"] and variables["tags"] == ["fraud"]
    assert variables["positions"] == [{"name": "Hotel", "amount": 40}, {"name": "Taxi", "amount": 12.5}]
    assert variables["contact"]["email"] == "ada@example.org" and variables["rejectionReason"] == "No receipt"
    assert variables["refundInCents"] == 1250 and variables["channel"] == "email"


def test_german_messages_on_the_version_deployed_with_its_form(
    app: Flask, database: DatabaseUnderTest, now: datetime
) -> None:
    # Version 1 lacks its form (the check warns, the task would show no fields); version 2 brings it.
    assert _deploy(app, "dispute_review.bpmn").status_code == 200
    assert _deploy(app, "dispute_review.bpmn", "dispute_review.form").status_code == 200
    _instance_id, task_id = _start(database, now)
    agent = _agent(app)
    assert agent.post("/profile/", {"language": "de"}).status_code == 302
    page = agent.text(f"/task/{task_id}")
    assert "Eintrag hinzufügen" in page and "Summary" in page  # our words in German, the designer's as drawn
    bad = {
        "c8.summary": "abc",
        "c8.amount": "1.234",
        "c8.decision": "accept",
        "c8.contact.phone": "030 123",
        "c8.callAt": "25:00",
        "c8.channel": "fax",
        "c8rows.positions": "0",
    }
    text = agent.post(f"/task/{task_id}/complete", bad).get_data(as_text=True)
    for german in (
        "mindestens 5 Zeichen",
        "höchstens 2 Nachkommastellen",
        "Ländervorwahl",
        "Uhrzeit (HH:MM)",
        "eine der Möglichkeiten",
    ):
        assert german in text, german


def test_upload_page_checks_form_files_with_the_diagrams(app: Flask) -> None:
    designer = Client(app)
    assert designer.sign_in("designer").status_code == 302
    bpmn, form = (
        (name, (FORMS / name).read_text(encoding="utf-8")) for name in ("dispute_review.bpmn", "dispute_review.form")
    )
    checked = upload(designer, bpmn, form).get_data(as_text=True)
    assert "formId &#39;dispute_review&#39;" in checked or "formId 'dispute_review'" in checked
    assert "form-not-rendered" not in checked  # the linked form is part of the upload
    alone = upload(designer, bpmn)
    assert "form-not-rendered" in alone.get_data(as_text=True)  # a warning, located on the user task
    only_forms = upload(designer, form, deploy=True)
    assert only_forms.status_code == 400 and "together with the diagrams" in only_forms.get_data(as_text=True)
    broken = upload(designer, bpmn, ("broken.form", "{not json"), deploy=True)
    assert broken.status_code == 422 and "this is not a Camunda form" in broken.get_data(as_text=True)
    broken_linked = form[1].replace('"type": "textfield", "id": "f_summary"', '"type": "filepicker", "id": "f_summary"')
    rejected = upload(designer, bpmn, (form[0], broken_linked), deploy=True)
    text = rejected.get_data(as_text=True)
    assert rejected.status_code == 422 and "form-component-unsupported" in text and "summary" in text


def test_v2_user_task_form_and_completion_by_the_forms_rules(
    app: Flask, database: DatabaseUnderTest, now: datetime
) -> None:
    assert _deploy(app, "dispute_review.bpmn", "dispute_review.form").status_code == 200
    instance_id, task_id = _start(database, now)
    client, auth = app.test_client(), {"Authorization": "Basic " + base64.b64encode(b"agent:demo").decode()}
    task_key = user_task_key(task_id)
    [found] = client.post("/v2/user-tasks/search", json={}, headers=auth).json["items"]
    form = client.get(f"/v2/user-tasks/{task_key}/form", headers=auth)
    assert form.status_code == 200 and form.json["formKey"] == found["formKey"] is not None
    assert (form.json["bpmnId"], form.json["version"]) == ("dispute_review", 1)
    assert json.loads(form.json["schema"])["components"][1]["key"] == "summary"
    typed = {
        "summary": "Card used abroad",
        "amount": 12.5,
        "decision": "accept",
        "urgent": True,
        "positions": [{"name": "Hotel", "amount": 40}],
    }
    refused = client.post(
        f"/v2/user-tasks/{task_key}/completion", json={"variables": {**typed, "amount": -1}}, headers=auth
    )
    assert refused.status_code == 400 and "amount" in refused.get_data(as_text=True)
    done = client.post(f"/v2/user-tasks/{task_key}/completion", json={"variables": typed}, headers=auth)
    assert done.status_code == 204, done.get_data(as_text=True)
    with database.session() as session:
        variables = session.get(ProcessInstance, instance_id).variables  # type: ignore[union-attr]
    assert (variables["amount"], variables["urgent"], variables["refundInCents"]) == (12.5, True, 1250)


def test_v2_deployments_deploys_a_diagram_with_its_form(app: Flask, database: DatabaseUnderTest, now: datetime) -> None:
    client = app.test_client()
    designer = {"Authorization": "Basic " + base64.b64encode(b"designer:demo").decode()}

    def deploy(*files: tuple[str, bytes], who: dict[str, str] = designer) -> Any:
        data = {"resources": [(io.BytesIO(content), name) for name, content in files]}
        return client.post("/v2/deployments", data=data, headers=who, content_type="multipart/form-data")

    bpmn = ("dispute_review.bpmn", (FORMS / "dispute_review.bpmn").read_bytes())
    form = ("dispute_review.form", (FORMS / "dispute_review.form").read_bytes())
    agent = {"Authorization": "Basic " + base64.b64encode(b"agent:demo").decode()}
    assert deploy(bpmn, form, who=agent).status_code == 403
    assert deploy(form).status_code == 400
    broken = deploy(bpmn, ("dispute_review.form", form[1].replace(b'"type": "number"', b'"type": "filepicker"')))
    assert broken.status_code == 400 and "form-component-unsupported" not in broken.json["detail"]
    assert "amount" in broken.json["detail"] and broken.json["title"] == "INVALID_ARGUMENT"
    answer = deploy(bpmn, form)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    process, deployed_form = answer.json["deployments"]
    assert process["processDefinition"]["processDefinitionId"] == "dispute_review"
    assert process["processDefinition"]["resourceName"] == "dispute_review.bpmn"
    assert (deployed_form["form"]["formId"], deployed_form["form"]["version"]) == ("dispute_review", 1)
    _instance_id, task_id = _start(database, now)
    shown = client.get(f"/v2/user-tasks/{user_task_key(task_id)}/form", headers=agent)
    assert shown.status_code == 200 and shown.json["formKey"] == deployed_form["form"]["formKey"]
