"""docs/production.md's upgrade, run as written on a database an earlier release left behind.

The database is tests/upgrade/fixtures/user_task_approval.json at its schema revision (0010, written by the code
of a236c67): a complaint waiting at the four-eyes approval, its two SLA timers and two customer mails pending.
The doc's upgrade commands run in order (systemctl and the code checkout mapped as scripts/production_topology.py
does), the desk starts, and the old instance goes on: its overdue timers fire once, its mails go out once, and
whoever then holds its open task completes it through nginx.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from engine.store import schema
from engine.store.database import make_engine
from tests.notifications.helpers import SmtpServer
from tests.production.test_topology import ROOT, _client, _post, topology_script
from tests.upgrade.fixture_io import load_fixture, read_fixture

pytestmark = pytest.mark.postgres
FIXTURE = "user_task_approval"
# Form values for the tasks the old instance can be waiting at after its timers fired (fields are f_<id>).
ANSWERS = {
    "f_approval_decision": {"f_approval_decision": "approved", "f_approval_comment": "Approved after the upgrade."},
    "f_next_step": {"f_next_step": "resolve", "f_customer_message": "We are on it.", "f_internal_note": ""},
    "f_resolution_type": {"f_resolution_type": "refund", "f_resolution_amount": "450", "f_outcome": "upheld",
                          "f_resolution_summary": "Refund after the upgrade."},
}  # fmt: skip


def _upgrade_block() -> list[str]:
    document = (ROOT / "docs" / "production.md").read_text()
    section = document[document.index("## Upgrades") :]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    assert block is not None
    return block.group(1).strip().splitlines()


def test_the_document_shows_the_upgrade_the_test_runs() -> None:
    assert _upgrade_block() == list(topology_script.UPGRADE)


def _wait(what: str, condition: Callable[[], Any], seconds: float = 90) -> Any:
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.5)
    return value


def _complaintflow(env: dict[str, str], *arguments: str) -> None:
    subprocess.run([str(Path(sys.executable).parent / "complaintflow"), *arguments], env=env, check=True,
                   capture_output=True)  # fmt: skip


def test_an_old_release_s_database_upgraded_as_documented_goes_on(tmp_path: Path) -> None:
    admin_url = os.environ.get("COMPLAINTFLOW_TEST_POSTGRES_URL")
    if not admin_url:
        pytest.fail("no PostgreSQL server: COMPLAINTFLOW_TEST_POSTGRES_URL is not set (run scripts/with-postgres.sh)")
    smtp = SmtpServer().start()
    topology = topology_script.Topology(tmp_path / "desk", admin_url, smtp.port)
    try:
        loaded = topology.prepare()
        fixture = read_fixture(FIXTURE)
        old = make_engine(topology.database_url)
        load_fixture(old, fixture, to_head=False)  # what the earlier release left: its schema, its rows
        old.dispose()
        for command in topology_script.UPGRADE:
            if command in (topology_script.STOP_ALL, topology_script.INSTALL_CODE):
                continue  # nothing runs yet; this checkout is the new code
            if command == topology_script.START_ALL:
                topology.run(topology_script.CERTIFICATE, loaded)  # the host's certificate from step 5
                topology.start()
            else:
                topology.run(command, loaded)
        engine = create_engine(topology.database_url)
        assert schema.current_revision(engine) == schema.head_revision()
        reference = fixture["complaint_reference"]

        def scalar(sql: str) -> Any:
            with engine.connect() as connection:
                return connection.execute(text(sql), {"r": reference}).scalar()

        # Both SLA timers were overdue at the start: the schedulers (two, as two hosts run) take them on.
        overdue = "SELECT count(*) FROM timer WHERE status = 'pending' AND due_at < now()"
        _wait("the old timers fire", lambda: scalar(overdue) == 0)
        with engine.connect() as connection:
            timers = dict(connection.execute(text("SELECT element_id, status FROM timer")).all())
        assert timers == {"sla_reminder": "fired", "sla_breached": "fired"}
        # The mails the old release had queued, and those the timers queued, go out once each.
        pending_mail = "SELECT count(*) FROM outbox_message WHERE kind = 'email' AND status = 'pending'"
        _wait("the queued mails are sent", lambda: scalar(pending_mail) == 0)
        sent = "SELECT count(*) FROM outbox_message WHERE kind = 'email' AND status = 'sent' AND recipient = :r"
        with engine.connect() as connection:
            to_customer = connection.execute(text(sent), {"r": "erika@example.org"}).scalar()
        customer_mails = [mail for to, mail in smtp.recorder.received if to == ["erika@example.org"]]
        assert to_customer >= 2 and len({mail["Message-ID"] for mail in customer_mails}) == len(customer_mails)
        assert len(customer_mails) == to_customer, [mail["Subject"] for mail in customer_mails]

        with engine.connect() as connection:
            task_id, group = connection.execute(text(
                "SELECT t.id, c.name FROM human_task t JOIN task_candidate c ON c.task_id = t.id"
                " WHERE t.status = 'open' AND c.kind = 'group'"
            )).one()  # fmt: skip
        env = {**loaded, "COMPLAINTFLOW_DATABASE_URL": topology.database_url}
        role = "team_lead" if group == "team_lead" else "agent"
        _complaintflow(env, "create-user", "upgrader", "--role", role, "--group", group, "--password", "pw-upgrade")
        staff = _client(topology.url)
        sign_in = staff.get("/sign-in").text
        assert _post(staff, "/sign-in", {"username": "upgrader", "password": "pw-upgrade"}, sign_in).status_code == 302
        page = staff.get(f"/task/{task_id}").text
        answers = next(values for field, values in ANSWERS.items() if f'name="{field}"' in page)
        done = _post(staff, f"/task/{task_id}/complete", answers, page)
        assert done.status_code == 302, done.text
        staff.close()
        assert scalar(f"SELECT completed_by FROM human_task WHERE id = '{task_id}'") == "upgrader"
        # The instance went on, on the process version it started with, without an incident.
        assert scalar("SELECT status FROM process_instance") in ("running", "waiting", "completed")
        assert scalar("SELECT count(*) FROM process_instance") == 1
        started_on = fixture["rows"]["process_instance"][0]["definition_id"]
        assert scalar("SELECT definition_id FROM process_instance") == started_on
        assert scalar("SELECT count(*) FROM human_task WHERE status = 'open'") == 1
        engine.dispose()
    finally:
        topology.down()
        smtp.stop()
