"""The stateful phase of the Schemathesis contract tests, shared by /api/v1 and /engine-rest."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from hypothesis import settings

from engine.store.all_models import Base
from tests.conftest import DatabaseUnderTest


def forget_requests(database: DatabaseUnderTest, kept: Set[str]) -> None:
    """Empty every table but ``kept`` and the business calendars: what the requests of an example made."""
    with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in kept and not table.name.startswith("business_calendar"):
                connection.execute(table.delete())


def run_stateful(api_schema: Any, database: DatabaseUnderTest, kept: Set[str], base: settings, examples: int) -> None:
    """Chain operations through the document's links, each example from the same database."""

    class Workflow(api_schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Every example starts from the same database, so that Hypothesis can replay what it generated.
            forget_requests(database, kept)

    Workflow.run(settings=settings(base, max_examples=examples, stateful_step_count=6))
