"""The admin's data protection pages and the audit log in Debian's Chromium, without JavaScript tricks.

Screenshots go to tests/webui/artifacts/ (not in git), next to those of the other browser tests.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from playwright.sync_api import Browser, expect

from tests.conftest import DatabaseUnderTest
from tests.privacy.support import close
from tests.webui.browser_support import Shots, base_url, browser, open_page, sign_in
from tests.webui.support import Seeded

__all__ = ["base_url", "browser"]  # fixtures, used by name


def test_admin_erases_a_customer_and_finds_it_in_the_audit_log(
    browser: Browser, base_url: str, seeded: Seeded, database: DatabaseUnderTest, now: datetime
) -> None:
    with database.session() as session:
        close(session, seeded.complaints["delivery"], now - timedelta(minutes=5))
    shot = Shots(database.backend)
    context, page, errors = open_page(browser)

    sign_in(page, base_url, "admin")
    page.click("header nav >> text=Cockpit")
    page.click("nav.cockpit-tabs >> text=Data protection")
    page.fill("#q", "schulz@example.org")
    page.click("form.filters button[type=submit]")
    rows = page.locator("table.tasks tbody tr")
    expect(rows).to_have_count(1)
    rows.first.locator("a").click()
    expect(page.locator("h1")).to_contain_text("Herr Schulz")
    shot(page, "privacy-01-customer")
    page.check("input[name=confirm]")
    page.once("dialog", lambda dialog: dialog.accept())  # app.js asks before a destructive button
    page.click("text=Erase the customer")
    expect(page.locator(".flash-success")).to_contain_text("keep their statistics under the pseudonym")
    expect(page.locator("h1")).not_to_contain_text("Schulz")
    shot(page, "privacy-02-erased")

    page.click("text=Data protection entries in the audit log")
    expect(page.locator("h1")).to_have_text("Audit log")
    expect(page.locator("table.audit-log tbody tr")).to_have_count(1)
    expect(page.locator("table.audit-log tbody tr").first).to_contain_text("customer_erased")
    shot(page, "privacy-03-audit-log")
    assert errors == []
    context.close()
