"""Helpers for web UI tests: a seeded database, the app on it, and signed-in test clients."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from complaintflow.context import AppContext
from complaintflow.web import DEFAULT_GROUPS, DEMO_USERS, OPERATOR
from engine.domain.actors import SYSTEM
from engine.services.intake.complaints import NewComplaint, open_complaint
from engine.services.users import accounts as user_service
from engine.settings import Settings
from engine.store import case_queries
from engine.store.models import HumanTask
from tests.engine.helpers import BASIC, deploy_paths
from webui import create_app

BASE_URL = "https://localhost"
_CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


@dataclass
class Seeded:
    """What the standard seed created: complaint references and the open task of each."""

    complaints: dict[str, str] = field(default_factory=dict)  # key -> reference
    tasks: dict[str, str] = field(default_factory=dict)  # key -> open task id


# key: (customer, email, subject, description, channel, category, amount, opened this long before now)
COMPLAINTS: dict[str, tuple[str, str, str, str, str, str, int, timedelta]] = {
    "billing": ("Frau Meier", "meier@example.org", "Invoice charged twice", "The router was billed twice in May.",
                "email", "billing", 80, timedelta(hours=1)),
    "delivery": ("Herr Schulz", "schulz@example.org", "Parcel never arrived", "Tracking says delivered, nothing came.",
                 "phone", "delivery", 0, timedelta(days=4)),
    "big": ("Firma Acme", "acme@example.org", "Wrong bulk order", "Pallets of the wrong product, refund wanted.",
            "web", "billing", 1500, timedelta(days=2)),
    "again": ("Frau Meier", "meier@example.org", "Second invoice wrong", "Again an invoice with a wrong amount.",
              "web", "billing", 20, timedelta(hours=2)),
}  # fmt: skip


def seed(session: Session, now: datetime) -> Seeded:
    """Demo users and groups, the example process, and four complaints opened at different times."""
    user_service.ensure_users(session, OPERATOR, DEFAULT_GROUPS, DEMO_USERS, now - timedelta(days=30))
    user_service.ensure_users(
        session,
        OPERATOR,
        {},
        [user_service.UserData("agent2", "Bernd Agent", "agent2@example.org", "demo", "en", ("agent",), ("agent",))],
        now - timedelta(days=30),
    )
    deploy_paths(session, now - timedelta(days=10), *BASIC)
    seeded = Seeded()
    for key, (name, email, subject, text, channel, category, amount, ago) in COMPLAINTS.items():
        complaint = open_complaint(
            session,
            SYSTEM,
            NewComplaint(
                customer_name=name,
                customer_email=email,
                subject=subject,
                description=text,
                channel=channel,
                category=category,
                amount_disputed=Decimal(amount),
                language="en",
            ),
            "complaint_basic",
            now - ago,
        )
        seeded.complaints[key] = complaint.reference
        tasks = case_queries.open_tasks_of(session, complaint)
        seeded.tasks[key] = tasks[0].id
    return seeded


def make_app(context: AppContext, now: datetime, **config: Any) -> Flask:
    return create_app({"CONTEXT": context, "CLOCK": lambda: now, "TESTING": True, **config})


def app_context(url: str, engine: Any, sessions: Any, instance: Path) -> AppContext:
    return AppContext(Settings(database_url=url, instance_path=instance), engine, sessions)


class Client:
    """A test client that speaks HTTPS (the session cookie is Secure) and fills in CSRF tokens."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.http: FlaskClient = app.test_client()
        self._token: str | None = None

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.http.get(path, base_url=BASE_URL, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, csrf: bool = True, **kwargs: Any) -> TestResponse:
        values = dict(data or {})
        if csrf:
            values.setdefault("csrf_token", self.token())
        # Flask-WTF checks the Referer on HTTPS, as browsers send it for same-origin forms.
        headers = {"Referer": f"{BASE_URL}/", **kwargs.pop("headers", {})}
        return self.http.post(path, data=values, base_url=BASE_URL, headers=headers, **kwargs)

    def token(self) -> str:
        if self._token is None:
            page = self.get("/sign-in").get_data(as_text=True)
            match = _CSRF.search(page)
            if match is None:
                page = self.get("/profile/").get_data(as_text=True)
                match = _CSRF.search(page)
            assert match, "no CSRF token on the page"
            self._token = match.group(1)
        return self._token

    def sign_in(self, username: str, password: str = "demo") -> TestResponse:
        self._token = None
        response = self.post("/sign-in", {"username": username, "password": password})
        self._token = None
        return response

    def text(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)


def task_row(session: Session, task_id: str) -> HumanTask:
    task = session.get(HumanTask, task_id, populate_existing=True)
    assert task is not None
    return task
