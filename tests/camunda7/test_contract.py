"""/engine-rest keeps its contract (issue 13): Schemathesis against the served /engine-rest/openapi.json.

Every operation gets at least 100 generated valid requests and 100 invalid ones with all of Schemathesis'
checks, then the stateful phase chains operations through the document's links (definition -> start ->
instance, fetchAndLock -> complete, ...): 100 sequences of up to 6 calls, on SQLite and PostgreSQL. Any
failure fails the test. Long polls (fetchAndLock's asyncResponseTimeout, up to 30 minutes) answer at once
here: their waiting is wall time, which tests/camunda7/test_rest_external_task.py covers; the answer's
contract is the same.
"""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation.modes import GenerationMode

from engine.services.external_tasks import locking
from tests.conftest import DatabaseUnderTest
from tests.contract_support import run_stateful

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


@pytest.fixture
def no_long_poll_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """fetchAndLock's long poll sees its deadline passed at once instead of sleeping for it."""
    moments = iter(range(0, 10**12, 10**6))  # every reading a million seconds after the last
    monkeypatch.setattr(locking, "time", SimpleNamespace(monotonic=lambda: float(next(moments))))
    monkeypatch.setattr(locking, "wait_for_announcement", lambda _since, _timeout: False)


@pytest.fixture
def api_schema(rest_app: tuple[Flask, str], no_long_poll_waits: None) -> Any:
    app, token = rest_app
    loaded = schemathesis.openapi.from_wsgi("/engine-rest/openapi.json", app)

    @loaded.auth()
    class Bearer:
        def get(self, case: Any, context: Any) -> str:
            return token

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return loaded


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_keeps_the_contract(api_schema: Any, mode: GenerationMode) -> None:
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        try:
            operation = result.ok()
        except Exception as error:  # noqa: BLE001
            failures.append(f"schema: {error}")
            continue

        @given(case=operation.as_strategy(generation_mode=mode))
        @HYPOTHESIS
        def run(case: Any) -> None:
            case.call_and_validate()

        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every operation is tried, all reported
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)


# What a stateful example starts from: the deployed external flow and the users, nothing a request made.
_KEPT = {"process_definition", "definition_resource", "api_token", "app_user", "user_role", "user_group_def",
         "user_group", "decision_definition"}  # fmt: skip


def test_chained_operations_keep_the_contract(api_schema: Any, database: DatabaseUnderTest) -> None:
    """The stateful phase: operations chained through the document's links."""
    run_stateful(api_schema, database, _KEPT, HYPOTHESIS, EXAMPLES)
