"""The REST API keeps its contract (issue 13): Schemathesis against the served /api/v1/openapi.json.

Every operation gets at least 100 generated valid requests and 100 invalid ones, with all of Schemathesis'
checks, then the stateful phase chains operations through their results (100 sequences of up to 6 calls), on
SQLite and PostgreSQL. Any failure fails the test.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode

from engine.services.users import api_tokens
from tests.conftest import DatabaseUnderTest
from tests.contract_support import run_stateful
from tests.notifications.helpers import ADMIN
from tests.notifications.web_support import portal_app

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "100"))  # at least 100 in CI; fewer only when exploring
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
    # The database under test changes with every request, so a failing example cannot be replayed to
    # shrink it; the first failure is reported as found.
    phases=[Phase.explicit, Phase.generate],
)


# Completing a task: the values must fit that task's form, which each task lists in its `form` and which no
# static schema can state (documented as 422 in the operation). Every other check and operation is as shipped.
CONFIG = SchemathesisConfig.from_str(
    """
[[operations]]
include-path = "/tasks/{task_id}/complete"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422"]
"""
)


@pytest.fixture
def app(database: DatabaseUnderTest, process: None, now: datetime, tmp_path: Path) -> Flask:
    return portal_app(database, now, tmp_path / "instance")


@pytest.fixture
def api_schema(app: Flask, database: DatabaseUnderTest, now: datetime) -> Any:
    """The served document, with a full-scope token as the schema's own authentication."""
    with database.session() as session:
        _row, token = api_tokens.create_token(session, ADMIN, "Contract", "contract", now, roles=["team_lead"])
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)

    @loaded.auth()
    class Bearer:
        def get(self, case: Any, context: Any) -> str:
            return token

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return loaded


def _operations(api_schema: Any) -> list[Any]:
    return [result.ok() for result in api_schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_keeps_the_contract(api_schema: Any, mode: GenerationMode) -> None:
    failures: list[str] = []
    for operation in _operations(api_schema):

        @given(case=operation.as_strategy(generation_mode=mode))
        @HYPOTHESIS
        def run(case: Any) -> None:
            case.call_and_validate()

        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every operation is tried, all reported
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)


# What a stateful example starts from: the deployed process and the API token, nothing a request made.
_KEPT = {"process_definition", "definition_resource", "api_token", "app_user", "user_role", "user_group_def"}


def test_chained_operations_keep_the_contract(api_schema: Any, database: DatabaseUnderTest) -> None:
    """The stateful phase: operations chained through their results (open, read, add information, tasks)."""
    run_stateful(api_schema, database, _KEPT, HYPOTHESIS, EXAMPLES)


@pytest.fixture
def token(database: DatabaseUnderTest, now: datetime) -> str:
    with database.session() as session:
        _row, value = api_tokens.create_token(session, ADMIN, "Hostile", "hostile", now, roles=["team_lead"])
    return value


NEW = {"customer_name": "Erika Muster", "subject": "Kettle", "description": "It broke.", "language": "en"}


def test_the_hostile_requests_of_the_issue_get_documented_json_answers(app: Flask, token: str) -> None:
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}

    def post(raw: str | bytes, path: str = "/api/v1/complaints") -> Any:
        return client.post(path, data=raw, headers=auth, content_type="application/json", base_url="https://x:8443")

    for raw in (
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 50 + "1" + "}" * 50,
        json.dumps({**NEW, "amount_disputed": "NaN"}),
        json.dumps({**NEW})[:-1] + ', "amount_disputed": NaN}',
        json.dumps({**NEW})[:-1] + ', "amount_disputed": Infinity}',
        json.dumps({**NEW})[:-1] + ', "amount_disputed": 1e309}',
        json.dumps({**NEW, "amount_disputed": 1e30}),
        json.dumps({**NEW, "amount_disputed": "80"}),
        json.dumps({**NEW, "description": "nul \u0000 byte"}),
        json.dumps({**NEW, "customer_email": "not an address"}),
        json.dumps({**NEW, "language": "fr"}),
    ):
        response = post(raw)
        assert response.status_code == 422 and response.is_json, (raw[:80], response.status_code)
        assert set(response.get_json()) == {"error", "fields"}

    created = post(json.dumps({**NEW, "amount_disputed": 80.129}))
    assert created.status_code == 201
    # The status link points where the request came in (no COMPLAINTFLOW_PUBLIC_URL here), port included.
    assert created.get_json()["status_link"].startswith("https://x:8443/portal/status/")

    for query in ("limit=²", "limit=0", "limit=501", "limit=-1", "complaint="):
        response = client.get(f"/api/v1/tasks?{query}", headers=auth)
        assert response.status_code == 422 and response.is_json, query
    assert client.get("/api/v1/tasks?limit=500", headers=auth).status_code == 200
    # A NUL byte in a complaint number (PostgreSQL refuses it even as a query parameter) is just not found.
    for path in ("/api/v1/tasks?complaint=C-%00-1", "/api/v1/complaints/C-%00-1"):
        response = client.get(path, headers=auth)
        assert response.status_code == 404 and response.is_json, path

    missing = client.get("/api/v1/no-such-thing", headers=auth)
    assert missing.status_code == 404 and missing.is_json and "error" in missing.get_json()
    wrong_method = client.put("/api/v1/complaints", headers=auth)
    assert wrong_method.status_code == 405 and wrong_method.is_json
    assert set(wrong_method.headers["Allow"].split(", ")) >= {"POST"}
    too_large = post(b'{"description": "' + b"x" * (3 * 1024 * 1024) + b'"}')
    assert too_large.status_code == 413 and too_large.is_json
