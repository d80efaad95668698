"""Journeys 5 (team lead: four-eyes approval) and 6 (department staff: inbox, take, ask back, hand back)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import expect

from tests.journeys.journey import Journey
from tests.journeys.shipped import ShippedApp
from tests.journeys.steps import api_complaint, assignable, assignee_of, complete_as, engine_rest, task_of

REFERENCE = re.compile(r"C-\d{4}-\d{6}")
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
    """Journey 5: four-eyes approval with its reason, approve and reject, the team workload, reassigning several
    tasks at once from there and from the task list (only people who may work them are offered); the reassigned
    tasks arrive as notifications that name them."""
    # The lead also works cases (group agent) and proposes a refund above the threshold himself.
    subject = "Coffee machine refund for a broken grinder"
    created = api_complaint(shipped, subject=subject, description="The grinder broke after a week.")
    complete_as(
        shipped, created["reference"], "handle_complaint",
        {"next_step": "resolve", "customer_message": "We are sorry and will refund the machine."}, user="lead",
    )  # fmt: skip
    complete_as(
        shipped, created["reference"], "propose_resolution",
        {"resolution_type": "refund", "resolution_amount": 450, "outcome": "upheld",
         "resolution_summary": "We refund 450 EUR for the machine."}, user="lead",
    )  # fmt: skip
    assert created["reference"]

    lead = journey("lead")
    page = lead.page
    lead.sign_in("lead")
    # The menu counts the unread notifications (the demo data's escalations and tasks for the lead).
    expect(page.locator("header .notices-link .unread-count")).to_have_text(re.compile(r"^\d+$"))
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
    lead.fits_narrow_screen()
    page.get_by_role("link", name="Anna Agent").click()
    users = assignable(page.locator("#target"))
    assert users.get("lead") == "Lea Lead" and not {"admin", "designer", "manager", "dept"} & users.keys(), users
    for subject in blenders:
        page.locator("#reassign tr", has_text=subject).locator("input[type=checkbox]").check()
    page.select_option("#target", "user:lead")
    page.get_by_role("button", name="Reassign").click()
    expect(page.locator("main")).to_contain_text("2 tasks reassigned to Lea Lead.")
    lead.step("two tasks reassigned from the workload")
    assert {assignee_of(shipped, task_id) for task_id in taken} == {"lead"}
    # Each reassigned task is a notification to the lead that names it and links to it on this server.
    # The dispatcher delivers them after the reassignment's commit, on its own schedule: open the list again
    # until they are there (the page does not refresh itself).
    page.locator("header .notices-link").click()
    notices = page.locator("ul.notifications li.unread")
    deadline = time.monotonic() + 30
    while any(notices.filter(has_text=ref).count() == 0 for ref in taken.values()) and time.monotonic() < deadline:
        page.wait_for_timeout(500)
        page.locator("header .notices-link").click()
    for reference in taken.values():
        notice = notices.filter(has_text=reference)
        named = re.compile(f"you have a new task: .?Handle complaint.? for complaint {reference}")
        expect(notice).to_contain_text(named)
        expect(notice).to_contain_text(f"{shipped.base_url}/task/")
    expect(page.locator("main")).not_to_contain_text("None")
    lead.step("the reassigned tasks among the notifications")

    # And from the list of all tasks, several at once, back to the agent.
    page.get_by_role("link", name="All tasks").click()
    page.fill("input[name=q]", "Blender")
    page.get_by_role("button", name="Filter").click()
    lead.fits_narrow_screen()
    users = assignable(page.locator("#bulk-target"))
    assert users.get("agent") == "Anna Agent" and not {"admin", "designer", "manager", "dept"} & users.keys(), users
    for subject in blenders:
        page.locator("tbody tr", has_text=subject).locator("input[type=checkbox]").check()
    page.select_option("#bulk-target", "user:agent")
    page.get_by_role("button", name="Reassign").click()
    expect(page.locator("main")).to_contain_text("2 tasks reassigned to Anna Agent.")
    lead.step("two tasks reassigned from the task list")
    assert {assignee_of(shipped, task_id) for task_id in taken} == {"agent"}


def agent_takes(shipped: ShippedApp, subjects: tuple[str, ...]) -> dict[str, str]:
    """New complaints (REST API) whose first task the agent claims; task id -> reference."""
    taken = {}
    for subject in subjects:
        reference = api_complaint(shipped, subject=subject, description=f"{subject}. Bought last week.")["reference"]
        task = task_of(shipped, reference, "handle_complaint", user="agent")
        engine_rest(shipped, "POST", f"/task/{task['id']}/claim", {}, user="agent")
        taken[str(task["id"])] = reference
    return taken


def take_and_reply(dept: Journey, subject: str, kind: str, text: str) -> str:
    """Open the case's question in the inbox, take it and reply; returns the complaint's reference. The UI is
    German (dept)."""
    page = dept.page
    page.locator("table.process-handovers tr", has_text=subject).get_by_role("link").first.click()
    reference = REFERENCE.search(page.locator("main").inner_text())
    assert reference is not None
    page.locator("form[action$='/claim'] button").click()
    page.select_option("#f_reply_kind", kind)
    page.fill("#f_department_reply", text)
    page.locator("form.task-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Abteilungseingang")
    expect(page.get_by_role("status")).to_have_text("Aufgabe „Übergabe beantworten“ erledigt.")  # named in German
    return reference.group(0)


def test_department(journey: Callable[..., Journey], shipped: ShippedApp) -> None:
    """Journey 6: department staff (German UI) take a question from the inbox, ask back, hand back; each time
    they land on the inbox again."""
    subject = "Router verliert ständig die Verbindung"
    dept = journey("dept")
    page = dept.page
    dept.sign_in("dept")
    expect(page.locator("h1")).to_contain_text("Abteilungseingang")
    expect(page.locator("table.process-handovers")).to_contain_text(subject)
    dept.step("department inbox")

    reference = take_and_reply(dept, subject, "question", "Welche Firmware-Version läuft auf dem Router?")
    dept.step("asked back, back on the inbox")
    # The agent who handed over answers the question (the task waits in his list).
    task = task_of(shipped, reference, "clarify_for_department")
    complete_as(
        shipped, reference, "clarify_for_department",
        {"clarification": "Firmware 7.29, laut Kunde seit dem letzten Update."}, user=str(task["assignee"]),
    )  # fmt: skip

    page.get_by_role("link", name="Abteilungseingang").click()
    take_and_reply(dept, subject, "findings", "Bekannter Fehler in 7.29; Update auf 7.31 behebt ihn.")
    dept.step("handed back, back on the inbox")
    expect(page.locator("main")).not_to_contain_text(subject)
