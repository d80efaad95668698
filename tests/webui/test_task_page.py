"""The task page: case data, the form from the task's fields, validation messages, completion and races."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from engine.store.casework import CaseNote
from engine.store.models import TASK_COMPLETED, AuditEntry
from tests.conftest import DatabaseUnderTest
from tests.webui.support import Client, Seeded, task_row

GOOD = {"f_resolution": "explanation", "f_refund_amount": "0", "f_reply": "We have corrected the invoice."}


def test_task_page_shows_the_case_form_timeline_and_earlier_complaints(
    client_for: Callable[[str], Client], seeded: Seeded
) -> None:
    page = client_for("agent").text(f"/task/{seeded.tasks['again']}")
    for text in (
        "Handle complaint",
        "Second invoice wrong",
        "Again an invoice with a wrong amount.",
        "meier@example.org",
        'name="f_resolution"',
        '<option value="refund"',
        'name="f_refund_amount"',
        'value="0"',  # the field's default
        '<textarea rows="5" id="f_reply" name="f_reply"',
        "Complaint recorded",
        "New task",
        seeded.complaints["billing"],  # the same customer's earlier complaint
        "Resolution due",
    ):
        assert text in page, text
    # The documentation's only sentence is about "customer", which the example does not set: it is left out.
    assert "Read the complaint of" not in page


def test_invalid_input_re_renders_with_messages_and_keeps_what_was_typed(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest
) -> None:
    agent = client_for("agent")
    task_id = seeded.tasks["billing"]
    response = agent.post(
        f"/task/{task_id}/complete", {"f_resolution": "refund", "f_refund_amount": "-5", "f_reply": "ok"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please correct the marked fields." in page
    assert 'id="f_refund_amount-error">must be at least 0<' in page
    assert 'id="f_reply-error">must have at least 5 characters<' in page
    assert '<option value="refund" selected' in page and 'value="-5"' in page and ">ok</textarea>" in page
    with database.session() as session:
        assert task_row(session, task_id).status == "open"


def test_validation_messages_follow_the_user_s_language(client_for: Callable[[str], Client], seeded: Seeded) -> None:
    agent = client_for("agent")
    agent.post("/profile/", {"language": "de"})
    page = agent.post(f"/task/{seeded.tasks['billing']}/complete", {"f_resolution": ""}).get_data(as_text=True)
    assert "ist ein Pflichtfeld" in page and "Bitte korrigieren Sie die markierten Felder." in page


def test_complete_a_task(client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest) -> None:
    agent = client_for("agent")
    task_id = seeded.tasks["billing"]
    response = agent.post(f"/task/{task_id}/complete", GOOD)
    assert response.status_code == 302 and response.location.endswith("/tasks/mine")
    assert "Task “Handle complaint” completed." in agent.text("/tasks/mine")
    with database.session() as session:
        task = task_row(session, task_id)
        assert task.status == TASK_COMPLETED and task.completed_by == "agent"
    page = agent.text(f"/task/{task_id}")
    assert "Completed by agent" in page and 'name="f_resolution"' not in page


def test_the_second_agent_completing_sees_who_was_first(client_for: Callable[[str], Client], seeded: Seeded) -> None:
    first, second = client_for("agent"), client_for("agent2")
    task_id = seeded.tasks["again"]
    # Both opened the form while the task was open.
    assert 'name="f_resolution"' in first.text(f"/task/{task_id}")
    assert 'name="f_resolution"' in second.text(f"/task/{task_id}")
    assert first.post(f"/task/{task_id}/complete", GOOD).status_code == 302
    late = second.post(f"/task/{task_id}/complete", GOOD)
    assert late.status_code == 302 and late.location.endswith(f"/task/{task_id}")
    assert "This task was already completed by agent." in second.text(f"/task/{task_id}")


def test_the_same_completion_sent_twice_answers_as_done_once(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest
) -> None:
    """A completion sent again by the same user (double click, or nginx passing it to the other app server after
    the first died with it, docs/production.md) is a success once more, with one completion recorded."""
    agent = client_for("agent")
    task_id = seeded.tasks["again"]
    assert agent.post(f"/task/{task_id}/complete", GOOD).status_code == 302
    again = agent.post(f"/task/{task_id}/complete", GOOD)
    assert again.status_code == 302 and again.location.endswith("/tasks/mine")
    page = agent.text("/tasks/mine")
    assert "Task “Handle complaint” completed." in page and "already completed" not in page
    with database.session() as session:
        assert task_row(session, task_id).completed_by == "agent"
        completions = session.scalars(
            select(AuditEntry).where(AuditEntry.task_id == task_id, AuditEntry.action == "task_completed")
        ).all()
        assert len(completions) == 1


def test_claim_and_unclaim(client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest) -> None:
    agent, colleague = client_for("agent"), client_for("agent2")
    task_id = seeded.tasks["delivery"]
    assert agent.post(f"/task/{task_id}/claim").status_code == 302
    page = colleague.text(f"/task/{task_id}")
    assert "This task is assigned to agent." in page and 'name="f_resolution"' not in page
    colleague.post(f"/task/{task_id}/unclaim")
    assert "This task is already claimed by agent." in colleague.text(f"/task/{task_id}")
    assert agent.post(f"/task/{task_id}/unclaim").status_code == 302
    assert "is back in the group" in agent.text(f"/task/{task_id}")
    with database.session() as session:
        assert task_row(session, task_id).assignee is None
    # A team lead may take a task someone else holds.
    colleague.post(f"/task/{task_id}/claim")
    assert client_for("lead").post(f"/task/{task_id}/claim").status_code == 302
    with database.session() as session:
        assert task_row(session, task_id).assignee == "lead"


def test_a_claim_from_the_list_does_not_take_a_task_a_colleague_just_claimed(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest
) -> None:
    """Two people claim the same task from their lists (both showed it unassigned). A team lead may take over
    tasks, but not by a list click that raced a colleague: then the colleague's task page had no form for them
    (bench/load.py at 100 users saw that as "Approve resolution" without a form). Taking over is done on the
    task page, where the current assignee is shown."""
    agent, lead = client_for("agent"), client_for("lead")
    task_id = seeded.tasks["delivery"]
    assert 'name="seen_unassigned"' in lead.text("/tasks/groups")
    assert (
        agent.post(f"/task/{task_id}/claim", {"next": "tasks.group_tasks", "seen_unassigned": "1"}).status_code == 302
    )
    late = lead.post(f"/task/{task_id}/claim", {"next": "tasks.group_tasks", "seen_unassigned": "1"})
    assert late.status_code == 302 and late.location.endswith("/tasks/groups")
    assert "This task is already claimed by agent." in lead.text("/tasks/groups")
    with database.session() as session:
        assert task_row(session, task_id).assignee == "agent"
    assert 'name="f_resolution"' in agent.text(f"/task/{task_id}")
    # On the task page the lead sees who holds it and may take it over deliberately.
    assert lead.post(f"/task/{task_id}/claim").status_code == 302
    with database.session() as session:
        assert task_row(session, task_id).assignee == "lead"


def test_internal_note_lands_in_the_timeline(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest
) -> None:
    agent = client_for("agent")
    reference, task_id = seeded.complaints["billing"], seeded.tasks["billing"]
    empty = agent.post(f"/cases/{reference}/notes", {"kind": "note", "body": "  ", "task_id": task_id})
    assert empty.status_code == 422 and "This field is required." in empty.get_data(as_text=True)
    response = agent.post(
        f"/cases/{reference}/notes", {"kind": "note", "body": "Called <b>her</b> back", "task_id": task_id}
    )
    assert response.status_code == 302 and f"/task/{task_id}" in response.location
    page = agent.text(f"/task/{task_id}")
    assert "Called &lt;b&gt;her&lt;/b&gt; back" in page and "Internal note" in page
    with database.session() as session:
        assert session.scalars(select(CaseNote.author)).all() == ["agent"]
    # The note is not a way into someone else's case.
    big = seeded.complaints["big"]
    assert agent.post(f"/cases/{big}/notes", {"kind": "note", "body": "x"}).status_code == 404
