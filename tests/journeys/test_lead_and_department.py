"""Journeys 5 (team lead: four-eyes approval) and 6 (department staff: inbox, take, ask back, hand back)."""

from __future__ import annotations

import json
from collections.abc import Callable

from playwright.sync_api import expect

from tests.journeys.journey import Journey
from tests.journeys.shipped import ShippedApp
from tests.journeys.steps import api_complaint, complete_on_cli, open_tasks

FOUR_EYES = "You proposed this resolution; another team lead must approve it"


def open_task_of(lead: Journey, subject: str, title: str) -> None:
    """From the list of all tasks, search the complaint and open the named task."""
    lead.page.get_by_role("link", name="All tasks").click()
    lead.page.fill("input[name=q]", subject)
    lead.page.get_by_role("button", name="Filter").click()
    row = lead.page.locator("tbody tr", has_text=subject).filter(has_text=title)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=title).click()


def test_team_lead(journey: Callable[..., Journey], shipped: ShippedApp) -> None:
    # The lead also works cases (group agent) and proposes a refund above the threshold himself.
    subject = "Coffee machine refund for a broken grinder"
    created = api_complaint(shipped, subject=subject, description="The grinder broke after a week.")
    instance_id = max(int(task["instance_id"]) for task in open_tasks(shipped))
    complete_on_cli(
        shipped, instance_id, "handle_complaint",
        {"next_step": "resolve", "customer_message": "We are sorry and will refund the machine."},
        user="lead", group="agent",
    )  # fmt: skip
    complete_on_cli(
        shipped, instance_id, "propose_resolution",
        {"resolution_type": "refund", "resolution_amount": 450, "outcome": "upheld",
         "resolution_summary": "We refund 450 EUR for the machine."},
        user="lead", group="agent",
    )  # fmt: skip
    assert created["reference"]

    lead = journey("lead")
    page = lead.page
    lead.sign_in("lead")
    page.locator("header .notices-link").click()
    expect(page.locator("h1")).to_contain_text("Notifications")
    lead.step("notifications from the menu")
    open_task_of(lead, subject, "Approve resolution")
    expect(page.locator("main")).to_contain_text(FOUR_EYES)
    expect(page.get_by_role("button", name="Claim")).to_have_count(0)
    lead.step("four-eyes: own proposal, reason shown")

    # A proposal of the agent's (demo data): the lead approves it.
    open_task_of(lead, "Waschmaschine nach drei Monaten defekt", "Approve resolution")
    page.get_by_role("button", name="Claim").click()
    expect(page.locator("main")).to_contain_text("You have claimed")
    page.select_option("#f_approval_decision", "approved")
    page.fill("#f_approval_comment", "Approved: defect within warranty.")
    page.get_by_role("button", name="Complete task").click()
    expect(page.locator("main")).to_contain_text("completed")
    lead.step("approved")

    open_task_of(lead, "Stornogebühr zu Unrecht berechnet", "Approve resolution")
    page.get_by_role("button", name="Claim").click()
    page.select_option("#f_approval_decision", "rejected")
    page.fill("#f_approval_comment", "Please check the cancellation terms first.")
    page.get_by_role("button", name="Complete task").click()
    expect(page.locator("main")).to_contain_text("completed")
    lead.step("rejected")

    # The team's workload: the agent holds two blender cases; the lead moves both to himself at once.
    blenders = ("Blender lid cracked on first use", "Blender motor smells burnt")
    taken = agent_takes(shipped, blenders)
    page.get_by_role("link", name="Team workload").click()
    expect(page.locator("h1")).to_contain_text("Team workload")
    expect(page.locator("table.workload")).to_contain_text("Anna Agent")
    lead.step("team workload")
    page.get_by_role("link", name="Anna Agent").click()
    for subject in blenders:
        page.locator("#reassign tr", has_text=subject).locator("input[type=checkbox]").check()
    page.select_option("#target", "user:lead")
    page.get_by_role("button", name="Reassign").click()
    expect(page.locator("main")).to_contain_text("2 tasks reassigned to lead.")
    lead.step("two tasks reassigned from the workload")
    assert {task["assignee"] for task in open_tasks(shipped) if task["id"] in taken} == {"lead"}

    # And from the list of all tasks, several at once, back to the agent.
    page.get_by_role("link", name="All tasks").click()
    page.fill("input[name=q]", "Blender")
    page.get_by_role("button", name="Filter").click()
    for subject in blenders:
        page.locator("tbody tr", has_text=subject).locator("input[type=checkbox]").check()
    page.select_option("#bulk-target", "user:agent")
    page.get_by_role("button", name="Reassign").click()
    expect(page.locator("main")).to_contain_text("2 tasks reassigned to agent.")
    lead.step("two tasks reassigned from the task list")
    assert {task["assignee"] for task in open_tasks(shipped) if task["id"] in taken} == {"agent"}


def agent_takes(shipped: ShippedApp, subjects: tuple[str, ...]) -> set[str]:
    """New complaints (REST API) whose first task the agent claims on the command line; the task ids."""
    taken = set()
    for subject in subjects:
        api_complaint(shipped, subject=subject, description=f"{subject}. Bought last week.")
        instance_id = max(int(task["instance_id"]) for task in open_tasks(shipped))
        task = next(t for t in open_tasks(shipped, instance_id) if t["element_id"] == "handle_complaint")
        shipped.cli("--as-user", "agent", "--group", "agent", "--role", "agent", "claim", str(task["id"]))
        taken.add(str(task["id"]))
    return taken


def take_and_reply(dept: Journey, subject: str, kind: str, text: str) -> str:
    """Open the case's question in the inbox, take it and reply; returns the task id. The UI is German (dept)."""
    page = dept.page
    page.locator("table.process-handovers tr", has_text=subject).get_by_role("link").first.click()
    task_id = page.url.rsplit("/", 1)[-1]
    page.locator("form[action$='/claim'] button").click()
    page.select_option("#f_reply_kind", kind)
    page.fill("#f_department_reply", text)
    page.locator("form.task-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Abteilungseingang")
    return task_id


def test_department(journey: Callable[..., Journey], shipped: ShippedApp) -> None:
    subject = "Router verliert ständig die Verbindung"
    dept = journey("dept")
    page = dept.page
    dept.sign_in("dept")
    expect(page.locator("h1")).to_contain_text("Abteilungseingang")
    expect(page.locator("table.process-handovers")).to_contain_text(subject)
    dept.step("department inbox")

    task_id = take_and_reply(dept, subject, "question", "Welche Firmware-Version läuft auf dem Router?")
    dept.step("asked back, back on the inbox")
    done = [json.loads(line) for line in shipped.cli("tasks", "--status", "completed", "--json").splitlines() if line]
    instance_id = next(int(t["instance_id"]) for t in done if t["id"] == task_id)
    task = next(t for t in open_tasks(shipped, instance_id) if t["element_id"] == "clarify_for_department")
    complete_on_cli(
        shipped, instance_id, "clarify_for_department",
        {"clarification": "Firmware 7.29, laut Kunde seit dem letzten Update."}, user=str(task["assignee"]),
    )  # fmt: skip

    page.get_by_role("link", name="Abteilungseingang").click()
    take_and_reply(dept, subject, "findings", "Bekannter Fehler in 7.29; Update auf 7.31 behebt ihn.")
    dept.step("handed back, back on the inbox")
    expect(page.locator("main")).not_to_contain_text(subject)
