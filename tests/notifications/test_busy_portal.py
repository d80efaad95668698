"""The public form and the task page while another writer holds the database (issue 13).

Behind a lock shorter than the retry window the submission simply goes through. Behind a longer one the
customer gets HTTP 503 with the form as typed (and the names of the files to attach again), nothing is stored,
and sending the same form again after the lock stores exactly one complaint.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from engine.store.channels import CustomerAttachment, PortalHit
from engine.store.complaints import Complaint
from engine.store.models import AuditEntry, HumanTask
from tests.conftest import DatabaseUnderTest
from tests.notifications.helpers import channel_settings, free_port
from tests.notifications.web_support import PortalClient
from tests.support.db_lock import ImpatientDatabase, impatient, write_lock_held
from tests.webui.support import Client, app_context, make_app, seed

WINDOW = 1.5
SHORTER, LONGER = 0.6, WINDOW + 3.5  # the long lock outlasts the window by far, also on a busy machine
FORM = {
    "customer_name": "Erika Muster",
    "customer_email": "erika@example.org",
    "category": "product",
    "subject": "Kettle broken again",
    "description": "It stopped working after two days; the switch is melted.",
}
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def busy(database: DatabaseUnderTest) -> Iterator[ImpatientDatabase]:
    db = impatient(database, WINDOW)
    yield db
    db.engine.dispose()


@pytest.fixture
def app(busy: ImpatientDatabase, database: DatabaseUnderTest, process: None, now: datetime, tmp_path: Path) -> Flask:
    context = app_context(database.url, busy.engine, busy.sessions, tmp_path / "instance")
    settings = channel_settings(free_port(), intake_process="customer_wait", max_attachment_bytes=64 * 1024)
    return make_app(context, now, CHANNEL_SETTINGS=settings)


def _rows(database: DatabaseUnderTest) -> tuple[int, int, int, int]:
    with database.session() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Complaint, CustomerAttachment, AuditEntry, PortalHit)
        )


def _send(client: PortalClient, **changes: str) -> tuple[int, str, dict[str, str]]:
    files = {"attachments": (io.BytesIO(PDF), "invoice-4711.pdf")}
    response = client.post("/portal/", {**FORM, **changes, **files}, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True), dict(response.headers)


def test_a_submission_waits_for_a_short_lock(app: Flask, database: DatabaseUnderTest) -> None:
    client = PortalClient(app)
    client.token()
    with write_lock_held(database, SHORTER):
        status, page, _headers = _send(client)
    assert status == 200, page
    assert "C-" in page and _rows(database)[:2] == (1, 1)


@pytest.mark.parametrize(
    ("lang", "busy_text", "files_text"),
    [
        ("en", "could not save your complaint", "please attach them again"),
        ("de", "konnte Ihre Reklamation nicht speichern", "hängen Sie sie erneut an"),
    ],
)
def test_a_submission_behind_a_long_lock_keeps_the_form_and_stores_nothing(
    app: Flask, database: DatabaseUnderTest, lang: str, busy_text: str, files_text: str
) -> None:
    client = PortalClient(app)
    client.token()
    before = _rows(database)
    with write_lock_held(database, LONGER):
        status, page, headers = _send(client, lang=lang)
    assert status == 503, page
    assert headers["Retry-After"] == "5"
    assert busy_text in page and files_text in page and "invoice-4711.pdf" in page
    # Everything typed is in the form again.
    assert 'value="Kettle broken again"' in page and "the switch is melted." in page
    assert 'value="erika@example.org"' in page and 'value="product" selected' in page
    assert _rows(database) == before  # no complaint, no file, no audit entry, no half-counted hit

    # The customer presses "Send" again once the lock is gone: exactly one complaint, with its file.
    status, page, _headers = _send(client, lang=lang)
    assert status == 200 and "C-" in page
    assert _rows(database)[:2] == (1, 1)


def test_more_information_behind_a_long_lock_keeps_the_text_on_the_status_page(
    app: Flask, database: DatabaseUnderTest, now: datetime
) -> None:
    client = PortalClient(app)
    status, page, _headers = _send(client)
    assert status == 200
    reference = next(part for part in page.split('"') if part.startswith("/portal/status/"))
    before = _rows(database)
    with write_lock_held(database, LONGER):
        response = client.http.post(
            f"{reference}/info?lang=de",
            data={
                "csrf_token": client.token(),
                "text": "Die Seriennummer ist 123-456.",
                "attachments": (io.BytesIO(PDF), "foto.pdf"),
            },
            content_type="multipart/form-data",
            base_url="https://localhost",
            headers={"Referer": "https://localhost/portal/"},
            environ_base={"REMOTE_ADDR": client.remote},
        )
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5", page
    assert "konnte das nicht speichern" in page
    assert ">Die Seriennummer ist 123-456.</textarea>" in page
    assert _rows(database) == before


def test_other_pages_answer_503_with_a_form_that_sends_the_same_again(
    busy: ImpatientDatabase, database: DatabaseUnderTest, now: datetime, tmp_path: Path
) -> None:
    """A page without its own handling (here: a case note by staff) gets the generic "please try again" page."""
    with database.session() as session:
        seeded = seed(session, now)
    app = make_app(app_context(database.url, busy.engine, busy.sessions, tmp_path / "instance"), now)
    agent = Client(app)
    assert agent.sign_in("agent").status_code == 302
    reference = seeded.complaints["billing"]
    note = {"kind": "note", "body": "Kunde rief an: Gutschrift bitte bis Freitag."}
    before = _rows(database)
    with write_lock_held(database, LONGER):
        response = agent.post(f"/cases/{reference}/notes", note)
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5", page
    assert "Please try again" in page and "Nothing was saved" in page
    assert 'name="body" value="Kunde rief an: Gutschrift bitte bis Freitag."' in page
    assert f'action="/cases/{reference}/notes"' in page
    assert _rows(database) == before
    # The page's button sends the same again: now it is stored.
    assert agent.post(f"/cases/{reference}/notes", note).status_code == 302


def test_a_task_completion_on_the_task_page_behind_a_long_lock(
    busy: ImpatientDatabase, database: DatabaseUnderTest, now: datetime, tmp_path: Path
) -> None:
    with database.session() as session:
        seeded = seed(session, now)
    app = make_app(app_context(database.url, busy.engine, busy.sessions, tmp_path / "instance"), now)
    agent = Client(app)
    assert agent.sign_in("agent").status_code == 302
    task_id = seeded.tasks["billing"]
    answer = {"f_resolution": "explanation", "f_refund_amount": "0", "f_reply": "The second debit is refunded."}
    with write_lock_held(database, LONGER):
        response = agent.post(f"/task/{task_id}/complete", answer)
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page
    assert "Nothing was saved, and your entries are kept" in page
    assert "The second debit is refunded." in page
    with database.session() as session:
        task = session.get(HumanTask, task_id)
        assert task is not None and task.status == "open"
    assert agent.post(f"/task/{task_id}/complete", answer).status_code == 302
    with database.session() as session:
        task = session.get(HumanTask, task_id)
        assert task is not None and (task.status, task.completed_by) == ("completed", "agent")


def test_a_submission_that_did_not_happen_is_not_counted_against_the_customer(
    app: Flask, database: DatabaseUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rate-limit hit is committed with the complaint: the database failing after the hit was counted
    (before, ``count_hit`` committed first) stores neither, and six failed tries leave the limit untouched."""
    from engine.domain.errors import DatabaseBusy
    from engine.services.intake import channels

    real = channels.record_complaint

    def busy_after_counting(*args: object, **kwargs: object) -> object:
        raise DatabaseBusy("the database stayed busy")

    client = PortalClient(app)
    before = _rows(database)
    monkeypatch.setattr(channels, "record_complaint", busy_after_counting)
    for _attempt in range(6):  # one more than the limit of five submissions an hour
        status, page, _headers = _send(client)
        assert status == 503 and 'value="Kettle broken again"' in page
    assert _rows(database) == before  # no complaint, no audit entry, no hit
    monkeypatch.setattr(channels, "record_complaint", real)
    status, page, _headers = _send(client)
    assert status == 200 and "C-" in page, page
    assert _rows(database)[0] == before[0] + 1 and _rows(database)[3] == before[3] + 2  # address and e-mail
