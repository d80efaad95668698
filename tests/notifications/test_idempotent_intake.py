"""Idempotent intake (issue 13): a form sent twice, an API call retried, a mail delivered twice: one complaint.

Each is tried one after the other and at the same moment (two threads released together), on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from engine.services.users import api_tokens
from engine.store.channels import IntakeKey
from engine.store.complaints import Complaint
from notifications import mail_intake
from tests.conftest import DatabaseUnderTest
from tests.notifications.helpers import ADMIN, channel_settings, free_port
from tests.notifications.web_support import BASE_URL, PortalClient, portal_app

FORM = {
    "customer_name": "Erika Muster",
    "customer_email": "erika@example.org",
    "category": "product",
    "subject": "Kettle broken",
    "description": "It stopped working after two days.",
}
NEW = {
    "customer_name": "Erika Muster",
    "customer_email": "erika@example.org",
    "subject": "Kettle broken",
    "description": "It stopped working.",
    "language": "en",
}
_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
_REFERENCE = re.compile(r"C-\d{4}-\d{6}")


@pytest.fixture
def app(database: DatabaseUnderTest, process: None, now: datetime, tmp_path: Path) -> Flask:
    return portal_app(database, now, tmp_path / "instance")


def _complaints(database: DatabaseUnderTest) -> list[str]:
    with database.session() as session:
        return list(session.scalars(select(Complaint.reference).order_by(Complaint.id)))


def _together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released at the same moment; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait(timeout=10)
        try:
            results[index] = calls[index]()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion of the caller
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _form_token(client: PortalClient) -> str:
    match = _TOKEN.search(client.get("/portal/").get_data(as_text=True))
    assert match, "no form token on the form"
    return match.group(1)


def _submit(client: PortalClient, token: str, **changes: str) -> tuple[int, str]:
    response = client.post("/portal/", {**FORM, "form_token": token, **changes})
    return response.status_code, response.get_data(as_text=True)


def test_the_form_sent_twice_opens_one_complaint_and_shows_its_link_again(
    app: Flask, database: DatabaseUnderTest
) -> None:
    client = PortalClient(app)
    token = _form_token(client)
    assert token != _form_token(client)  # a new token for every rendering of the form
    first_status, first = _submit(client, token)
    again_status, again = _submit(client, token)
    assert (first_status, again_status) == (200, 200)
    references = _complaints(database)
    assert len(references) == 1
    link = re.search(r'href="(/portal/status/[^"]+)"', first)
    assert link and link.group(1) in again and references[0] in again
    with database.session() as session:
        stored = session.scalars(select(IntakeKey)).one()
        assert token not in (stored.key_hash, stored.fingerprint)  # only hashes are kept

    # A new rendering of the form is a new complaint.
    assert _submit(client, _form_token(client))[0] == 200
    assert len(_complaints(database)) == 2


def test_the_form_sent_twice_at_the_same_moment_opens_one_complaint(app: Flask, database: DatabaseUnderTest) -> None:
    first, second = PortalClient(app), PortalClient(app, remote="203.0.113.8")
    token = _form_token(first)
    second.token()
    results = _together(lambda: _submit(first, token), lambda: _submit(second, token))
    assert [status for status, _page in results] == [200, 200], results
    references = _complaints(database)
    assert len(references) == 1
    assert all(references[0] in page for _status, page in results)


def test_the_same_form_with_another_address_is_not_shown_the_first_complaint(
    app: Flask, database: DatabaseUnderTest
) -> None:
    client = PortalClient(app)
    token = _form_token(client)
    assert _submit(client, token)[0] == 200
    status, page = _submit(client, token, customer_email="mallory@example.org")
    assert status == 409
    first = _complaints(database)[0]
    assert first not in page and "/portal/status/" not in page
    assert "already sent with another e-mail address" in page
    fresh = _TOKEN.search(page)
    assert fresh and fresh.group(1) != token
    assert _submit(client, fresh.group(1), customer_email="mallory@example.org")[0] == 200
    assert len(_complaints(database)) == 2


@pytest.fixture
def tokens(database: DatabaseUnderTest, now: datetime) -> dict[str, str]:
    with database.session() as session:
        _row, crm = api_tokens.create_token(session, ADMIN, "CRM", "crm", now, roles=["team_lead"])
        _row, desk = api_tokens.create_token(session, ADMIN, "Helpdesk", "helpdesk", now, roles=["team_lead"])
    return {"crm": crm, "desk": desk}


def _post(app: Flask, token: str, body: dict[str, Any], key: str | None) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    response = app.test_client().post(
        "/api/v1/complaints", base_url=BASE_URL, headers=headers, data=json.dumps(body), content_type="application/json"
    )
    return response.status_code, response.get_json()


def test_an_api_request_retried_with_its_idempotency_key_opens_one_complaint(
    app: Flask, database: DatabaseUnderTest, tokens: dict[str, str]
) -> None:
    status, first = _post(app, tokens["crm"], NEW, "order-4711-complaint")
    again_status, again = _post(app, tokens["crm"], NEW, "order-4711-complaint")
    assert (status, again_status) == (201, 201)
    assert again["reference"] == first["reference"] and again["status_link"] == first["status_link"]
    assert _complaints(database) == [first["reference"]]

    # The same key with another body is refused; another client's key space is its own; no key, no check.
    status, refused = _post(app, tokens["crm"], {**NEW, "subject": "Something else"}, "order-4711-complaint")
    assert status == 409 and "different request" in refused["error"]
    assert _post(app, tokens["desk"], NEW, "order-4711-complaint")[0] == 201
    assert _post(app, tokens["crm"], NEW, None)[0] == 201
    assert len(_complaints(database)) == 3

    for bad in ("", "x" * 256, "schlüssel"):
        status, body = _post(app, tokens["crm"], NEW, bad)
        assert status == 422 and "Idempotency-Key" in body["fields"], bad
    assert len(_complaints(database)) == 3


def test_an_api_request_sent_twice_at_the_same_moment_opens_one_complaint(
    app: Flask, database: DatabaseUnderTest, tokens: dict[str, str]
) -> None:
    results = _together(*[lambda: _post(app, tokens["crm"], NEW, "retry-1")] * 2)
    assert [status for status, _body in results] == [201, 201], results
    assert len({body["reference"] for _status, body in results}) == 1
    assert len(_complaints(database)) == 1


def _raw_mail(message_id: str) -> bytes:
    return (
        "From: Erika Muster <erika@example.org>\r\nTo: complaints@example.org\r\nSubject: Kettle broken\r\n"
        f"Message-ID: {message_id}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIt broke.\r\n"
    ).encode()


def test_a_mail_delivered_twice_opens_one_complaint(database: DatabaseUnderTest, process: None, now: datetime) -> None:
    settings = channel_settings(free_port(), intake_process="customer_wait")
    with database.session() as session:
        first = mail_intake.take_in(session, _raw_mail("<twice@customer.example.org>"), settings, now)
    with database.session() as session:
        again = mail_intake.take_in(session, _raw_mail("<twice@customer.example.org>"), settings, now)
    assert (first.outcome, again.outcome) == ("opened", "duplicate")

    def deliver() -> str:
        with database.sessions() as session:
            return mail_intake.take_in(session, _raw_mail("<at-once@customer.example.org>"), settings, now).outcome

    outcomes = _together(deliver, deliver)
    assert sorted(outcomes) == ["duplicate", "opened"], outcomes
    assert len(_complaints(database)) == 2
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 2
