"""The designer pages in Debian's Chromium: an invalid diagram shown with its diagnostic and the element marked,
the fixed one deployed; a bulk migration that the page's script runs batch after batch to 100 %.

Screenshots go to tests/webui/artifacts/ (not in git), next to those of the other browser tests.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from playwright.sync_api import Browser, expect

from tests.conftest import DatabaseUnderTest
from tests.designer.test_web_migration import setup_instances, versions_now
from tests.designer.web_support import BROKEN, FIXED
from tests.webui.browser_support import Shots, base_url, browser, open_page, sign_in

__all__ = ["base_url", "browser"]  # fixtures, used by name


def bpmn(name: str, text: str) -> dict[str, object]:
    return {"name": name, "mimeType": "application/xml", "buffer": text.encode()}


def test_designer_fixes_a_rejected_diagram_and_deploys_it(
    browser: Browser, base_url: str, database: DatabaseUnderTest
) -> None:
    shot = Shots(database.backend)
    context, page, errors = open_page(browser)

    sign_in(page, base_url, "designer")
    page.click("header nav >> text=Process design")
    expect(page.locator("h1")).to_have_text("Deployed processes")
    page.click("nav.cockpit-tabs >> text=Upload diagrams")

    page.set_input_files("#files", [bpmn("refund.bpmn", BROKEN)])
    page.click("#check-and-deploy")
    expect(page.locator(".flash-error")).to_contain_text("Nothing was deployed")
    expect(page.locator(".verdict-rejected")).to_have_text("rejected")
    row = page.locator('table.diagnostics tr[data-element-id="s1"]')
    expect(row).to_contain_text("missing-implementation")
    expect(row).to_contain_text("serviceTask")
    marked = page.locator('.upload-diagram svg g.error[data-element-id="s1"]')
    expect(marked).to_be_visible()
    expect(page.locator(".upload-diagram svg g.error")).to_have_count(1)
    stroke = marked.locator("rect").first.evaluate("node => getComputedStyle(node).stroke")
    assert stroke == "rgb(198, 40, 40)"  # red, not the default dark outline
    assert marked.locator("title").text_content().startswith("error: ")  # type: ignore[union-attr]
    row.locator("a.element-link").click()
    assert page.url.endswith("#file0-s1")
    shot(page, "designer-01-upload-rejected")

    page.set_input_files("#files", [bpmn("refund.bpmn", FIXED)])
    page.click("#check-and-deploy")
    expect(page.locator(".flash-success")).to_have_text("Deployed.")
    expect(page.locator(".verdict-deployable")).to_be_visible()
    expect(page.locator(".upload-diagram svg g.error")).to_have_count(0)
    shot(page, "designer-02-upload-deployed")
    page.click(".deployed a")
    expect(page.locator("h1")).to_contain_text("version 1")
    expect(page.locator('.diagram svg g[data-element-id="s1"]')).to_be_visible()
    shot(page, "designer-03-version")
    # The refused deploy answers 422 (the page with the diagnostics); Chromium logs that status, nothing else.
    assert [e for e in errors if "422" not in e] == []
    context.close()


def test_bulk_migration_runs_its_batches_with_the_script(
    browser: Browser, base_url: str, database: DatabaseUnderTest, app: Flask, now: datetime
) -> None:
    movable, blocked = setup_instances(app, now, 7)
    app.config["DESIGNER_MIGRATION_BATCH"] = 2
    shot = Shots(database.backend)
    context, page, errors = open_page(browser)

    sign_in(page, base_url, "designer")
    page.goto(f"{base_url}/designer/migrate/")
    page.select_option("#process", "p")
    page.click("form.migration-choice button[type=submit]")
    page.select_option("#from", "1")
    page.select_option("#to", "2")
    page.click("form.migration-choice button[type=submit]")
    expect(page.locator("#movable-count")).to_have_text("7")
    expect(page.locator(f'tr[data-instance-id="{blocked}"]')).to_contain_text("reads 'refund'")
    shot(page, "designer-04-dry-run")
    page.click("#migrate-all")
    expect(page.locator("#migration-finished")).to_be_visible()
    expect(page.locator("#p-percent")).to_have_text("100")
    expect(page.locator("#p-moved")).to_have_text("7")
    expect(page.locator("#p-not-moved")).to_have_text("1")
    assert page.locator("#migration-bar").evaluate("bar => bar.value === bar.max")
    shot(page, "designer-05-migrated")
    assert versions_now(app) == {**{i: 2 for i in movable}, blocked: 1}
    assert errors == []
    context.close()
