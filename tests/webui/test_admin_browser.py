"""The administration pages in a real browser (Debian's Chromium via Playwright), one journey per page."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from flask import Flask
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from engine.store.channels import WebhookEndpoint
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import deploy_paths
from tests.notifications.helpers import SmtpServer
from tests.sla.helpers import open_sla_complaint
from tests.sla.test_sla_targets_admin import PROCESSES
from tests.webui.browser_support import Shots, base_url, browser, open_page, sign_in
from tests.webui.test_admin_mail import use_smtp
from tests.webui.test_admin_webhooks import failed_delivery

__all__ = ["base_url", "browser"]  # fixtures, used by name


def test_admin_keeps_a_business_calendar_in_the_browser(
    browser: Browser, base_url: str, database: DatabaseUnderTest, now: datetime
) -> None:
    with database.session() as session:
        open_sla_complaint(session, now)
    shot = Shots(database.backend)
    context, page, errors = open_page(browser)
    sign_in(page, base_url, "admin")
    page.click("header nav >> text=Administration")
    page.click("nav.cockpit-tabs >> text=Business calendars")
    expect(page.locator("h1")).to_have_text("Business calendars")
    expect(page.locator("#calendars")).to_contain_text("24/7")
    # Copy the built-in default calendar into the database and shorten Friday.
    page.click("#calendars tr:has-text('default') >> text=copy to edit")
    expect(page.locator("#name")).to_have_value("default")
    expect(page.locator("#week_0")).to_have_value("08:00-17:00")
    page.fill("#week_4", "08:00-13:00")
    page.fill("#closing_days", "2026-12-24\nnot a date")
    page.click("#calendar-form button.primary")
    expect(page.locator("#closing_days-error")).to_have_text("must be a date (YYYY-MM-DD)")
    page.fill("#closing_days", "2026-12-24")
    page.click("#calendar-form button:has-text('Preview')")
    expect(page.locator("#preview")).to_contain_text("Christmas Day")
    expect(page.locator("#preview")).to_contain_text("company closing day")
    shot(page, "admin-calendar-form")
    page.click("#calendar-form button.primary")
    expect(page.locator(".flash-success")).to_contain_text("Calendar default saved (version 1).")
    # The dry run counts the running deadline; keeping them changes nothing, recomputing moves it.
    expect(page.locator("#dry-run")).to_contain_text("1 open complaint still counts on an earlier version of default.")
    page.click("text=Recompute now")
    expect(page.locator(".flash-success")).to_contain_text("Deadlines of 1 complaint recomputed.")
    expect(page.locator("#calendars tr:has-text('default')")).to_contain_text("database, version 1")
    shot(page, "admin-calendars")
    assert [error for error in errors if "status of 422" not in error] == []  # the refused form answers 422
    context.close()


def test_admin_creates_and_revokes_an_api_token_in_the_browser(
    browser: Browser, base_url: str, database: DatabaseUnderTest
) -> None:
    shot = Shots(database.backend)
    context, page, errors = open_page(browser)
    sign_in(page, base_url, "admin")
    page.click("header nav >> text=Administration")
    page.click("nav.cockpit-tabs >> text=API tokens")
    expect(page.locator("h1")).to_have_text("API tokens")
    page.fill("#name", "Helpdesk")
    page.select_option("#owner", "agent")
    page.select_option("#scope", "read")
    page.fill("#valid_until", "2027-06-30")
    page.click("#token-form button.primary")
    token = page.locator("#token-value").inner_text()
    assert token.startswith("cft_")
    row = page.locator("#tokens tr:has-text('Helpdesk')")
    expect(row).to_contain_text("agent")
    expect(row).to_contain_text("active")
    shot(page, "admin-api-tokens")
    page.reload()  # a reload does not post again: the token is gone from the page
    expect(page.locator("#token-value")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#tokens tr:has-text('Helpdesk') button:has-text('Revoke')")
    expect(page.locator(".flash-success")).to_contain_text("Token Helpdesk revoked")
    expect(page.locator("#tokens tr:has-text('Helpdesk')")).to_contain_text("revoked")
    assert errors == []
    context.close()


def test_admin_subscribes_a_webhook_and_retries_a_delivery_in_the_browser(
    browser: Browser, base_url: str, database: DatabaseUnderTest, now: datetime
) -> None:
    shot = Shots(database.backend)
    context, page, errors = open_page(browser)
    sign_in(page, base_url, "admin")
    page.click("header nav >> text=Administration")
    page.click("nav.cockpit-tabs >> text=Webhooks")
    expect(page.locator("h1")).to_have_text("Webhooks")
    page.fill("#url", "https://crm.example.org/hook")
    page.check("text=Complaint received")
    page.check("text=Escalation")
    page.fill("#description", "CRM")
    page.click("#webhook-form button.primary")
    expect(page.locator("#secret-value")).not_to_be_empty()
    row = page.locator("#endpoints tr:has-text('crm.example.org')")
    expect(row).to_contain_text("Complaint received, Escalation")
    expect(row).to_contain_text("active")
    with database.session() as session:
        endpoint_id = session.scalars(select(WebhookEndpoint.id)).one()
    delivery = failed_delivery(database, endpoint_id, now)
    page.click("#endpoints a:has-text('crm.example.org')")
    failed = page.locator(f"#deliveries tr[data-delivery='{delivery}']")
    expect(failed).to_contain_text("gave up")
    expect(failed).to_contain_text("401")
    shot(page, "admin-webhooks")
    failed.locator("button:has-text('Retry')").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Delivery {delivery} queued again.")
    expect(page.locator(f"#deliveries tr[data-delivery='{delivery}']")).to_contain_text("pending")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#endpoints button:has-text('Switch off')")
    expect(page.locator("#endpoints tr:has-text('crm.example.org')")).to_contain_text("off")
    assert errors == []
    context.close()


def test_admin_changes_an_sla_target_in_the_browser(
    browser: Browser, base_url: str, database: DatabaseUnderTest, now: datetime
) -> None:
    with database.session() as session:
        deploy_paths(session, now, *sorted(PROCESSES.glob("*.bpmn")), *sorted(PROCESSES.glob("*.dmn")))
    shot = Shots(database.backend)
    context, page, errors = open_page(browser)
    sign_in(page, base_url, "admin")
    page.click("header nav >> text=Administration")
    page.click("nav.cockpit-tabs >> text=SLA targets")
    expect(page.locator("h1")).to_have_text("SLA targets")
    chat_high = page.locator("#effective tr[data-channel='chat'] td[data-priority='high']")
    expect(chat_high).to_have_text("1 business hour / 1 business day (24/7)")
    page.fill("input[name='rule_2_first_response']", "soon")
    page.click("#rules-form button.primary")
    expect(page.locator("#rule_2_first_response-error")).to_contain_text("not a target such as")
    page.fill("input[name='rule_2_first_response']", "PT30M")
    page.click("#rules-form button.primary")
    expect(page.locator(".flash-success")).to_contain_text("SLA targets deployed: sla_targets v2")
    expect(chat_high).to_have_text("30 business minutes / 1 business day (24/7)")
    shot(page, "admin-sla-targets")
    assert [error for error in errors if "status of 422" not in error] == []
    context.close()


def test_admin_sends_a_test_mail_in_the_browser(
    browser: Browser, base_url: str, database: DatabaseUnderTest, app: Flask
) -> None:
    server = SmtpServer().start()
    try:
        use_smtp(app, server.port)
        app.extensions["complaintflow_channels"] = dataclasses.replace(
            app.extensions["complaintflow_channels"], smtp_user=None, smtp_password=None
        )
        shot = Shots(database.backend)
        context, page, errors = open_page(browser)
        sign_in(page, base_url, "admin")
        page.click("header nav >> text=Administration")
        page.click("nav.cockpit-tabs >> text=Mail")
        expect(page.locator("h1")).to_have_text("Mail")
        expect(page.locator("#outgoing")).to_contain_text(f"127.0.0.1:{server.port}")
        expect(page.locator("#intake")).to_contain_text("set (hidden)")
        page.fill("#to", "it@example.org")
        page.click("#test-form button.primary")
        expect(page.locator(".flash-success")).to_have_text("Test message sent to it@example.org.")
        shot(page, "admin-mail")
        assert len(server.recorder.to("it@example.org")) == 1
        assert errors == []
        context.close()
    finally:
        server.stop()
