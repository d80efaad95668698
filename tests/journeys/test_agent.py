"""Journeys 3 (the agent works a new complaint to a proposed refund) and 4 (the agent records complaints received
by phone, letter, in person and on social media)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect

from tests.journeys.journey import Journey
from tests.journeys.shipped import ShippedApp
from tests.journeys.steps import api_complaint, engine_rest, group_task, task_of

SUBJECT = "Toaster burns the bread on every setting"
REFERENCE = re.compile(r"C-\d{4}-\d{6}")


def in_days(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def test_agent(journey: Callable[..., Journey], shipped: ShippedApp, tmp_path: Path) -> None:
    """Journey 3: the agent finds a new complaint in the group list, claims it (onto the task), corrects a bad
    value, replies with a template, notes, subtasks, reads the knowledge base, asks the customer (whose answer
    brings the task back to him), hands over to a department and proposes a refund of 500 EUR."""
    created = api_complaint(
        shipped,
        customer_name="Tom Toast",
        customer_email="tom.toast@example.org",
        subject=SUBJECT,
        description="Even on setting 1 the toaster burns the bread black. Order 8812.",
        category="quality",
    )
    agent = journey("agent")
    page = agent.page
    agent.sign_in("agent")
    page.get_by_role("link", name="My groups' tasks").click()
    page.fill("input[name=q]", SUBJECT)
    page.get_by_role("button", name="Filter").click()
    row = page.locator("tbody tr", has_text=SUBJECT)
    expect(row).to_have_count(1)
    agent.step("new complaint in the group list")
    agent.fits_narrow_screen()

    row.get_by_role("button", name="Claim").click()
    expect(page).to_have_url(re.compile(r"/task/[0-9a-f-]+$"))
    expect(page.locator("main")).to_contain_text("You have claimed")
    # The task's description names what is set, in words (no product, order or amount was given).
    description = page.locator("p.doc")
    expect(description).to_contain_text("from Tom Toast (Standard, via API): " + SUBJECT)
    for unset in ("Product", "order", "amount in dispute", "0.0 EUR", "None", "…"):
        expect(description).not_to_contain_text(unset)
    agent.step("claimed: on the task page")
    task_url = page.url

    page.select_option("#f_next_step", "resolve")
    page.fill("#f_customer_message", "Too short")
    with agent.bad_input(422, "Please correct the marked fields"):
        page.get_by_role("button", name="Complete task").click()
    expect(page.locator("#f_customer_message")).to_have_value("Too short")
    expect(page.locator("#f_next_step")).to_have_value("resolve")
    expect(page.locator("#f_customer_message-error")).to_be_visible()
    agent.step("bad value: field message, values kept")

    page.locator("summary", has_text="Reply to the customer").click()
    page.select_option("select[name=template]", label="Apology and next steps (English)")
    page.get_by_role("button", name="Use template").click()
    body = page.locator("textarea[name=body]").last
    expect(body).to_contain_text("Anna Agent")
    expect(body).to_contain_text("Tom Toast")
    agent.step("reply from a template")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("main")).to_contain_text("The reply is on its way")
    agent.step("reply sent")

    agent.goto(task_url)
    page.locator("summary", has_text="Internal note").click()
    page.locator("form[action$='/notes'] textarea").fill("Customer sent a photo by mail; toaster model T-200.")
    evidence = tmp_path / "toaster-photo.txt"
    evidence.write_text("photo of black toast")
    page.locator("form[action$='/notes'] input[type=file]").set_input_files(str(evidence))
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#timeline")).to_contain_text("toaster model T-200")
    expect(page.locator("main")).to_contain_text("toaster-photo.txt")
    agent.step("note with attachment")

    agent.goto(task_url)
    page.locator("summary", has_text="Subtask for a colleague").click()
    form = page.locator("form[action$='/subtasks']")
    form.locator("select").first.select_option("lead")
    form.locator("input[name=title]").fill("Check the T-200 batch for a thermostat fault")
    form.locator("input[type=date]").fill(in_days(3))
    page.get_by_role("button", name="Create subtask").click()
    expect(page.locator("main")).to_contain_text("Check the T-200 batch")
    agent.step("subtask created")

    page.get_by_role("link", name="Knowledge base").click()
    page.locator("input[name=q]").fill("double debit")
    page.locator("input[name=q]").press("Enter")
    page.get_by_role("link", name="Double debit: how to check and refund").click()
    expect(page.locator("main")).to_contain_text("four-eyes")
    agent.step("knowledge-base article")

    agent.goto(task_url)
    page.locator("summary", has_text="Request information from the customer").click()
    page.locator("#request-info textarea").fill("Which toaster model and which setting did you use?")
    page.get_by_role("button", name="Ask the customer and wait").click()
    agent.step("information requested")

    customer = journey("customer")
    customer.goto(created["status_link"])
    # The portal's history shows every message sent to the customer: the template reply and the question.
    timeline = customer.page.locator(".timeline")
    expect(timeline.locator("li", has_text="We wrote: Your complaint")).to_contain_text("Dear Tom Toast")
    expect(timeline).to_contain_text("Anna Agent")
    expect(timeline).to_contain_text("We wrote: Which toaster model")
    customer.page.fill("textarea[name=text]", "Model T-200, setting 1.")
    customer.page.locator("form[action$='/info'] button[type=submit]").click()
    expect(customer.page.get_by_role("status")).to_be_visible()
    customer.step("customer answered")

    # The answer brings the task back to the agent who asked, not unassigned to the group.
    page.get_by_role("link", name="My tasks").click()
    mine = page.locator("tbody tr", has_text=SUBJECT)
    expect(mine).to_have_count(1)
    agent.step("task back in my tasks")
    mine.get_by_role("link").first.click()

    page.locator("summary", has_text="Hand over to a department").click()
    handover = page.locator("form[action$='/handover']")
    handover.locator("select").first.select_option("technical")
    handover.locator("textarea").fill("Is the T-200 thermostat known to fail?")
    handover.locator("input[type=date]").fill(in_days(5))
    page.get_by_role("button", name="Hand over").click()
    agent.step("handed over")

    expect(page.locator("main")).to_contain_text("The case was handed over")

    page.select_option("#f_next_step", "resolve")
    page.fill("#f_customer_message", "Thank you for the details. We will refund the toaster.")
    page.get_by_role("button", name="Complete task").click()
    expect(page.locator("main")).to_contain_text("completed")
    decide = page.locator("tbody tr", has_text=SUBJECT).filter(has_text="Decide resolution")
    expect(decide).to_have_count(1)
    agent.step("resolution to decide in my tasks")
    decide.get_by_role("link").first.click()
    page.select_option("#f_resolution_type", "refund")
    page.fill("#f_resolution_amount", "500")
    page.select_option("#f_outcome", "upheld")
    page.fill("#f_resolution_summary", "We refund the full price of 500 EUR.")
    page.get_by_role("button", name="Complete task").click()
    expect(page.locator("main")).to_contain_text("completed")
    agent.step("refund of 500 EUR proposed")
    # Above the approval threshold: the team lead approves (journey 5); the proposer may not.
    assert task_of(shipped, created["reference"], "approve_resolution", user="lead")["assignee"] is None
    query = {"taskDefinitionKey": "approve_resolution", "processVariables": [
        {"name": "complaint_id", "value": created["reference"]}]}  # fmt: skip
    assert engine_rest(shipped, "POST", "/task", query, user="agent") == []  # not the agents' task


def record(agent: Journey, channel: str, name: str, subject: str, text: str, implicit: bool = False) -> str:
    """Fill the staff form for a complaint received on ``channel``; returns the new reference from the case page."""
    page = agent.page
    page.get_by_role("link", name="Record a complaint").click()
    page.select_option("#channel", label=channel)
    if implicit:
        page.check("#implicit")
    page.fill("#customer_name", name)
    page.fill("#subject", subject)
    page.fill("#description", text)
    page.get_by_role("button", name="Record complaint").click()
    expect(page.locator("main")).to_contain_text("its process has started")
    expect(page.locator("main")).to_contain_text(channel)
    reference = REFERENCE.search(page.locator("h1").inner_text())
    assert reference is not None
    return reference.group(0)


def test_agent_records_complaints_from_other_channels(
    journey: Callable[..., Journey], shipped: ShippedApp, tmp_path: Path
) -> None:
    """Journey 4: phone, letter, in person, and an implicit one found on social media; each then runs as usual."""
    agent = journey("agent-recording")
    page = agent.page
    agent.sign_in("agent")
    page.get_by_role("link", name="Record a complaint").click()
    expect(page.locator("h1")).to_contain_text("Record a complaint")
    agent.step("record form")

    page.select_option("#channel", label="Phone")
    page.fill("#customer_name", "Rita Ruf")
    page.fill("#customer_email", "rita.ruf@example")
    with agent.bad_input(422, "Please correct the marked fields"):
        page.get_by_role("button", name="Record complaint").click()
    expect(page.locator("#customer_name")).to_have_value("Rita Ruf")
    expect(page.locator("#channel")).to_have_value("phone")
    expect(page.locator("#subject-error")).to_be_visible()
    agent.step("bad input: marked fields, values kept")

    page.fill("#customer_email", "rita.ruf@example.org")
    page.fill("#customer_phone", "+49 30 555 0101")
    page.select_option("#category", "delivery")
    page.fill("#subject", "Parcel handed to the wrong neighbour")
    page.fill("#description", "Called at 09:40: the courier gave the parcel to a neighbour she does not know.")
    page.get_by_role("button", name="Record complaint").click()
    expect(page.locator("main")).to_contain_text("its process has started")
    phone = REFERENCE.search(page.locator("h1").inner_text())
    assert phone is not None
    agent.step("phone complaint recorded: its case page")

    scan = tmp_path / "letter-scan.txt"
    scan.write_text("Dear Sir or Madam, the invoice of March charges the delivery twice.")
    page.get_by_role("link", name="Record a complaint").click()
    page.select_option("#channel", label="Letter")
    page.fill("#customer_name", "Bernd Brief")
    page.fill("#subject", "Delivery charged twice on the March invoice")
    page.fill("#description", "Letter of 2 March: the delivery fee appears twice on invoice 2026-0311.")
    page.set_input_files("#files", str(scan))
    page.get_by_role("button", name="Record complaint").click()
    expect(page.locator("main")).to_contain_text("letter-scan.txt")
    agent.step("letter recorded with its scan")

    record(agent, "In person", "Ingrid Ort", "Shop staff refused the exchange",
           "At the Mitte shop today: the exchange of unworn shoes within 14 days was refused.")  # fmt: skip
    agent.step("in-person complaint recorded")
    implicit = record(
        agent, "Social media", "@kettle_fan_42", "Post: 'third kettle, third leak'",
        "Found on Instagram, not addressed to us: a photo of our kettle model K-3 leaking.", implicit=True,
    )  # fmt: skip
    expect(page.locator("main")).to_contain_text("implicit (found by staff, not addressed to us)")
    agent.step("implicit complaint found on social media recorded")

    # From here each runs like any other complaint: its first task waits in the group list.
    group_task(agent, "Parcel handed to the wrong neighbour")
    row = page.locator("tbody tr", has_text="Parcel handed to the wrong neighbour")
    row.get_by_role("button", name="Claim").click()
    expect(page).to_have_url(re.compile(r"/task/[0-9a-f-]+$"))
    expect(page.locator("main")).to_contain_text(phone.group(0))
    agent.step("phone complaint's first task claimed")
    group_task(agent, "third kettle, third leak")
    agent.step("implicit complaint in the group list")
    row = page.locator("tbody tr", has_text="third kettle, third leak")
    expect(row).to_contain_text("Social media")
    expect(row).to_contain_text(implicit)
