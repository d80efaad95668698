"""The heatmap and suspend/resume in Debian's Chromium. Screenshots go to tests/webui/artifacts/ (not in git)."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from engine.store.models import HumanTask, ProcessInstance
from tests.conftest import DatabaseUnderTest
from tests.webui.browser_support import Shots, base_url, browser, open_page, sign_in
from tests.webui.support import Seeded

__all__ = ["base_url", "browser"]  # fixtures, used by name


def test_manager_reads_the_heatmap_then_suspends_and_resumes_an_instance(
    browser: Browser, base_url: str, seeded: Seeded, database: DatabaseUnderTest
) -> None:
    with database.session() as session:
        task = session.get(HumanTask, seeded.tasks["billing"])
        assert task is not None
        instance_id, element_id = task.instance_id, task.element_id
        rows = [session.get(HumanTask, task_id) for task_id in seeded.tasks.values()]
        waiting_here = sum(1 for row in rows if row is not None and row.element_id == element_id)
    shot = Shots(database.backend)
    context, page, errors = open_page(browser)

    sign_in(page, base_url, "manager")
    page.goto(f"{base_url}/cockpit/")
    page.click("nav.cockpit-tabs >> text=Heatmap")
    expect(page.locator("h1")).to_contain_text("Heatmap")
    heat = page.locator(f'.diagram svg g.heat[data-element-id="{element_id}"]')
    expect(heat).to_be_visible()
    expect(heat).to_have_attribute("data-waiting", str(waiting_here))
    expect(heat.locator("text.heat-figures")).to_contain_text(f"0 · {waiting_here} ·")
    expect(page.locator(f'#heatmap-table tr[data-element-id="{element_id}"] td').nth(2)).to_have_text(str(waiting_here))
    shot(page, "cockpit-03-heatmap")

    page.goto(f"{base_url}/cockpit/instances/{instance_id}")
    page.fill("#suspend-reason", "waiting for the legal department")
    page.click("#suspend")
    expect(page.locator(".flash-success")).to_contain_text("suspended")
    expect(page.locator("h1")).to_contain_text("suspended")
    expect(page.locator("#resume")).to_be_visible()
    shot(page, "cockpit-04-instance-suspended")
    with database.session() as session:
        instance = session.get(ProcessInstance, instance_id)
        assert instance is not None and instance.status == "suspended"

    page.click("#resume")
    expect(page.locator(".flash-success")).to_contain_text("resumed")
    expect(page.locator("#suspend")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("running")
    shot(page, "cockpit-05-instance-resumed")
    assert errors == []
    context.close()
