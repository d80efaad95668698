"""PostgreSQL restarting under the web app loses nothing and answers no 500 (issue 13).

A server of its own (the suite's shared one must not restart under other tests) is restarted with
``pg_ctl restart -m fast`` in the middle of a portal submission and of a task completion: every open
connection is ended and new ones are refused until it is back. The requests wait and go through, once each.
A connection pooled before the restart costs no request afterwards, and a database that stays down gets the
"please try again" answer with everything typed kept: a page for people, JSON with Retry-After for the APIs.
"""

from __future__ import annotations

import io
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from engine.services.users import api_tokens
from engine.store import schema
from engine.store.complaints import Complaint
from engine.store.database import make_engine, make_session_factory
from engine.store.models import AuditEntry, HumanTask
from tests.conftest import DatabaseUnderTest
from tests.notifications.helpers import ADMIN, channel_settings, deploy_wait_process, free_port
from tests.notifications.web_support import PortalClient
from tests.support.postgres_server import TemporaryPostgres
from tests.webui.support import Client, app_context, make_app, seed

pytestmark = pytest.mark.postgres

FORM = {
    "customer_name": "Erika Muster",
    "customer_email": "erika@example.org",
    "category": "product",
    "subject": "Kettle broken during the restart",
    "description": "It stopped working after two days; the switch is melted.",
}
ANSWER = {"f_resolution": "explanation", "f_refund_amount": "0", "f_reply": "The second debit is refunded."}
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(scope="module")
def server() -> Iterator[TemporaryPostgres]:
    pg = TemporaryPostgres().start()
    yield pg
    pg.stop()


def _database(server: TemporaryPostgres, retry_seconds: float) -> DatabaseUnderTest:
    url = server.create_database(f"restart_{uuid.uuid4().hex[:12]}")
    engine = make_engine(url)
    schema.upgrade(engine)
    return DatabaseUnderTest("postgres", url, engine, make_session_factory(engine, retry_seconds))


@pytest.fixture
def database(server: TemporaryPostgres) -> Iterator[DatabaseUnderTest]:
    """Its own database; the retry window outlasts a restart on a loaded machine by far."""
    db = _database(server, retry_seconds=60)
    yield db
    db.engine.dispose()


def _app(database: DatabaseUnderTest, now: datetime, instance: Path) -> tuple[Flask, str, str]:
    """The web app with the portal and the demo cases; returns it, an open task id and an API token."""
    with database.session() as session:
        seeded = seed(session, now)
        deploy_wait_process(session, now)
        _row, token = api_tokens.create_token(session, ADMIN, "CRM", "crm", now, roles=["team_lead"])
    context = app_context(database.url, database.engine, database.sessions, instance)
    settings = channel_settings(free_port(), intake_process="customer_wait", max_attachment_bytes=64 * 1024)
    return make_app(context, now, CHANNEL_SETTINGS=settings), seeded.tasks["billing"], token


def _wait_until_down(server: TemporaryPostgres, timeout: float = 30) -> None:
    """Until a new connection is refused (the server is shutting down or gone)."""
    deadline = time.monotonic() + timeout
    address = f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres"
    while time.monotonic() < deadline:
        try:
            psycopg.connect(address, connect_timeout=2).close()
        except psycopg.OperationalError:
            return
        time.sleep(0.02)
    raise AssertionError("the server did not go down")


def _restart_in_the_midst(server: TemporaryPostgres, threads: list[threading.Thread]) -> Callable[..., None]:
    """A session hook: once, start a restart and return only when the server is down."""
    done: list[bool] = []

    def hook(*_args: Any) -> None:
        if done:
            return
        done.append(True)
        thread = threading.Thread(target=server.restart)
        thread.start()
        threads.append(thread)
        _wait_until_down(server)

    return hook


def _complaints(database: DatabaseUnderTest, subject: str) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).where(Complaint.subject == subject)) or 0


def _completions(database: DatabaseUnderTest, task_id: str) -> int:
    with database.session() as session:
        return (
            session.scalar(
                select(func.count()).where(AuditEntry.action == "task_completed", AuditEntry.task_id == task_id)
            )
            or 0
        )


