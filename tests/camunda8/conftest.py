"""Fixtures for the Camunda 8 REST tests: the Camunda 7 fixtures' users and token, plus a Camunda 8 diagram."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.services.instances import lifecycle as instances
from tests.camunda7.conftest import basic, seed_camunda_users
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import ADMIN, deploy_paths
from tests.webui.support import app_context, make_app

DIAGRAMS = Path(__file__).resolve().parent / "diagrams"


@dataclass
class V2:
    """A client for /v2 with the worker's Basic credentials unless told otherwise."""

    client: FlaskClient
    token: str

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> TestResponse:
        return self.client.post(
            "/v2" + path, json=body, headers=headers if headers is not None else basic("worker"),
            base_url="http://127.0.0.1:5000",
        )  # fmt: skip

    def get(self, path: str, headers: dict[str, str] | None = None) -> TestResponse:
        return self.client.get("/v2" + path, headers=headers if headers is not None else basic("worker"))


def seed(database: DatabaseUnderTest, now: datetime) -> str:
    """Users and token of the Camunda 7 tests, and the Camunda 8 diagrams deployed; returns the token."""
    token = seed_camunda_users(database, now)
    with database.session() as session:
        deploy_paths(session, now, *sorted(DIAGRAMS.glob("*.bpmn")))
    return token


@pytest.fixture
def v2_app(database: DatabaseUnderTest, now: datetime, tmp_path: Path) -> tuple[Flask, str]:
    token = seed(database, now)
    context = app_context(database.url, database.engine, database.sessions, tmp_path / "instance")
    return make_app(context, now), token


@pytest.fixture
def v2(v2_app: tuple[Flask, str]) -> V2:
    app, token = v2_app
    return V2(app.test_client(), token)


@pytest.fixture
def start(database: DatabaseUnderTest, now: datetime) -> Callable[..., int]:
    def make(process: str = "zeebe_jobs", **data: Any) -> int:
        with database.session() as session:
            return instances.start_instance(session, ADMIN, process, dict(data), now).id

    return make
