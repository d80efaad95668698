"""Diagram texts on the task page and in task lists follow the user's language (translations in the BPMN)."""

from __future__ import annotations

from collections.abc import Callable

from tests.webui.support import Client, Seeded


def test_a_german_agent_reads_task_name_documentation_labels_and_choices_in_german(
    client_for: Callable[[str], Client], seeded: Seeded
) -> None:
    agent = client_for("agent")
    english = agent.get(f"/task/{seeded.tasks['billing']}").get_data(as_text=True)
    assert "<h1>Handle complaint</h1>" in english and ">Refund<" in english
    assert agent.post("/profile/", {"language": "de"}).status_code == 302
    page = agent.get(f"/task/{seeded.tasks['billing']}").get_data(as_text=True)
    assert "<h1>Reklamation bearbeiten</h1>" in page
    assert ("Read the complaint of" in english) == ("Lesen Sie die Reklamation von" in page)
    assert "Erstattungsbetrag (EUR)" in page and ">Erstattung<" in page and ">Erklärung<" in page
    assert ">Refund<" not in page and "<h1>Handle complaint</h1>" not in page
    listing = agent.get("/tasks/groups").get_data(as_text=True)
    assert "Reklamation bearbeiten" in listing and "Handle complaint" not in listing
