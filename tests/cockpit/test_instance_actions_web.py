"""Suspend, resume, cancel (with confirmation) and reassign from the cockpit's instance view."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from engine.store.complaints import Complaint
from engine.store.models import AuditEntry, HumanTask, ProcessInstance
from engine.store.outbox import OutboxMessage
from tests.conftest import DatabaseUnderTest
from tests.webui.support import Client, Seeded


def _instance(database: DatabaseUnderTest, seeded: Seeded, key: str = "billing") -> int:
    with database.session() as session:
        task = session.get(HumanTask, seeded.tasks[key])
        assert task is not None
        return task.instance_id


def _status(database: DatabaseUnderTest, instance_id: int) -> str:
    with database.session() as session:
        instance = session.get(ProcessInstance, instance_id)
        assert instance is not None
        return instance.status


def _audit(database: DatabaseUnderTest, instance_id: int, action: str) -> list[tuple[str, str | None]]:
    with database.session() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.instance_id == instance_id, AuditEntry.action == action)
        ).all()
        return [(row.actor, row.message) for row in rows]


def test_suspend_and_resume_from_the_instance_view(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest
) -> None:
    instance_id = _instance(database, seeded)
    url = f"/cockpit/instances/{instance_id}"
    lead = client_for("lead")
    assert 'id="suspend"' in lead.text(url)
    assert client_for("agent").post(f"{url}/suspend").status_code == 403
    assert lead.post(f"{url}/suspend", {"reason": "x"}, csrf=False).status_code == 400
    assert _status(database, instance_id) == "running"

    response = lead.post(f"{url}/suspend", {"reason": "waiting for legal"})
    assert response.status_code == 302 and response.location.endswith(url)
    assert _status(database, instance_id) == "suspended"
    assert _audit(database, instance_id, "instance_suspended") == [("lead", "waiting for legal")]
    page = lead.text(url)
    assert 'id="resume"' in page and "suspended" in page
    # The task list marks the task and offers no claim button; the task page refuses to claim it.
    listing = lead.text("/tasks/all")
    assert 'class="badge suspended"' in listing
    assert f"/task/{seeded.tasks['billing']}/claim" not in listing
    lead.post(f"/task/{seeded.tasks['billing']}/claim")
    assert "suspended with its process" in lead.text(f"/task/{seeded.tasks['billing']}")
    with database.session() as session:
        task = session.get(HumanTask, seeded.tasks["billing"])
        assert task is not None and task.assignee is None

    assert lead.post(f"{url}/suspend").status_code == 302  # twice: refused with a message, nothing changes
    assert "cannot be suspended" in lead.text(url)
    manager = client_for("manager")
    assert manager.post(f"{url}/resume").status_code == 302
    assert _status(database, instance_id) == "running"
    assert _audit(database, instance_id, "instance_resumed") == [("manager", None)]
    assert 'class="badge suspended"' not in lead.text("/tasks/all")


def test_cancel_needs_confirmation_and_a_reason(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest
) -> None:
    instance_id = _instance(database, seeded)
    url = f"/cockpit/instances/{instance_id}"
    admin = client_for("admin")
    assert f'href="{url}/cancel"' in admin.text(url)
    confirm = admin.text(f"{url}/cancel")
    assert "cannot be resumed" in confirm and 'id="confirm-cancel"' in confirm
    assert _status(database, instance_id) == "running"  # looking at the confirmation changes nothing
    assert client_for("agent").post(f"{url}/cancel", {"reason": "x"}).status_code == 403
    empty = admin.post(f"{url}/cancel", {"reason": "  "})
    assert empty.status_code == 400 and "give a reason" in empty.get_data(as_text=True)
    assert _status(database, instance_id) == "running"

    response = admin.post(f"{url}/cancel", {"reason": "customer withdrew the complaint"})
    assert response.status_code == 302 and response.location.endswith(url)
    assert _status(database, instance_id) == "cancelled"
    assert _audit(database, instance_id, "instance_cancelled") == [("admin", "customer withdrew the complaint")]
    page = admin.text(url)
    assert 'id="suspend"' not in page and f'href="{url}/cancel"' not in page
    with database.session() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.instance_id == instance_id)).one()
        assert complaint.status == "closed"
        task = session.get(HumanTask, seeded.tasks["billing"])
        assert task is not None and task.status == "cancelled"
    assert "status-cancelled" in admin.text("/cockpit/instances?status=cancelled")


def test_reassign_a_task_to_a_user_or_a_group(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest
) -> None:
    instance_id = _instance(database, seeded)
    task_id = seeded.tasks["billing"]
    url = f"/cockpit/tasks/{task_id}/reassign"
    manager = client_for("manager")
    page = manager.text(f"/cockpit/instances/{instance_id}")
    assert f'action="{url}"' in page and 'value="user:agent2"' in page and 'value="group:billing"' in page
    assert client_for("agent").post(url, {"target": "user:agent"}).status_code == 403
    assert manager.post(url, {"target": "user:agent2"}).status_code == 302
    assert manager.post(url, {"target": "nobody"}).status_code == 302
    assert "Choose a user or a group." in manager.text(f"/cockpit/instances/{instance_id}")
    with database.session() as session:
        task = session.get(HumanTask, task_id)
        assert task is not None and task.assignee == "agent2"
        queued = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "task_assigned")).all()
        assert [(m.recipient, m.instance_id) for m in queued] == [("agent2", instance_id)]
    # agent2 sees it in their notifications once the outbox is delivered, and in their own list right away.
    assert task_id in client_for("agent2").text("/tasks/mine")
    assert manager.post(url, {"target": "group:billing"}).status_code == 302
    with database.session() as session:
        task = session.get(HumanTask, task_id)
        assert task is not None and task.assignee is None and task.candidate_groups == ["billing"]
    assert [actor for actor, _m in _audit(database, instance_id, "task_reassigned")] == ["manager", "manager"]
    assert client_for("manager").post(url, {"target": "user:agent2"}, csrf=False).status_code == 400


def test_engine_refusals_reach_a_german_lead_in_german(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest
) -> None:
    """The engine's errors carry a code and parameters; the page renders them from the catalogue."""
    instance_id = _instance(database, seeded)
    url = f"/cockpit/instances/{instance_id}"
    lead = client_for("lead")
    assert lead.post("/profile/", {"language": "de"}).status_code == 302
    assert lead.post(f"{url}/suspend", {"reason": "Rechtsabteilung"}).status_code == 302
    lead.post(f"{url}/suspend", {"reason": "noch einmal"})
    # The status is shown as its label, not as the stored id.
    assert f"Instanz {instance_id} ist angehalten und kann nicht angehalten werden" in lead.text(url)
    lead.post(f"/task/{seeded.tasks['billing']}/claim")
    page = lead.text(f"/task/{seeded.tasks['billing']}")
    assert "ist mit ihrer Prozessinstanz angehalten; sie kann nach dem Fortsetzen bearbeitet werden" in page
    assert "suspended with its process" not in page
