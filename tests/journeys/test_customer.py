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
from tests.journeys.steps import api_complaint, complete_as, group_task, wait_for_mail

REFERENCE = re.compile(r"C-\d{4}-\d{6}")


def portal_looks_right(customer: Journey) -> None:
    """The portal's header at 390 px: links side by side (not one per line), no list dots, the favicon."""
    page = customer.page
    icon = page.locator("link[rel=icon]").get_attribute("href")
    answer = page.request.get(f"{customer.base_url}{icon}")
    assert answer.status == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    page.set_viewport_size({"width": 390, "height": 900})
    try:
        header = page.locator("header.portal-bar")
        dots = header.locator("li").evaluate_all("items => items.map(li => getComputedStyle(li).listStyleType)")
        assert set(dots) == {"none"}, dots
        boxes = [box for box in (a.bounding_box() for a in header.locator("a").all()) if box]
        middles = sorted(box["y"] + box["height"] / 2 for box in boxes)
        rows = 1 + sum(1 for upper, lower in zip(middles, middles[1:], strict=False) if lower - upper > 8)
        assert rows <= 3, f"the portal header's {len(middles)} links take {rows} rows"
        height = header.bounding_box()
        assert height is not None and height["height"] <= 130, height
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def test_customer_on_the_web(journey: Callable[..., Journey], shipped: ShippedApp, tmp_path: Path) -> None:
    """Journey 1: from `/` to the complaint form by clicking, submit with an attachment, the status link shown and
    mailed, more information, the rating after the resolution; German on every portal page on the way."""
    customer = journey("customer")
    page = customer.page
    customer.goto("/")
    portal_looks_right(customer)
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
    staff.page.locator("header nav").get_by_role("link", name="Mails").click()
    expect(staff.page.locator("main tbody tr").first).to_be_visible()  # the demo data's mails are there
    staff.step("mails from the menu")
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

    complete_as(
        shipped, reference.group(0), "handle_complaint",
        {"next_step": "resolve", "customer_message": "We are sorry about the kettle and will sort it out."},
    )  # fmt: skip
    complete_as(
        shipped, reference.group(0), "propose_resolution",
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
    """Journey 2: on the default configuration a mail to the intake listener and a POST to the REST API each
    create a complaint whose first task waits in the agents' group list."""
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
    # Without an SMTP server the mails go to the local mail catcher, read in the app; nothing tries localhost:25.
    assert f"mails are kept by a local mail catcher: read them at {shipped.base_url}/mails/" in said
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
    expect(agent.page.locator(".mail-text")).to_contain_text(f"{shipped.base_url}/portal/status/")
    agent.step("receipt of the mailed complaint")
    said = shipped.server_output()
    assert not re.search(r"(localhost|127\.0\.0\.1):25\b|Connection refused", said), said
