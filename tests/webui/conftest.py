"""Fixtures for web UI tests: the seeded database on SQLite and PostgreSQL, the app, signed-in clients."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import DatabaseUnderTest
from tests.webui.support import Client, Seeded, app_context, make_app, seed


@pytest.fixture
def seeded(database: DatabaseUnderTest, now: datetime) -> Seeded:
    with database.session() as session:
        return seed(session, now)


@pytest.fixture
def app(database: DatabaseUnderTest, now: datetime, tmp_path: Path, seeded: Seeded) -> Flask:
    context = app_context(database.url, database.engine, database.sessions, tmp_path / "instance")
    return make_app(context, now)


@pytest.fixture
def client_for(app: Flask) -> Callable[[str], Client]:
    """A client signed in as the given demo user."""

    def make(username: str) -> Client:
        client = Client(app)
        response = client.sign_in(username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make


@pytest.fixture
def anonymous(app: Flask) -> Client:
    return Client(app)
