"""Real browser tests: Playwright driving Debian's Chromium through an agent's and a department's day.

Screenshots of the main pages are kept under tests/webui/artifacts/ (not in git) for people to look at.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask
from playwright.sync_api import Browser, expect

from engine.domain.status_links import status_token
from tests.conftest import DatabaseUnderTest
from tests.webui.browser_support import Shots, base_url, browser, open_page, sign_in, sign_out
from tests.webui.support import Seeded
from tests.webui.test_request_info import library_complaint

__all__ = ["base_url", "browser"]  # fixtures, used by name


def test_agent_and_department_work_a_complaint_in_the_browser(
    browser: Browser, base_url: str, seeded: Seeded, database: DatabaseUnderTest, now: datetime
) -> None:
    shot = Shots(database.backend)
    context, page, errors = open_page(browser)

    page.goto(f"{base_url}/sign-in")
    shot(page, "01-sign-in")
    sign_in(page, base_url, "agent")
    expect(page.locator("h1")).to_contain_text("My tasks")

    # The group list, filtered to billing: two complaints, the newer one due first.
    page.click("text=My groups' tasks")
    page.select_option("#category", "billing")
    page.click("form.filters button[type=submit]")
    rows = page.locator("table.tasks tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(seeded.complaints["again"])
    shot(page, "02-group-tasks-filtered")

    # Open the older complaint's task and claim it.
    page.click(f"table.tasks tr:has-text('{seeded.complaints['billing']}') a.task-link")
    expect(page.locator("h1")).to_have_text("Handle complaint")
    page.click("div.buttons button:has-text('Claim')")
    expect(page.locator(".flash-success")).to_contain_text("You have claimed")
    expect(page.locator(".assignee")).to_have_text("agent")

    # An invalid form comes back with the messages next to the fields and the input kept.
    page.select_option("#f_resolution", "refund")
    page.fill("#f_refund_amount", "-5")
    page.fill("#f_reply", "ok")
    page.click("text=Complete task")
    expect(page.locator("#f_refund_amount-error")).to_have_text("must be at least 0")
    expect(page.locator("#f_reply-error")).to_have_text("must have at least 5 characters")
    expect(page.locator("#f_reply")).to_have_value("ok")
    shot(page, "03-task-invalid-form")

    page.fill("#f_refund_amount", "50")
    page.fill("#f_reply", "We refund the second charge.")
    page.click("text=Complete task")
    expect(page.locator(".flash-success")).to_contain_text("completed")

    # Hand the case over to billing with a question from the case page.
    page.goto(f"{base_url}/cases/{seeded.complaints['billing']}")
    page.click("summary:has-text('Hand over to a department')")
    page.select_option("#group", "billing")
    page.fill("#question", "Was the May invoice booked twice?")
    page.fill("#due_date", (now + timedelta(days=2)).date().isoformat())
    page.click("button:has-text('Hand over')")
    expect(page.locator(".flash-success")).to_contain_text("handed over")
    expect(page.locator("#timeline")).to_contain_text("Handed over to billing")
    shot(page, "04-case-handed-over")
    sign_out(page)

    # The department member (German UI) answers from the inbox.
    sign_in(page, base_url, "dept")
    expect(page.locator("h1")).to_contain_text("Abteilungseingang")
    expect(page.locator("table.tasks")).to_contain_text("Was the May invoice booked twice?")
    shot(page, "05-department-inbox")
    page.click("table.tasks a.task-link")
    page.click("text=Ich übernehme das")
    page.fill("#answer", "Yes: booked twice. Credit note 4711 is on its way.")
    shot(page, "06-department-answer")
    page.click("text=Antworten und Fall zurückgeben")
    expect(page.locator(".flash-success")).to_contain_text("Antwort gesendet")
    expect(page.locator("main")).to_contain_text("Keine offenen Fragen.")
    sign_out(page)

    # Back to the agent: the answer is in the case's timeline.
    sign_in(page, base_url, "agent")
    page.goto(f"{base_url}/cases/{seeded.complaints['billing']}")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Answer from billing")
    expect(timeline).to_contain_text("Credit note 4711 is on its way.")
    shot(page, "07-case-with-answer")

    page.goto(f"{base_url}/kb/")
    shot(page, "08-knowledge-base")
    # No CSP violations or script errors on any page (the 422 of the invalid form is reported as a failed load).
    assert [error for error in errors if "status of 422" not in error] == []
    context.close()


def test_pages_work_without_javascript(browser: Browser, base_url: str, seeded: Seeded) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, base_url, "agent")
    page.goto(f"{base_url}/task/{seeded.tasks['delivery']}")
    page.click("summary:has-text('Internal note')")
    page.fill("#body", "Customer called, parcel found at the neighbour's.")
    page.click("button:has-text('Add note')")
    expect(page.locator("#timeline")).to_contain_text("parcel found at the neighbour's")
    context.close()


def test_agent_asks_the_customer_and_gets_a_file_back_in_the_browser(
    browser: Browser, base_url: str, app: Flask, seeded: Seeded, database: DatabaseUnderTest, now: datetime,
    tmp_path: Path,
) -> None:  # fmt: skip
    shot = Shots(database.backend)
    reference = library_complaint(database, now)
    scan = tmp_path / "call notes.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    context, page, errors = open_page(browser, accept_downloads=True)
    sign_in(page, base_url, "agent")

    # A file on an internal note, then the question to the customer through the process.
    page.goto(f"{base_url}/cases/{reference}")
    page.click("summary:has-text('Internal note')")
    page.fill("#body", "Customer called; notes attached.")
    page.set_input_files("#files", str(scan))
    page.click("button:has-text('Add note')")
    expect(page.locator("table.attachments")).to_contain_text("call notes.pdf")
    page.click("summary:has-text('Request information from the customer')")
    expect(page.locator("#request-info")).to_contain_text("the SLA clock pauses")
    page.fill("#info_question", "Please send us a photo of the invoice.")
    shot(page, "09-case-request-info")
    page.click("button:has-text('Ask the customer and wait')")
    expect(page.locator(".flash-success")).to_contain_text("SLA clock paused")
    expect(page.locator("main")).to_contain_text("Waiting for the customer")
    shot(page, "10-case-waiting-for-customer")

    # The customer answers on the private status page with a photo of the invoice.
    secret = app.extensions["complaintflow_channels"].secret_key
    customer = context.new_page()
    customer.goto(f"{base_url}/portal/status/{reference}/{status_token(secret, reference)}")
    customer.fill("textarea[name=text]", "Here is the photo.")
    customer.set_input_files("input[name=attachments]", str(scan))
    customer.click("form:has(textarea[name=text]) button[type=submit]")
    customer.close()

    # Back on the case: open again, the file is listed and downloads.
    page.goto(f"{base_url}/cases/{reference}")
    expect(page.locator("main")).to_contain_text("Handle complaint")
    expect(page.locator("table.attachments tbody tr")).to_have_count(2)
    shot(page, "11-case-with-customer-file")
    with page.expect_download() as download_info:
        page.click("table.attachments tbody tr:nth-child(2) a")
    assert (
        download_info.value.suggested_filename == "call_notes.pdf" or "call" in download_info.value.suggested_filename
    )
    assert errors == []
    context.close()
