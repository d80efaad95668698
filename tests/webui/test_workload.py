"""The team workload page: open tasks per person by traffic light, and several tasks reassigned at once, audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from engine.domain.actors import Actor
from engine.services.casework.tasks import claim_task
from engine.store.models import AuditEntry
from tests.conftest import DatabaseUnderTest
from tests.webui.support import Client, Seeded, task_row

AGENT = Actor("agent", frozenset({"agent"}), frozenset({"agent"}))
MINE = ("billing", "delivery", "again")


def _give_agent_three(database: DatabaseUnderTest, seeded: Seeded, now: datetime) -> list[str]:
    ids = [seeded.tasks[key] for key in MINE]
    with database.session() as session:
        for task_id in ids:
            claim_task(session, AGENT, task_id, now)
    return ids


def test_the_lead_sees_open_tasks_per_person_and_reassigns_several_at_once(
    client_for: Callable[[str], Client], database: DatabaseUnderTest, seeded: Seeded, now: datetime
) -> None:
    ids = _give_agent_three(database, seeded, now)
    lead = client_for("lead")
    page = lead.text("/tasks/workload")
    assert "Anna Agent" in page and "Bernd Agent" in page and "Unassigned, by group" in page
    page = lead.text("/tasks/workload?person=agent")
    assert "Open tasks of Anna Agent" in page and all(f'value="{task_id}"' in page for task_id in ids)
    assert 'value="user:agent2"' in page and 'value="user:agent"' not in page and "user:admin" not in page
    # Colleagues are offered by the name people know them by; the login is only the value sent.
    assert '<option value="user:agent2">Bernd Agent</option>' in page
    response = lead.post(
        "/tasks/reassign",
        {"task_ids": ids[:2], "target": "user:agent2", "next": "/tasks/workload?person=agent"},
    )
    assert response.status_code == 302 and response.location.endswith("/tasks/workload?person=agent")
    assert "2 tasks reassigned to Bernd Agent." in lead.text(response.location)
    with database.session() as session:
        assert [task_row(session, task_id).assignee for task_id in ids] == ["agent2", "agent2", "agent"]
        audited = session.scalars(select(AuditEntry).where(AuditEntry.action == "task_reassigned")).all()
        assert sorted(
            (entry.task_id, entry.actor, (entry.before or {}).get("assignee")) for entry in audited
        ) == sorted((task_id, "lead", "agent") for task_id in ids[:2])


def test_a_colleague_who_may_not_work_one_of_the_tasks_gets_none(
    client_for: Callable[[str], Client], database: DatabaseUnderTest, seeded: Seeded, now: datetime
) -> None:
    ids = _give_agent_three(database, seeded, now)
    manager = client_for("manager")
    response = manager.post("/tasks/reassign", {"task_ids": ids, "target": "user:dept", "next": "/tasks/workload"})
    assert response.status_code == 302
    assert "Dieter Department may not work on every chosen task; nothing was reassigned." in manager.text(
        response.location
    )
    response = manager.post("/tasks/reassign", {"target": "user:agent2", "next": "https://evil.example/"})
    assert response.location.endswith("/tasks/workload")
    assert "Choose at least one task." in manager.text(response.location)
    with database.session() as session:
        assert [task_row(session, task_id).assignee for task_id in ids] == ["agent"] * 3


def test_only_team_leads_and_managers_see_the_workload(client_for: Callable[[str], Client]) -> None:
    for role, status in {"agent": 403, "dept": 403, "designer": 403, "admin": 403, "lead": 200}.items():
        assert client_for(role).get("/tasks/workload").status_code == status, role
    assert client_for("agent").post("/tasks/reassign", {"task_ids": ["x"], "target": "user:agent"}).status_code == 403


def test_the_all_tasks_list_reassigns_several_tasks_too(
    client_for: Callable[[str], Client], database: DatabaseUnderTest, seeded: Seeded
) -> None:
    lead = client_for("lead")
    page = lead.text("/tasks/all")
    assert 'form="bulk-reassign"' in page and 'value="user:agent2"' in page and "user:admin" not in page
    ids = [seeded.tasks["billing"], seeded.tasks["again"]]
    response = lead.post("/tasks/reassign", {"task_ids": ids, "target": "user:agent2", "next": "/tasks/all?sort=due"})
    assert response.location.endswith("/tasks/all?sort=due")
    with database.session() as session:
        assert [task_row(session, task_id).assignee for task_id in ids] == ["agent2", "agent2"]
    assert 'form="bulk-reassign"' not in client_for("agent").text("/tasks/groups")
