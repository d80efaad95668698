"""Journeys 1 and 2: the customer on the web, by e-mail and through the REST API, on the shipped set-up."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from tests.journeys.journey import Journey
from tests.journeys.shipped import ShippedApp

REFERENCE = re.compile(r"C-\d{4}-\d{6}")


def open_tasks(shipped: ShippedApp, instance_id: int) -> list[dict[str, object]]:
    lines = shipped.cli("tasks", "--instance", str(instance_id), "--json").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def newest_instance(shipped: ShippedApp) -> int:
    lines = [json.loads(line) for line in shipped.cli("tasks", "--json").splitlines() if line.strip()]
    return max(int(str(task["instance_id"])) for task in lines)


def complete_as_agent(shipped: ShippedApp, instance_id: int, element: str, data: dict[str, object]) -> None:
    """The agent's side, done on the command line: this journey is the customer's."""
    task = next(task for task in open_tasks(shipped, instance_id) if task["element_id"] == element)
    agent = ("--as-user", "agent", "--group", "agent", "--role", "agent")
    shipped.cli(*agent, "claim", str(task["id"]))
    shipped.cli(*agent, "complete", str(task["id"]), "--data", json.dumps(data))


def test_customer_on_the_web(journey: Callable[..., Journey], shipped: ShippedApp, tmp_path: Path) -> None:
    customer = journey("customer")
    page = customer.page
    customer.goto("/")
    customer.step("start page")
    page.get_by_role("link", name="Submit a complaint").click()
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
    complete_as_agent(
        shipped, instance_id, "handle_complaint",
        {"next_step": "resolve", "customer_message": "We are sorry about the kettle and will sort it out."},
    )  # fmt: skip
    complete_as_agent(
        shipped, instance_id, "propose_resolution",
        {"resolution_type": "replacement", "resolution_amount": 0, "outcome": "upheld",
         "resolution_summary": "We are sending you a new kettle this week."},
    )  # fmt: skip

    customer.goto(link)
    expect(page.locator("#rate")).to_be_visible()
    customer.step("resolved, asked for a rating")
    page.select_option("select[name=csat]", "4")
    page.select_option("select[name=nps]", "9")
    page.fill("#rate textarea[name=comment]", "Quick and friendly.")
    page.locator("#rate button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    customer.step("rated")
