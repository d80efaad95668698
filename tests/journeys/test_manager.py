"""Journey 7: the manager starts on the dashboard and suspends, resumes and cancels a process instance."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests.journeys.journey import Journey
from tests.journeys.shipped import ShippedApp
from tests.journeys.steps import api_complaint, newest_instance


def test_manager(journey: Callable[..., Journey], shipped: ShippedApp) -> None:
    api_complaint(
        shipped, subject="Spam calls after signing the contract", description="Since the contract I get calls."
    )
    instance_id = newest_instance(shipped)
    manager = journey("manager")
    page = manager.page
    manager.sign_in("manager")
    expect(page.locator("h1")).to_contain_text("KPI dashboard")
    manager.step("lands on the dashboard")

    manager.goto(f"/cockpit/instances/{instance_id}")
    expect(page.locator("h1")).to_contain_text(f"Instance {instance_id}")
    manager.step("instance")
    # Reassigning offers only people who may work the task (the agents), nothing chosen beforehand.
    choice = page.locator("select[id^=reassign-]").first
    users = choice.locator("optgroup").first.locator("option").all_inner_texts()
    assert "agent" in users and "lead" in users and not {"admin", "designer", "manager"} & set(users)
    expect(choice).to_have_value("")
    page.fill("#suspend-reason", "Customer asked us to wait until Monday.")
    page.locator("#suspend").click()
    expect(page.locator("main")).to_contain_text("The instance is suspended")
    manager.step("suspended")
    page.locator("#resume").click()
    expect(page.locator("main")).to_contain_text("The instance is resumed")
    manager.step("resumed")

    page.locator("#cancel-instance").click()
    expect(page.locator("h1")).to_contain_text(f"Cancel instance {instance_id}?")
    manager.step("cancel: one confirmation page")
    page.fill("#reason", "Duplicate of an earlier complaint.")
    page.locator("#confirm-cancel").click()
    expect(page.locator("main")).to_contain_text("The instance is cancelled")
    manager.step("cancelled")