def test_a_submission_and_a_task_completion_during_a_restart_go_through_once(
    server: TemporaryPostgres, database: DatabaseUnderTest, now: datetime, tmp_path: Path
) -> None:
    app, task_id, _token = _app(database, now, tmp_path / "instance")
    threads: list[threading.Thread] = []
    customer = PortalClient(app)
    customer.token()
    agent = Client(app)
    assert agent.sign_in("agent").status_code == 302

    # The restart begins while the complaint is being written: its statements meet ended and refused
    # connections until the server is back.
    def when_the_complaint_is_written(session: Session, *_args: Any) -> None:
        if any(isinstance(row, Complaint) for row in session.new):
            restart(session)

    restart = _restart_in_the_midst(server, threads)
    event.listen(database.sessions, "before_flush", when_the_complaint_is_written)
    files = {"attachments": (io.BytesIO(PDF), "invoice-4711.pdf")}
    response = customer.post("/portal/", {**FORM, **files}, content_type="multipart/form-data")
    event.remove(database.sessions, "before_flush", when_the_complaint_is_written)
    assert threads, "the restart did not happen during the submission"
    assert response.status_code == 200 and "C-" in response.get_data(as_text=True), response.status_code
    assert _complaints(database, FORM["subject"]) == 1

    # The next restart begins as the task completion commits.
    completing = _restart_in_the_midst(server, threads)
    event.listen(database.sessions, "before_commit", completing)
    response = agent.post(f"/task/{task_id}/complete", ANSWER)
    event.remove(database.sessions, "before_commit", completing)
    assert len(threads) == 2, "the restart did not happen during the completion"
    assert response.status_code == 302, response.get_data(as_text=True)
    for thread in threads:
        thread.join(timeout=120)
    assert _completions(database, task_id) == 1
    with database.session() as session:
        task = session.get(HumanTask, task_id)
        assert task is not None and (task.status, task.completed_by) == ("completed", "agent")


def test_pages_and_apis_read_during_and_after_a_restart(
    server: TemporaryPostgres, database: DatabaseUnderTest, now: datetime, tmp_path: Path
) -> None:
    app, _task_id, token = _app(database, now, tmp_path / "instance")
    agent = Client(app)
    assert agent.sign_in("agent").status_code == 302
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert agent.get("/tasks/mine").status_code == 200
    assert api.get("/api/v1/tasks", headers=bearer, base_url="https://localhost").status_code == 200

    # Restarted between requests: the pooled connections are dead; the next requests do not notice.
    server.restart()
    assert agent.get("/tasks/mine").status_code == 200
    assert api.get("/api/v1/tasks", headers=bearer, base_url="https://localhost").status_code == 200

    # Restarted while a page is being read: the page waits for the server.
    threads: list[threading.Thread] = []
    hook = _restart_in_the_midst(server, threads)
    event.listen(database.sessions, "after_begin", hook)
    response = agent.get("/tasks/mine")
    event.remove(database.sessions, "after_begin", hook)
    assert threads and response.status_code == 200
    for thread in threads:
        thread.join(timeout=120)


def test_a_database_that_stays_down_gets_please_try_again_with_everything_kept(
    server: TemporaryPostgres, now: datetime, tmp_path: Path
) -> None:
    database = _database(server, retry_seconds=1.0)
    app, task_id, token = _app(database, now, tmp_path / "instance")
    customer = PortalClient(app)
    customer.token()
    agent = Client(app)
    assert agent.sign_in("agent").status_code == 302
    agent.token()
    bearer = {"Authorization": f"Bearer {token}"}
    api = app.test_client()
    new = {"customer_name": "Erika Muster", "subject": "Kettle via API", "description": "Broke.", "language": "en"}
    server.halt()
    try:
        files = {"attachments": (io.BytesIO(PDF), "invoice-4711.pdf")}
        response = customer.post("/portal/", {**FORM, **files}, content_type="multipart/form-data")
        page = response.get_data(as_text=True)
        assert response.status_code == 503 and response.headers["Retry-After"] == "5", page
        assert 'value="Kettle broken during the restart"' in page and "the switch is melted." in page
        assert "invoice-4711.pdf" in page

        response = agent.post(f"/task/{task_id}/complete", ANSWER)
        page = response.get_data(as_text=True)
        assert response.status_code == 503 and "The second debit is refunded." in page

        response = agent.get("/tasks/mine")
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        assert "Please try again" in response.get_data(as_text=True)

        for method, path in (("post", "/api/v1/complaints"), ("get", "/api/v1/tasks")):
            answer = api.open(path, method=method, json=new, headers=bearer, base_url="https://localhost")
            assert answer.status_code == 503 and answer.is_json and "error" in answer.get_json(), path
            assert answer.headers["Retry-After"] == "5"
        answer = api.get("/engine-rest/task", headers=bearer, base_url="https://localhost")
        assert answer.status_code == 503 and answer.get_json()["type"], answer.get_data(as_text=True)
    finally:
        server.resume()

    # Sent again once the server is back: each exactly once.
    response = customer.post("/portal/", {**FORM, **{"attachments": (io.BytesIO(PDF), "invoice-4711.pdf")}},
                             content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)
    assert agent.post(f"/task/{task_id}/complete", ANSWER).status_code == 302
    answer = api.post("/api/v1/complaints", json=new, headers=bearer, base_url="https://localhost")
    assert answer.status_code == 201
    assert _complaints(database, FORM["subject"]) == 1 and _complaints(database, "Kettle via API") == 1
    assert _completions(database, task_id) == 1
    database.engine.dispose()
