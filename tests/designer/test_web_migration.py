"""The migration page via the Flask test client: dry run with reasons, one instance, bulk in batches to 100 %."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from engine.bpmn.resources import Resource
from engine.services.casework import tasks
from engine.services.designer import deployment
from engine.services.instances import lifecycle as instances
from engine.store.models import AuditEntry, ProcessInstance
from tests.designer.test_versions import chain, open_rows, user
from tests.engine.helpers import ADMIN, ANNA
from tests.webui.support import Client, make_app

Clients = Callable[[str], Client]
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


SCRIPT = ('<scriptTask id="s" scriptFormat="python"><script>x = refund * 2</script></scriptTask>', "s")


def setup_instances(app: Flask, now: datetime, count: int) -> tuple[list[int], int]:
    """Version 1 (a -> b) with ``count`` instances that know the refund and one that does not; version 2
    adds a script reading the refund, so that one cannot move."""
    with app.extensions["complaintflow"].sessions() as session:
        deployment.deploy(session, ADMIN, [Resource("p.bpmn", chain(user("a"), user("b")))], now - timedelta(days=1))
        movable = [instances.start_instance(session, ADMIN, "p", {"refund": 5}, now).id for _ in range(count)]
        blocked = instances.start_instance(session, ADMIN, "p", {}, now).id
        [row] = open_rows(session, movable[-1])
        tasks.complete_task(session, ANNA, row.id, {}, now)  # one movable instance waits at b
        deployment.deploy(session, ADMIN, [Resource("p.bpmn", chain(user("a"), user("b"), SCRIPT))], now)
    return movable, blocked


def versions_now(app: Flask) -> dict[int, int]:
    with app.extensions["complaintflow"].sessions() as session:
        rows = session.scalars(select(ProcessInstance).where(ProcessInstance.business_key.is_(None)))
        return {row.id: row.definition.version for row in rows if row.definition.process_key == "p"}


def audits(app: Flask) -> int:
    with app.extensions["complaintflow"].sessions() as session:
        query = select(func.count(AuditEntry.id)).where(AuditEntry.action == "instance_migrated")
        return int(session.scalar(query) or 0)


def test_dry_run_lists_who_can_move_and_why_not_then_one_instance_moves(
    app: Flask,
    client_for: Clients,
    now: datetime,
) -> None:
    movable, blocked = setup_instances(app, now, 2)
    designer = client_for("designer")
    choose = designer.text("/designer/migrate/?process=p")
    assert '<select id="from" name="from">' in choose
    page = designer.text("/designer/migrate/?process=p&from=1&to=2&dry_run=1")
    blocked_row = re.search(rf'<tr data-instance-id="{blocked}" class="blocked">(.*?)</tr>', page, re.S)
    assert blocked_row and "reads &#39;refund&#39;" in blocked_row.group(1)
    assert "Migrate this instance" not in blocked_row.group(1)
    assert all(f'<tr data-instance-id="{i}" class="movable">' in page for i in movable)
    assert re.search(r'id="movable-count">2<', page) and re.search(r'id="blocked-count">1<', page)
    same = designer.get("/designer/migrate/?process=p&from=2&to=2&dry_run=1")
    assert same.status_code == 400 and "are the same" in same.get_data(as_text=True)

    fields = {"process_key": "p", "from_version": "1", "to_version": "2"}
    moved = designer.post("/designer/migrate/instance", {**fields, "instance_id": str(movable[0])})
    assert moved.status_code == 302 and "dry_run=1" in moved.headers["Location"]
    assert versions_now(app) == {movable[0]: 2, movable[1]: 1, blocked: 1} and audits(app) == 1
    refused = designer.post(
        "/designer/migrate/instance", {**fields, "instance_id": str(blocked)}, follow_redirects=True
    )
    assert f"Instance {blocked} was not migrated" in refused.get_data(as_text=True)
    assert versions_now(app)[blocked] == 1 and audits(app) == 1


def test_bulk_migration_runs_in_batches_to_100_percent_without_javascript(
    app: Flask,
    client_for: Clients,
    now: datetime,
) -> None:
    movable, blocked = setup_instances(app, now, 5)
    # A second app on the same database stands for another gunicorn worker: batches alternate between them,
    # so nothing may live in one process's memory.
    other_app = make_app(app.extensions["complaintflow"], now)
    for each in (app, other_app):
        each.config["DESIGNER_MIGRATION_BATCH"] = 2
    other = Client(other_app)
    assert other.sign_in("designer").status_code == 302
    workers = [client_for("designer"), other]
    fields = {"process_key": "p", "from_version": "1", "to_version": "2"}
    response = workers[0].post("/designer/migrate/batch", fields)
    seen = []
    for batch in range(1, 10):
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        done = re.search(r'id="p-done">(\d+)<.*?id="p-total">(\d+)<.*?id="p-percent">(\d+)<', page, re.S)
        assert done
        seen.append(tuple(int(n) for n in done.groups()))
        if 'id="migration-continue"' not in page:
            break
        form = dict(HIDDEN.findall(page.split('id="migration-continue"', 1)[1]))
        form.pop("csrf_token")  # each worker's client sends its own session's token
        assert form["after"] and form["total"] == "6"
        response = workers[batch % 2].post("/designer/migrate/batch", form)
    assert seen == [(2, 6, 33), (4, 6, 66), (6, 6, 100)]
    assert re.search(r'id="p-moved">5<', page) and re.search(r'id="p-not-moved">1<', page)
    assert re.search(r'<div id="migration-finished"\s*>', page)  # shown, not hidden
    assert versions_now(app) == {**{i: 2 for i in movable}, blocked: 1} and audits(app) == 5


def test_bulk_migration_answers_json_for_the_script(app: Flask, client_for: Clients, now: datetime) -> None:
    setup_instances(app, now, 3)
    app.config["DESIGNER_MIGRATION_BATCH"] = 3
    designer = client_for("designer")
    json_accept = {"Accept": "application/json"}
    fields: dict[str, str] = {"process_key": "p", "from_version": "1", "to_version": "2"}
    first = designer.post("/designer/migrate/batch", fields, headers=json_accept).json
    assert first is not None
    assert (first["done"], first["total"], first["moved"], first["finished"]) == (3, 4, 3, False)
    assert first["rate"] > 0 and first["remaining"] == 1
    cursor = {key: "" if value is None else str(value) for key, value in first["next"].items()}
    last = designer.post("/designer/migrate/batch", {**fields, **cursor}, headers=json_accept).json
    assert last is not None
    assert (last["done"], last["percent"], last["moved"], last["not_moved"], last["finished"]) == (4, 100, 3, 1, True)
    wrong = designer.post("/designer/migrate/batch", {**fields, "to_version": "9"}, headers=json_accept)
    assert wrong.status_code == 400 and "error" in (wrong.json or {})


@pytest.mark.parametrize("user_name", ["admin"])
def test_admins_may_migrate_too(app: Flask, client_for: Clients, now: datetime, user_name: str) -> None:
    movable, _blocked = setup_instances(app, now, 1)
    client = client_for(user_name)
    fields = {"process_key": "p", "from_version": "1", "to_version": "2", "instance_id": str(movable[0])}
    assert client.post("/designer/migrate/instance", fields).status_code == 302
    assert versions_now(app)[movable[0]] == 2
