"""Fixtures for the Camunda 7 compatibility tests: an app with a worker user, a token and the external flow."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from complaintflow.web import OPERATOR
from engine.domain.external_work import WORKER_GROUP
from engine.services.users import accounts as user_service
from engine.services.users import api_tokens
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import ADMIN, deploy_paths
from tests.webui.support import app_context, make_app

DIAGRAMS = Path(__file__).resolve().parent / "diagrams"
PASSWORD = "worker-secret"


def basic(user: str, password: str = PASSWORD) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@dataclass
class Rest:
    """A client for /engine-rest with the worker's Basic credentials unless told otherwise."""

    client: FlaskClient
    token: str

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> TestResponse:
        return self.client.open(
            "/engine-rest" + path,
            method=method,
            json=body,
            headers=headers if headers is not None else basic("worker"),
            base_url="http://127.0.0.1:5000",
        )

    def post(self, path: str, body: Any = None, **kwargs: Any) -> TestResponse:
        return self.call("POST", path, body, **kwargs)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.call("GET", path, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> TestResponse:
        return self.call("PUT", path, body, **kwargs)

    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def seed_camunda_users(database: DatabaseUnderTest, now: datetime) -> str:
    """A worker (group external_workers), an agent, a manager; deploys the external flow; returns a token."""
    with database.session() as session:
        groups = {WORKER_GROUP: ("External workers", False), "agent": ("Agents", False)}
        people = [
            user_service.UserData("worker", "Worker", "w@example.org", PASSWORD, "en", (), (WORKER_GROUP,)),
            user_service.UserData("agent", "Agent", "a@example.org", PASSWORD, "en", ("agent",), ("agent",)),
            user_service.UserData("boss", "Boss", "b@example.org", PASSWORD, "en", ("manager",), ()),
            user_service.UserData("designer", "Designer", "d@example.org", PASSWORD, "en", ("designer",), ()),
        ]
        user_service.ensure_users(session, OPERATOR, groups, people, now - timedelta(days=1))
        session.commit()
        deploy_paths(session, now, DIAGRAMS / "external_flow.bpmn")
        _, token = api_tokens.create_token(session, ADMIN, "worker", "token-worker", now, groups=[WORKER_GROUP])
        return token


@pytest.fixture
def rest_app(database: DatabaseUnderTest, now: datetime, tmp_path: Path) -> tuple[Flask, str]:
    token = seed_camunda_users(database, now)
    context = app_context(database.url, database.engine, database.sessions, tmp_path / "instance")
    return make_app(context, now), token


@pytest.fixture
def rest(rest_app: tuple[Flask, str]) -> Rest:
    app, token = rest_app
    return Rest(app.test_client(), token)


@pytest.fixture
def start(database: DatabaseUnderTest, now: datetime) -> Callable[..., int]:
    from engine.services.instances import lifecycle as instances

    def make(**data: Any) -> int:
        with database.session() as session:
            values = {"prio": 0, "amount": 30, **data}
            return instances.start_instance(session, ADMIN, "external_flow", values, now).id

    return make
