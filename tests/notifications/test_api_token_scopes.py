"""API token scopes (read, intake, full) and expiry, on the REST API and the engine API."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from engine.domain.errors import FormValidationError
from engine.services.users import api_tokens
from tests.conftest import DatabaseUnderTest
from tests.notifications.helpers import ADMIN
from tests.notifications.test_api import NEW, _call
from tests.notifications.web_support import BASE_URL, portal_app


@pytest.fixture
def app(database: DatabaseUnderTest, process: None, now: datetime, tmp_path: Path) -> Flask:
    return portal_app(database, now, tmp_path / "instance")


@pytest.fixture
def scoped(database: DatabaseUnderTest, now: datetime) -> dict[str, str]:
    made = {}
    with database.session() as session:
        for scope in api_tokens.SCOPES:
            _row, made[scope] = api_tokens.create_token(
                session, ADMIN, scope, "crm", now, roles=["team_lead"], scope=scope
            )
        _row, made["expiring"] = api_tokens.create_token(
            session, ADMIN, "short", "crm", now, roles=["team_lead"], scope="full", expires_at=now + timedelta(hours=1)
        )
    return made


def test_each_scope_allows_its_calls_and_answers_403_beyond(app: Flask, scoped: dict[str, str]) -> None:
    client = app.test_client()
    refused = _call(client, "POST", "/complaints", scoped["read"], NEW)
    assert refused.status_code == 403 and "scope (read)" in refused.get_json()["error"]
    created = _call(client, "POST", "/complaints", scoped["intake"], NEW)
    assert created.status_code == 201
    reference = created.get_json()["reference"]
    assert _call(client, "GET", f"/complaints/{reference}", scoped["read"]).status_code == 200
    added = _call(client, "POST", f"/complaints/{reference}/information", scoped["intake"], {"text": "Model K-200"})
    assert added.status_code == 201
    tasks = _call(client, "GET", f"/tasks?complaint={reference}", scoped["intake"]).get_json()["tasks"]
    task_id = tasks[0]["id"]
    assert _call(client, "POST", f"/tasks/{task_id}/complete", scoped["intake"], {"data": {}}).status_code == 403
    # The engine API (/engine-rest) needs a full token.
    for scope, status in (("read", 403), ("intake", 403), ("full", 200)):
        response = client.get(
            "/engine-rest/external-task/count", base_url=BASE_URL, headers={"Authorization": f"Bearer {scoped[scope]}"}
        )
        assert response.status_code == status, scope


def test_an_expired_token_is_refused_like_an_unknown_one(
    app: Flask, scoped: dict[str, str], database: DatabaseUnderTest, now: datetime
) -> None:
    client = app.test_client()
    assert _call(client, "GET", "/tasks", scoped["expiring"]).status_code == 200
    app.config["CLOCK"] = lambda: now + timedelta(hours=2)
    assert _call(client, "GET", "/tasks", scoped["expiring"]).status_code == 401
    assert _call(client, "GET", "/tasks", scoped["full"]).status_code == 200


def test_scope_and_expiry_are_checked_when_created(database: DatabaseUnderTest, now: datetime) -> None:
    with database.session() as session:
        with pytest.raises(FormValidationError) as bad:
            api_tokens.create_token(session, ADMIN, "x", "crm", now, scope="admin", expires_at=now - timedelta(days=1))
        assert set(bad.value.errors) == {"scope", "expires_at"}
