"""SQL statements per request of the staff pages: a page costs the same statements with 3 rows as with 13.

Each statement costs about a millisecond of app CPU (bench/PRODUCTION.md), so a statement per row of a list
is what made the task lists slow under load; speed itself is measured in bench/request_cpu.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy import event

from engine.domain.actors import SYSTEM
from engine.services.intake.complaints import NewComplaint, open_complaint
from tests.conftest import DatabaseUnderTest
from tests.webui.support import Client, Seeded


@contextmanager
def recorded(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app sends inside the block."""
    statements: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(" ".join(statement.split()))

    engine = app.extensions["complaintflow"].engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _more_complaints(database: DatabaseUnderTest, now: datetime, count: int) -> None:
    with database.session() as session:
        for number in range(count):
            complaint = NewComplaint(
                f"Kunde {number}", f"More {number}", "Text", "email", category="billing", amount_disputed=Decimal(1)
            )
            open_complaint(session, SYSTEM, complaint, "complaint_basic", now - timedelta(minutes=number))


def test_the_group_list_sends_as_many_statements_for_13_rows_as_for_3(
    app: Flask, client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest, now: datetime
) -> None:
    agent = client_for("agent")
    agent.text("/tasks/groups")  # the first look reads the version's files for its texts, kept by the process
    with recorded(app) as few:
        page = agent.text("/tasks/groups")
    assert page.count('class="task-link"') == 3
    _more_complaints(database, now, 10)
    with recorded(app) as many:
        page = agent.text("/tasks/groups")
    assert page.count('class="task-link"') == 13
    assert len(many) == len(few), "\n".join(many)
    # The task names' translations: the versions' checksums in one statement, never a version row with each task.
    assert sum("FROM process_definition" in statement for statement in many) <= 1


def test_the_task_page_reads_the_process_version_once_and_not_the_instance_state_for_its_texts(
    app: Flask, client_for: Callable[[str], Client], seeded: Seeded
) -> None:
    agent = client_for("agent")
    task_id = re.findall(r'href="/task/([^"/]+)" class="task-link"', agent.text("/tasks/groups"))[0]
    with recorded(app) as statements:
        page = agent.text(f"/task/{task_id}")
    assert 'name="csrf_token"' in page
    assert sum("FROM process_definition" in statement for statement in statements) <= 1, "\n".join(statements)
    assert sum("SELECT process_instance.definition_id FROM" in statement for statement in statements) <= 1
    # A read-only page: the documentation's variables, never the instance row with its serialized state.
    assert not any("process_instance.state" in statement for statement in statements), "\n".join(statements)
