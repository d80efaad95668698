"""Journey 10 (regulation packs): the demo data's payment-service complaint is acknowledged with the FCA letter, gets
its 15-business-day legal deadline, a holding response when the agent takes the designer's delay path, and its final
response; each letter is on the case page, opens as sent and as PDF, and is in the audit trail. In German too."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from tests.journeys.journey import Journey
from tests.journeys.shipped import ShippedApp
from tests.journeys.steps import group_task, wait_for_mail

SUBJECT = "Card payment taken twice"  # examples/demo_complaints.json, key card-payment-charged-twice
REFERENCE = re.compile(r"C-\d{4}-\d{6}")
LETTERS = Path(__file__).resolve().parents[2] / "processes" / "regulation" / "letters"


def test_payment_complaint_letters_and_legal_deadline(journey: Callable[..., Journey], shipped: ShippedApp) -> None:
    agent = journey("agent")
    page = agent.page
    agent.sign_in("agent")
    group_task(agent, SUBJECT)
    row = page.locator("tbody tr", has_text=SUBJECT)
    expect(row.locator(".legal-due")).to_have_text(re.compile(r"FCA final response due in \d+ business days?"))
    agent.step("legal deadline in the task list")

    row.get_by_role("button", name="Claim").click()
    expect(page).to_have_url(re.compile(r"/task/[0-9a-f-]+$"))
    legal = page.locator("#legal-deadlines").locator("..")
    expect(legal).to_contain_text("FCA final response")
    expect(legal.locator("[data-letter=acknowledgement]")).to_contain_text("to oliver.hughes@example.org")
    agent.step("acknowledgement letter on the case")

    page.select_option("#f_next_step", "holding_response")
    page.fill("#f_customer_message", "We are waiting for the card scheme to confirm the second charge.")
    page.get_by_role("button", name="Complete task").click()
    expect(page.locator("main")).to_contain_text("completed")
    agent.step("holding response sent")

    group_task(agent, SUBJECT)
    mine = page.locator("tbody tr", has_text=SUBJECT)
    mine.get_by_role("link").first.click()
    legal = page.locator("#legal-deadlines").locator("..")
    expect(legal.locator("[data-letter=holding_response]")).to_be_visible()
    expect(legal).to_contain_text("extended by the holding response")
    reference = REFERENCE.search(page.locator("main").inner_text())
    assert reference is not None
    agent.step("deadline moved to 35 business days")

    page.select_option("#f_next_step", "resolve")
    page.fill("#f_customer_message", "The card scheme confirmed the double charge; we refund it.")
    page.get_by_role("button", name="Complete task").click()
    decide = page.locator("tbody tr", has_text=SUBJECT).filter(has_text="Decide resolution")
    expect(decide).to_have_count(1)
    decide.get_by_role("link").first.click()
    page.select_option("#f_resolution_type", "refund")
    page.fill("#f_resolution_amount", "64.20")
    page.select_option("#f_outcome", "upheld")
    page.fill("#f_resolution_summary", "We refund the second charge of GBP 64.20.")
    page.get_by_role("button", name="Complete task").click()
    expect(page.locator("main")).to_contain_text("completed")
    agent.step("resolution decided")

    agent.goto(f"/cases/{reference.group(0)}")
    legal = page.locator("#legal-deadlines").locator("..")
    expect(legal.locator("[data-letter=final_response]")).to_be_visible()
    expect(legal.locator("[data-status=met]")).to_contain_text("met on")
    agent.step("final response: deadline met")

    href = legal.locator("[data-letter=final_response]").get_by_role("link", name="PDF").get_attribute("href")
    pdf = page.request.get(f"{shipped.base_url}{href}")
    assert pdf.ok and pdf.body().startswith(b"%PDF-")
    legal.locator("[data-letter=final_response]").get_by_role("link", name="View and print").click()
    expect(page.locator("body")).to_contain_text(
        "You have the right to refer your complaint to the Financial Ombudsman"
    )
    agent.step("final response as sent")

    # The letters went out by e-mail through the outbox; the case page then shows them delivered.
    wait_for_mail(agent, "oliver.hughes@example.org", "our final response")
    expect(page.locator("main")).to_contain_text("This is our final response")
    agent.goto(f"/cases/{reference.group(0)}")
    delivered = page.locator("#legal-deadlines").locator("..").locator("[data-letter=final_response]")
    expect(delivered).to_contain_text("delivered")
    agent.step("final response delivered by e-mail")

    manager = journey("manager")
    manager.sign_in("manager")
    manager.goto(f"/audit/?reference={reference.group(0)}")
    sent = manager.page.locator("tr", has_text="Mandated letter sent")
    expect(sent).to_have_count(3)
    manager.step("three letters in the audit trail")

    lead = journey("lead")
    lead.sign_in("lead")
    lead.goto("/profile/")
    lead.page.select_option("select[name=language]", "de")
    lead.page.locator("form").filter(has=lead.page.locator("select[name=language]")).locator(
        "button[type=submit]"
    ).click()
    lead.goto(f"/cases/{reference.group(0)}")
    german = lead.page.locator("#legal-deadlines").locator("..")
    expect(german).to_contain_text("Gesetzliche Fristen")
    expect(german).to_contain_text("FCA-Abschlussantwort")
    expect(german).to_contain_text("Versandte Schreiben")
    lead.step("legal deadlines in German")


def test_designer_checks_a_letter_template_and_the_admin_names_the_company(
    journey: Callable[..., Journey], shipped: ShippedApp, tmp_path: Path
) -> None:
    """The upload page checks a letter template as ``complaintflow designer check`` does (issue 19), and the admin
    sets the company name that heads and signs the letters (English and German)."""
    text = (LETTERS / "en" / "fca_psd_holding_response.html").read_text(encoding="utf-8")
    start = text.index('<section data-block="delay_reasons">')
    dropped = tmp_path / "fca_psd_holding_response.html"
    dropped.write_text(text[:start] + text[text.index("</section>", start) + len("</section>") :], encoding="utf-8")
    designer = journey("designer")
    page = designer.page
    designer.sign_in("designer")
    designer.goto("/designer/upload")
    page.set_input_files("input[type=file]", str(dropped))
    page.select_option("#letter_language", "en")
    page.locator("#check-only").click()
    report = page.locator("section.upload-file")
    expect(report.locator(".verdict")).to_have_text("rejected")
    expect(report.locator("table.diagnostics")).to_contain_text(
        "The letter fca_psd/holding_response (en) drops the required block “delay_reasons”"
    )
    designer.step("a letter template without a required block is rejected at that block")

    admin = journey("admin", locale="de-DE")
    admin.sign_in("admin")
    admin.goto("/profile/")
    admin.page.select_option("#language", "de")
    admin.page.get_by_role("button", name="Save").click()
    admin.goto("/admin/company/")
    expect(admin.page.locator("h1")).to_have_text("Firma")
    admin.page.fill("#company_name", "Acme Payments Ltd")
    admin.page.get_by_role("button", name="Speichern").click()
    expect(admin.page.locator("#company-name-in-force")).to_have_text("Acme Payments Ltd")
    admin.step("company name set by the admin, in German")
