"""The customer portal: public form, private status link, more information, rating, FAQ; hostile input."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from engine.domain.actors import Actor
from engine.domain.roles import ROLE_ADMIN
from engine.services.casework import knowledge
from engine.services.instances import lifecycle as instances
from engine.store.casework import CaseNote
from engine.store.channels import CustomerAttachment
from engine.store.complaints import Complaint
from engine.store.models import HumanTask, ProcessInstance
from engine.store.outbox import OutboxMessage
from notifications import links
from tests.conftest import DatabaseUnderTest
from tests.notifications.helpers import open_test_complaint
from tests.notifications.web_support import PortalClient, portal_app

FORM = {
    "customer_name": "Erika Muster",
    "customer_email": "erika@example.org",
    "category": "product",
    "subject": "Kettle broken",
    "description": "It stopped working after two days.",
}
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def app(database: DatabaseUnderTest, process: None, now: datetime, tmp_path: Path) -> Flask:
    return portal_app(database, now, tmp_path / "instance")


def _submit(client: PortalClient, **changes: object) -> tuple[int, str]:
    response = client.post("/portal/", {**FORM, **changes})
    return response.status_code, response.get_data(as_text=True)


def _link(page: str) -> str:
    match = re.search(r'href="(/portal/status/[^"]+)"', page)
    assert match, page
    return match.group(1)


def _complaint(database: DatabaseUnderTest) -> Complaint:
    with database.session() as session:
        return session.scalars(select(Complaint)).one()


def test_the_form_opens_a_complaint_and_the_private_link_shows_its_status(
    app: Flask, database: DatabaseUnderTest
) -> None:
    client = PortalClient(app)
    status, page = _submit(client, lang="de", description="Es ging kaputt.")
    assert status == 200
    complaint = _complaint(database)
    assert complaint.channel == "web" and complaint.language == "de"
    assert complaint.reference in page
    link = _link(page)
    status_page = client.get(link)
    assert status_page.status_code == 200
    text = status_page.get_data(as_text=True)
    assert "Stand: <strong>in Bearbeitung</strong>" in text and "Reklamation eingegangen" in text
    # The private link never leaves the site in a Referer header. Within the site the browser must send one:
    # over HTTPS the CSRF check refuses a form post without a same-origin Referer (tests/production).
    assert status_page.headers["Referrer-Policy"] == "same-origin"
    assert '<meta name="referrer" content="same-origin">' in text
    with database.session() as session:
        receipt = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "complaint_received")).one()
        assert receipt.recipient == "erika@example.org"


def test_script_and_event_handler_html_is_shown_as_text(app: Flask, database: DatabaseUnderTest) -> None:
    client = PortalClient(app)
    status, page = _submit(
        client,
        customer_name='<script>alert("n")</script>Eve',
        subject='<img src=x onerror="alert(1)">',
        description='<svg onload="alert(2)"></svg>',
    )
    assert status == 200
    text = client.get(_link(page)).get_data(as_text=True)
    assert "<img src=x" not in text and "<svg" not in text and "<script>alert" not in text
    assert "&lt;img src=x onerror=" in text


def test_header_injection_and_missing_fields_are_refused_with_field_messages(
    app: Flask, database: DatabaseUnderTest
) -> None:
    client = PortalClient(app)
    status, page = _submit(client, customer_name="Eve\r\nBcc: victim@example.org", subject="", description="x")
    assert status == 400
    assert "must be a single line" in page and "is required" in page
    with database.session() as session:
        assert session.scalars(select(Complaint)).all() == []


def test_a_german_form_with_bad_input_comes_back_in_german_with_what_was_typed(
    app: Flask, database: DatabaseUnderTest
) -> None:
    client = PortalClient(app)
    status, page = _submit(client, lang="de", customer_email="erika.example.org", subject="", description="x" * 10_001)
    assert status == 400
    assert "Bitte korrigieren Sie die markierten Felder." in page
    assert "Das ist keine gültige E-Mail-Adresse." in page and "Bitte ausfüllen." in page
    assert "Höchstens 10000 Zeichen." in page
    assert "is required" not in page and "e-mail address" not in page
    assert 'value="erika.example.org"' in page and 'value="Erika Muster"' in page
    status, page = _submit(client, lang="de", customer_email="")
    assert status == 400 and "Bitte ausfüllen." in page and "Kettle broken" in page
    with database.session() as session:
        assert session.scalars(select(Complaint)).all() == []


def test_the_honeypot_stores_nothing_and_the_rate_limit_stops_floods(app: Flask, database: DatabaseUnderTest) -> None:
    bot = PortalClient(app, remote="198.51.100.9")
    status, page = _submit(bot, website="http://spam.example")
    assert status == 200 and "C-" not in page
    with database.session() as session:
        assert session.scalars(select(Complaint)).all() == []
    statuses = [_submit(bot, customer_email=f"x{i}@example.org")[0] for i in range(6)]
    assert statuses == [200] * 5 + [429]
    other = PortalClient(app, remote="198.51.100.10")
    assert _submit(other, customer_email="x0@example.org")[0] == 200
    assert [
        _submit(PortalClient(app, remote=f"192.0.2.{i}"), customer_email="x0@example.org")[0] for i in range(4)
    ] == [200, 200, 200, 429], "five per e-mail address, whatever the client address"


def test_a_guessed_status_link_is_a_plain_404_that_leaks_nothing(app: Flask, database: DatabaseUnderTest) -> None:
    client = PortalClient(app)
    _status, page = _submit(client)
    link = _link(page)
    reference, token = link.split("/")[-2:]
    wrong_token = client.get(f"/portal/status/{reference}/{'A' * len(token)}")
    unknown = client.get(f"/portal/status/C-2099-999999/{'A' * len(token)}")
    short = client.get(f"/portal/status/{reference}/x")
    assert wrong_token.status_code == unknown.status_code == short.status_code == 404
    assert wrong_token.get_data() == unknown.get_data() == short.get_data()
    assert reference not in wrong_token.get_data(as_text=True)
    for path in ("/info", "/rate"):
        assert client.post(f"/portal/status/{reference}/{'A' * len(token)}{path}", {"text": "x"}).status_code == 404


def test_number_and_email_lead_to_the_status_page(app: Flask, database: DatabaseUnderTest) -> None:
    client = PortalClient(app)
    _status, page = _submit(client)
    link = _link(page)
    reference = link.split("/")[-2]
    found = client.post("/portal/find", {"reference": reference.lower(), "email": "ERIKA@example.org"})
    assert found.status_code == 303 and found.headers["Location"].endswith(link)
    wrong_mail = client.post("/portal/find", {"reference": reference, "email": "eve@example.org"})
    unknown = client.post("/portal/find", {"reference": "C-2099-000001", "email": "erika@example.org"})
    assert wrong_mail.status_code == unknown.status_code == 404
    assert "no complaint with this number" in wrong_mail.get_data(as_text=True)


def test_added_information_reaches_the_timeline_and_the_waiting_process(
    app: Flask, database: DatabaseUnderTest
) -> None:
    client = PortalClient(app)
    _status, page = _submit(client)
    link = _link(page)
    wrong = client.post(
        f"{link}/info",
        {"text": "photo", "attachments": (io.BytesIO(b"<html>"), "x.png", "image/png")},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 400 and "not a image/png file" in wrong.get_data(as_text=True)
    response = client.post(
        f"{link}/info",
        {"text": "The model is K-200.", "attachments": (io.BytesIO(PDF), "receipt.pdf", "application/pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "The model is K-200." in response.get_data(as_text=True)
    complaint = _complaint(database)
    with database.session() as session:
        note = session.scalars(select(CaseNote)).one()
        assert (note.kind, note.body) == ("customer_message", "The model is K-200.")
        assert session.scalars(select(CustomerAttachment.filename)).all() == ["receipt.pdf"]
        task = session.scalars(select(HumanTask).where(HumanTask.instance_id == complaint.instance_id)).one()
        assert task.element_id == "review_info"


def test_rating_is_possible_once_after_resolution(app: Flask, database: DatabaseUnderTest, now: datetime) -> None:
    client = PortalClient(app)
    _status, page = _submit(client)
    link = _link(page)
    assert client.post(f"{link}/rate", {"csat": "5"}).status_code == 409
    with database.session() as session:
        complaint = session.scalars(select(Complaint)).one()
        complaint.status, complaint.resolved_at = "resolved", now
        session.commit()
    assert 'id="rate"' in client.get(link).get_data(as_text=True)
    bad = client.post(f"{link}/rate", {"csat": "9", "nps": "-1"})
    assert bad.status_code == 400 and "from 1 to 5" in bad.get_data(as_text=True)
    assert client.post(f"{link}/rate", {"csat": "4", "nps": "9", "comment": "<b>ok</b>"}).status_code == 200
    assert client.post(f"{link}/rate", {"csat": "1"}).status_code == 409
    rated = _complaint(database)
    assert (rated.csat, rated.nps, rated.feedback_comment) == (4, 9, "<b>ok</b>")
    assert 'id="rate"' not in client.get(link).get_data(as_text=True)


def test_the_faq_shows_public_articles_sanitised(app: Flask, database: DatabaseUnderTest, now: datetime) -> None:
    admin = Actor("admin", roles=frozenset({ROLE_ADMIN}))
    with database.session() as session:
        for title, public in (("Refunds", True), ("Internal pricing", False)):
            knowledge.save_article(
                session,
                admin,
                None,
                knowledge.ArticleData(
                    title=title,
                    body='How to **get** money back <script>alert(1)</script><a href="javascript:x">x</a>',
                    category="billing",
                    tags="refund",
                    public=public,
                    language="en",
                ),
                now,
            )
    page = PortalClient(app).get("/portal/faq?lang=en").get_data(as_text=True)
    assert "Refunds" in page and "Internal pricing" not in page
    assert "<strong>get</strong>" in page and "<script>alert" not in page and "javascript:" not in page


def test_the_rating_reaches_a_waiting_process_and_the_customer_can_reopen(
    app: Flask, database: DatabaseUnderTest, now: datetime
) -> None:
    with database.session() as session:
        complaint = open_test_complaint(session, now, process_key="feedback_wait")
        complaint.status, complaint.resolved_at = "resolved", now
        session.commit()
        reference, instance_id = complaint.reference, complaint.instance_id
    client = PortalClient(app)
    link = links.status_path(app.config["SECRET_KEY"], reference)
    assert 'id="reopen"' not in client.get(link).get_data(as_text=True), "not before the feedback step is over"
    assert client.post(f"{link}/rate", {"csat": "2", "nps": "3", "comment": "slow"}).status_code == 200
    page = client.get(link).get_data(as_text=True)
    assert 'id="reopen"' in page
    assert client.post(f"{link}/reopen", {"reason": " "}).status_code == 400
    response = client.post(f"{link}/reopen", {"reason": "The new kettle is broken too."})
    assert response.status_code == 200 and "We have reopened" in response.get_data(as_text=True)
    assert client.post(f"{link}/reopen", {"reason": "again"}).status_code == 409
    with database.session() as session:
        task = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).one()
        assert task.element_id == "review_reopening"
        instance = session.get(ProcessInstance, instance_id)
        assert instance is not None
        variables = instances.load_run(session, instance, now).variables()
        assert (variables["csat"], variables["nps"], variables["reopen_reason"]) == (
            2,
            3,
            "The new kettle is broken too.",
        )
        topics = session.scalars(select(OutboxMessage.topic).where(OutboxMessage.complaint_id.is_not(None))).all()
        assert "reopen_confirmation" in topics
