"""Hand-over to a department and its inbox, replies from templates, questions to the customer, subtasks."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from engine.domain.actors import SYSTEM
from engine.services.intake.complaints import NewComplaint, open_complaint
from engine.store import case_queries
from engine.store.casework import Handover, Subtask
from engine.store.complaints import Complaint
from engine.store.outbox import OutboxMessage
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import deploy_paths
from tests.webui.support import Client, Seeded


def _tomorrow(now: datetime) -> str:
    return (now + timedelta(days=1)).date().isoformat()


def test_hand_over_answer_and_return(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest, now: datetime
) -> None:
    agent, dept = client_for("agent"), client_for("dept")
    reference, task_id = seeded.complaints["billing"], seeded.tasks["billing"]
    agent.post(f"/task/{task_id}/claim")
    # The department cannot see the case before it is handed over.
    assert dept.get(f"/cases/{reference}").status_code == 404
    response = agent.post(
        f"/cases/{reference}/handover",
        {
            "group": "billing",
            "question": "Was the May invoice booked twice?",
            "due_date": _tomorrow(now),
            "task_id": task_id,
        },
    )
    assert response.status_code == 302 and f"/task/{task_id}" in response.location
    page = agent.text(f"/task/{task_id}")
    assert "Handed over to billing" in page and "waiting for the answer" in page

    inbox = dept.text("/inbox/")
    assert "Was the May invoice booked twice?" in inbox and reference in inbox and ">agent<" in inbox
    handover_id = re.search(r'href="/inbox/(\d+)"', inbox).group(1)  # type: ignore[union-attr]
    assert dept.post(f"/inbox/{handover_id}/claim").status_code == 302
    empty = dept.post(f"/inbox/{handover_id}", {"answer": ""})
    assert empty.status_code == 422
    response = dept.post(f"/inbox/{handover_id}", {"answer": "Yes, booked twice; credit note 4711 issued."})
    assert response.status_code == 302
    assert "Keine offenen Fragen." in dept.text("/inbox/")  # the demo department member reads German
    # The department may now read the case it was asked about.
    assert dept.get(f"/cases/{reference}").status_code == 200

    page = agent.text(f"/task/{task_id}")
    assert "Answer from billing" in page and "credit note 4711 issued" in page
    with database.session() as session:
        handover = session.scalars(select(Handover)).one()
        assert (handover.status, handover.answered_by, handover.claimed_by) == ("answered", "dept", "dept")
        topics = session.scalars(select(OutboxMessage.topic).order_by(OutboxMessage.id)).all()
        assert topics[-2:] == ["handover_received", "handover_answered"]
    # Answering twice is refused with who was first.
    again = dept.post(f"/inbox/{handover_id}", {"answer": "again"})
    assert again.status_code == 302
    assert "Diese Frage wurde bereits von dept beantwortet." in dept.text(f"/inbox/{handover_id}")


def test_hand_over_validation_keeps_the_input(
    client_for: Callable[[str], Client], seeded: Seeded, now: datetime
) -> None:
    agent = client_for("agent")
    reference = seeded.complaints["billing"]
    yesterday = (now - timedelta(days=1)).date().isoformat()
    response = agent.post(
        f"/cases/{reference}/handover", {"group": "nosuch", "question": "Keep me", "due_date": yesterday}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not a valid choice." in page and "must lie in the future" in page and "Keep me</textarea>" in page
    # The section with the errors is open, so nothing is hidden without JavaScript.
    assert re.search(r"<details open class=\"action\">\s*<summary>Hand over to a department", page)


def test_reply_from_a_template_queues_an_e_mail(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest, now: datetime
) -> None:
    lead, agent = client_for("lead"), client_for("agent")
    assert agent.get("/admin/templates/new").status_code == 403
    response = lead.post(
        "/admin/templates/new",
        {
            "name": "Invoice corrected",
            "language": "en",
            "category": "billing",
            "subject": "Your complaint {reference}",
            "body": "Dear {customer_name},\nwe corrected the invoice.\n{agent_name} {unknown}",
        },
    )
    assert response.status_code == 302
    reference, task_id = seeded.complaints["billing"], seeded.tasks["billing"]
    page = agent.text(f"/task/{task_id}")
    template_id = re.search(r'<option value="(\d+)">Invoice corrected', page).group(1)  # type: ignore[union-attr]
    filled = agent.text(f"/cases/{reference}?template={template_id}&task_id={task_id}")
    assert f'value="Your complaint {reference}"' in filled
    # {agent_name} is the display name the customer reads, not the login.
    assert "Dear Frau Meier,\nwe corrected the invoice.\nAnna Agent {unknown}</textarea>" in filled
    response = agent.post(
        f"/cases/{reference}/reply",
        {"subject": f"Your complaint {reference}", "body": "Dear Frau Meier, done.", "task_id": task_id},
    )
    assert response.status_code == 302
    with database.session() as session:
        mail = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "customer_reply")).one()
        assert (mail.kind, mail.recipient, mail.subject) == (
            "email",
            "meier@example.org",
            f"Your complaint {reference}",
        )
        complaint = session.scalars(select(Complaint).where(Complaint.reference == reference)).one()
        assert complaint.first_response_at == now
    assert "Dear Frau Meier, done." in agent.text(f"/task/{task_id}")


def test_request_information_is_refused_where_the_process_cannot_wait(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest
) -> None:
    # complaint_basic has no info-request step: a question would not pause anything, so the page says why.
    agent = client_for("agent")
    reference = seeded.complaints["delivery"]
    page = agent.text(f"/cases/{reference}")
    assert "which cannot wait for the customer" in page and "Ask the customer and wait" not in page
    assert agent.post(f"/cases/{reference}/request-info", {"question": ""}).status_code == 422
    response = agent.post(f"/cases/{reference}/request-info", {"question": "Which address was the parcel sent to?"})
    assert response.status_code == 422
    assert "which cannot wait for the customer" in response.get_data(as_text=True)
    with database.session() as session:
        topics = session.scalars(select(OutboxMessage.topic)).all()
        assert "customer_info_request" not in topics


def test_subtask_for_a_colleague(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest, now: datetime
) -> None:
    agent, colleague = client_for("agent"), client_for("agent2")
    reference = seeded.complaints["delivery"]
    bad = agent.post(f"/cases/{reference}/subtasks", {"assignee": "ghost", "title": "Call carrier", "due_date": ""})
    assert bad.status_code == 422 and 'value="Call carrier"' in bad.get_data(as_text=True)
    response = agent.post(
        f"/cases/{reference}/subtasks",
        {
            "assignee": "agent2",
            "title": "Call the carrier",
            "description": "Ask for the photo",
            "due_date": _tomorrow(now),
        },
    )
    assert response.status_code == 302
    mine = colleague.text("/tasks/mine")
    assert "Subtasks for me" in mine and "Call the carrier" in mine
    subtask_id = re.search(r'href="/cases/subtasks/(\d+)"', mine).group(1)  # type: ignore[union-attr]
    assert client_for("lead").post(f"/cases/subtasks/{subtask_id}", {"answer": "x"}).status_code == 200
    assert (
        colleague.post(f"/cases/subtasks/{subtask_id}", {"answer": "Carrier has a photo at the door."}).status_code
        == 302
    )
    assert "Call the carrier" not in colleague.text("/tasks/mine")
    assert "Carrier has a photo at the door." in agent.text(f"/cases/{reference}")
    assert client_for("dept").get(f"/cases/subtasks/{subtask_id}").status_code == 404
    with database.session() as session:
        assert session.scalars(select(Subtask.status)).one() == "done"


def test_a_hand_over_modelled_in_the_process_is_driven_through_its_tasks(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest, now: datetime
) -> None:
    with database.session() as session:
        deploy_paths(session, now - timedelta(days=1), Path(__file__).parent / "diagrams" / "handover_min.bpmn")
        complaint = open_complaint(
            session, SYSTEM, NewComplaint("Frau Meier", "Modem drops", "Every evening.", "email",
                                          customer_email="meier@example.org"), "handover_min", now,
        )  # fmt: skip
        reference = complaint.reference
        describe = case_queries.open_tasks_of(session, complaint)[0].id
    agent, dept = client_for("agent"), client_for("dept")
    response = agent.post(
        f"/task/{describe}/complete",
        {"f_department_group": "technical", "f_department_question": "Is there an outage in her street?",
         "f_department_due_date": _tomorrow(now)},
    )  # fmt: skip
    assert response.status_code == 302
    inbox = dept.text("/inbox/")
    assert "Is there an outage in her street?" in inbox and reference in inbox
    answer = re.search(r'<table class="[^"]*process-handovers[^"]*">.*?href="/task/([0-9a-f-]+)"', inbox, re.S)
    assert answer is not None
    assert (
        dept.post(f"/task/{answer.group(1)}/complete", {"f_department_reply": "Yes, fixed since Monday."}).status_code
        == 302
    )
    assert "Is there an outage" not in dept.text("/inbox/")
    timeline = agent.text(f"/cases/{reference}")
    assert "Is there an outage in her street?" in timeline and "Yes, fixed since Monday." in timeline
