"""Journeys 1 and 2: the customer on the web, by e-mail and through the REST API, on the shipped set-up."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from playwright.sync_api import expect

from tests.journeys.journey import Journey
from tests.journeys.shipped import ShippedApp
from tests.journeys.steps import api_complaint, complete_on_cli, group_task, newest_instance, wait_for_mail

REFERENCE = re.compile(r"C-\d{4}-\d{6}")


def test_customer_on_the_web(journey: Callable[..., Journey], shipped: ShippedApp, tmp_path: Path) -> None:
    customer = journey("customer")
    page = customer.page
    customer.goto("/")
    customer.step("start page")
    page.get_by_role("link", name="Deutsch").click()
    page.get_by_role("link", name="Reklamation einreichen").click()
    # Wrong input the browser lets through (a blank subject): the form comes back in German with what was typed.
    page.fill("input[name=customer_name]", "Paula Web")
    page.fill("input[name=customer_email]", "paula.web@example.org")
    page.fill("input[name=subject]", "   ")
    page.fill("textarea[name=description]", "Der Wasserkocher ist undicht.")
    with customer.bad_input(400, "Bitte korrigieren Sie die markierten Felder."):
        page.get_by_role("button", name="Absenden").click()
    expect(page.locator("main")).to_contain_text("Bitte ausfüllen.")
    expect(page.locator("input[name=customer_name]")).to_have_value("Paula Web")
    expect(page.locator("textarea[name=description]")).to_have_value("Der Wasserkocher ist undicht.")
    customer.step("German form: bad input, German messages, values kept")
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_contain_text("Tell us what went wrong")
    customer.step("complaint form")

    page.fill("input[name=customer_name]", "Paula Web")
    page.fill("input[name=customer_email]", "paula.web@example.org")
    page.select_option("select[name=category]", index=1)
    page.fill("input[name=subject]", "Kettle leaks after two days")
    page.fill("textarea[name=description]", "The kettle I bought leaks from the bottom. Photo attached.")
    photo = tmp_path / "kettle.txt"
    photo.write_text("a photo of the leaking kettle, in words")
    page.set_input_files("input[name=attachments]", str(photo))
    page.get_by_role("button", name="Send").click()
    expect(page.locator("h1")).to_contain_text("Thank you")
    customer.step("submitted")
    reference = REFERENCE.search(page.locator("main").inner_text())
    assert reference is not None
    status_link = page.locator("main a[href*='/status/']")
    link = status_link.get_attribute("href")
    assert link and reference.group(0) in link

    # The same link arrives by mail: staff read the local mail catcher's mails in the app (make run, no SMTP).
    staff = journey("staff-reading-mail")
    staff.sign_in("agent")
    wait_for_mail(staff, "paula.web@example.org", reference.group(0))
    staff.step("receipt mail")
    mailed = staff.page.locator(".mail-text a[href*='/portal/status/']")
    assert mailed.get_attribute("href") == f"{shipped.base_url}{link}"

    status_link.click()
    expect(page.locator("h1")).to_contain_text(reference.group(0))
    customer.step("status page")

    page.fill("textarea[name=text]", "The order number is 4711-22.")
    page.locator("form[action$='/info'] button[type=submit]").click()
    expect(page.get_by_role("status")).to_contain_text("added your information")
    customer.step("information added")
    page.get_by_role("link", name="Deutsch").click()
    expect(page.locator("h1")).to_contain_text("Ihre Reklamation")
    customer.step("status page in German")

    instance_id = newest_instance(shipped)
    complete_on_cli(
        shipped, instance_id, "handle_complaint",
        {"next_step": "resolve", "customer_message": "We are sorry about the kettle and will sort it out."},
    )  # fmt: skip
    complete_on_cli(
        shipped, instance_id, "propose_resolution",
        {"resolution_type": "replacement", "resolution_amount": 0, "outcome": "upheld",
         "resolution_summary": "We are sending you a new kettle this week."},
    )  # fmt: skip

    customer.goto(link)
    expect(page.locator("#rate")).to_be_visible()
    # The history shows every message sent to the customer and the resolution.
    expect(page.locator(".timeline")).to_contain_text("We are sorry about the kettle")
    expect(page.locator(".timeline")).to_contain_text("Resolved: We are sending you a new kettle this week.")
    customer.step("resolved, asked for a rating")
    page.select_option("select[name=csat]", "4")
    page.select_option("select[name=nps]", "9")
    page.fill("#rate textarea[name=comment]", "Quick and friendly.")
    page.locator("#rate button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    customer.step("rated")


def test_customer_by_mail_and_api(journey: Callable[..., Journey], shipped: ShippedApp) -> None:
    mail = EmailMessage()
    mail["From"] = "Max Mail <max.mail@example.org>"
    mail["To"] = "complaints@localhost"
    mail["Subject"] = "Invoice 2026-118 charged twice"
    mail.set_content("Hello,\n\nmy credit card was charged twice for invoice 2026-118. Please refund one.\n\nMax")
    # `complaintflow run` (make run) listens for mail itself, from before it serves pages: nothing else is started.
    # The first command says where everything is: the portal beside the staff sign-in, and the mail intake.
    said = shipped.server_output()
    assert f"customer portal:  {shipped.base_url}/portal/" in said
    assert f"staff sign-in:    {shipped.base_url}/sign-in" in said
    assert f"complaints by e-mail:  smtp://127.0.0.1:{shipped.intake_port}" in said
    with smtplib.SMTP("127.0.0.1", shipped.intake_port, timeout=30) as smtp:
        smtp.send_message(mail)

    created = api_complaint(
        shipped,
        customer_name="Anton API",
        customer_email="anton.api@example.org",
        subject="Router arrived without power supply",
        description="The router from order 5531 came without its power supply.",
    )
    assert REFERENCE.fullmatch(created["reference"])
    assert created["status_link"].startswith(f"{shipped.base_url}/portal/status/")

    customer = journey("api-customer")
    customer.goto(created["status_link"])
    expect(customer.page.locator("h1")).to_contain_text(created["reference"])
    customer.step("status page from the API link")

    agent = journey("agent")
    agent.sign_in("agent")
    group_task(agent, "Invoice 2026-118 charged twice")
    agent.step("mailed complaint in the group list")
    group_task(agent, "Router arrived without power supply")
    agent.step("API complaint in the group list")
    wait_for_mail(agent, "max.mail@example.org", "")
    expect(agent.page.locator(".mail-text")).to_contain_text("/portal/status/")
    agent.step("receipt of the mailed complaint")


def test_faq_in_the_readers_language(journey: Callable[..., Journey]) -> None:
    """Journey 9, the portal's part: published FAQ entries in the reader's language (demo data ships EN and DE)."""
    reader = journey("faq-reader")
    reader.goto("/")
    reader.page.get_by_role("link", name="Frequently asked questions").first.click()
    main = reader.page.locator("main")
    expect(main).to_contain_text("How long does a refund take?")
    expect(main).not_to_contain_text("Wie lange dauert eine Erstattung?")
    expect(main).not_to_contain_text("Double debit")  # internal articles stay internal
    reader.step("FAQ in English")
    reader.page.get_by_role("link", name="Deutsch").click()
    expect(main).to_contain_text("Wie lange dauert eine Erstattung?")
    expect(main).not_to_contain_text("How long does a refund take?")
    reader.step("FAQ in German")

    german = journey("german-reader", locale="de-DE")
    german.goto("/portal/faq")
    expect(german.page.locator("main")).to_contain_text("Meine Lieferung kam beschädigt an")
    german.step("FAQ for a German browser")
