"""/engine-rest keeps its contract (issue 13): Schemathesis against the served /engine-rest/openapi.json.

Every operation gets generated valid and invalid requests with all of Schemathesis' checks, then the stateful
phase chains operations through their results, on SQLite and PostgreSQL. Any failure fails the test.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation.modes import GenerationMode

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "10"))  # per operation and mode; ~60 operations
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
)


@pytest.fixture
def api_schema(rest_app: tuple[Flask, str]) -> Any:
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
