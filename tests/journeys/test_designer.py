"""Journey: a process designer checks the shipped classification table on the upload page and tries it
in the test panel (sample inputs, result, matched rule), including a value of the wrong type."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from tests.journeys.journey import Journey
from tests.journeys.shipped import ShippedApp

CLASSIFICATION = Path(__file__).resolve().parents[2] / "processes" / "complaint_classification.dmn"


def test_designer_tries_a_decision_table(journey: Callable[..., Journey], shipped: ShippedApp) -> None:
    designer = journey("designer")
    page = designer.page
    designer.sign_in("designer")
    designer.goto("/designer/upload")
    expect(page.locator("h1")).to_contain_text("Upload diagrams")
    page.set_input_files("input[type=file]", str(CLASSIFICATION))
    page.locator("#check-only").click()
    panel = page.locator(".decision-trial").first
    expect(panel.locator("h3")).to_contain_text("Test the decision Complaint classification")
    designer.step("checked: the test panel")

    panel.get_by_label("category").fill("delivery")
    panel.get_by_label("amount").fill("2500")
    panel.get_by_label("customer_segment").fill("private")
    panel.get_by_label("channel").fill("web")
    panel.get_by_label("severe").fill("false")
    panel.get_by_role("button", name="Evaluate").click()
    expect(page.locator(".trial-result")).to_contain_text("Result")
    matched = page.locator("tr.matched")
    expect(matched).to_have_count(1)
    expect(matched.locator(".matched-mark")).to_have_text("matched")
    designer.step("evaluated: result and matched rule")

    with designer.bad_input(400, "amount: “much” is not a value of type number."):
        page.get_by_label("amount").fill("much")
        page.get_by_role("button", name="Evaluate").click()
    expect(page.get_by_label("amount")).to_have_value("much")
    expect(page.locator("tr.matched")).to_have_count(0)
    designer.step("a wrong value is refused, what was typed stays")
