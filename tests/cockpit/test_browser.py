"""The cockpit in Debian's Chromium: the dashboard's charts and an instance diagram with the active task marked.

Screenshots go to tests/webui/artifacts/ (not in git), next to those of the other browser tests.
"""

from __future__ import annotations

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from engine.store.complaints import Complaint
from engine.store.models import HumanTask
from tests.conftest import DatabaseUnderTest
from tests.webui.browser_support import Shots, base_url, browser, open_page, sign_in
from tests.webui.support import Seeded

__all__ = ["base_url", "browser"]  # fixtures, used by name


def test_manager_reads_the_dashboard_and_an_instance_diagram(
    browser: Browser, base_url: str, seeded: Seeded, database: DatabaseUnderTest
) -> None:
    with database.session() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.reference == seeded.complaints["billing"])).one()
        task = session.get(HumanTask, seeded.tasks["billing"])
        assert task is not None
        instance_id, element_id = complaint.instance_id, task.element_id
    shot = Shots(database.backend)
    context, page, errors = open_page(browser)

    sign_in(page, base_url, "manager")
    page.click("header nav >> text=Cockpit")
    expect(page.locator("h1")).to_contain_text("KPI dashboard")
    expect(page.locator("#kpi-created")).to_have_text("4")
    expect(page.locator("#chart-over_time svg.chart polyline")).to_have_count(3)  # new, closed, open
    expect(page.locator("#chart-category svg.chart rect")).to_have_count(2)  # billing, delivery
    shot(page, "cockpit-01-dashboard")

    # Find the complaint's instance by its number and open the diagram.
    page.click("nav.cockpit-tabs >> text=Instances")
    page.fill("#q", seeded.complaints["billing"])
    page.click("form.filters button[type=submit]")
    rows = page.locator("table.tasks tbody tr")
    expect(rows).to_have_count(1)
    rows.first.locator("a").click()
    expect(page.locator("h1")).to_contain_text(f"Instance {instance_id}")
    active = page.locator(f'.diagram svg g.active[data-element-id="{element_id}"]')
    expect(active).to_be_visible()
    expect(page.locator(".diagram svg g.active")).to_have_count(1)  # only the open task is active
    stroke = active.locator("rect").first.evaluate("node => getComputedStyle(node).stroke")
    assert stroke == "rgb(21, 101, 192)"  # the active blue, not the default dark outline
    shot(page, "cockpit-02-instance")
    assert errors == []
    context.close()
