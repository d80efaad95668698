"""Journey 11: the manager, as the compliance function, reads the complaint register and the regulators' returns.

A payment-services complaint goes through the shipped process (receipt, refund partly upheld, final response,
feedback, closure with its product group); the manager finds it in the register with its letter dates, downloads
the register, opens the FCA return for today, follows a figure to the complaints it counts, and sees the accesses
in the audit log.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import expect

from tests.journeys.journey import Journey
from tests.journeys.shipped import ShippedApp
from tests.journeys.steps import api_complaint, complete_as, engine_rest


def test_compliance(journey: Callable[..., Journey], shipped: ShippedApp, tmp_path: Path) -> None:
    subject = "Card payment booked twice at the terminal"
    created = api_complaint(shipped, subject=subject, description="My card payment of 35 EUR was booked twice.")
    reference = created["reference"]
    complete_as(
        shipped, reference, "handle_complaint",
        {"next_step": "resolve", "customer_message": "We are checking the double booking."},
    )  # fmt: skip
    complete_as(
        shipped, reference, "propose_resolution",
        {"resolution_type": "refund", "resolution_amount": 35, "outcome": "partly_upheld",
         "resolution_summary": "We refund the second booking of 35 EUR."},
    )  # fmt: skip
    feedback = {"csat": {"value": 4}}
    engine_rest(shipped, "POST", "/message", {"messageName": "feedback_received", "businessKey": reference,
                                              "processVariables": feedback}, user="lead")  # fmt: skip
    complete_as(
        shipped, reference, "close_complaint", {"root_cause": "system_error", "product_group": "payment_services"}
    )
    today = datetime.now(UTC).date().isoformat()

    manager = journey("manager")
    page = manager.page
    manager.sign_in("manager")
    page.locator(".cockpit-tabs").get_by_role("link", name="Complaint register").click()
    expect(page.locator("h1")).to_contain_text("Complaint register")
    page.select_option("#product_group", "payment_services")
    page.get_by_role("button", name="Filter").click()
    row = page.locator("tbody tr", has_text=reference)
    expect(row).to_contain_text("Payment services and e-money")
    expect(row).to_contain_text("Partly upheld")
    expect(row).to_contain_text("System error")
    cells = row.locator("td").all_inner_texts()
    # Acknowledged and final response are dated (the receipt and the outcome went out by e-mail).
    assert cells[11] != "–" and cells[13] != "–", cells
    manager.step("register filtered to payment services")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export as CSV").click()
    saved = tmp_path / "register.csv"
    download_info.value.save_as(saved)
    rows = list(csv.reader(saved.open(encoding="utf-8")))
    assert rows[0][0] == "reference" and reference in [r[0] for r in rows[1:]], rows
    assert {r[rows[0].index("product_group")] for r in rows[1:]} == {"payment_services"}

    page.locator(".cockpit-tabs").get_by_role("link", name="Returns").click()
    form = page.get_by_role("form", name="FCA complaints return (DISP 1 Annex 1R)")
    form.locator("input[name=start]").fill(today)
    form.locator("input[name=end]").fill(today)
    form.get_by_role("button", name="Show return").click()
    expect(page.locator("h1")).to_contain_text("FCA complaints return")
    # The complaint was received today, answered within 3 business days and partly upheld; other payment-services
    # complaints of the demo data may count beside it. Each figure lists exactly the complaints it counts.
    closed = page.locator('a[data-figure="payment_services:closed"]')
    expect(closed).not_to_have_text("0")
    manager.step("FCA return for today")
    # The cause table follows processes/regulation/returns.toml (system_error -> "Service and administration").
    causes = page.locator("#return-causes")
    expect(causes).to_contain_text("Payment services and e-money")
    expect(causes).to_contain_text("Service and administration")
    expect(page.locator("#nil-return")).to_have_text("no")
    manager.step("cause table and context of the return")
    for measure in ("received", "closed_3_days", "upheld"):
        figure = page.locator(f'a[data-figure="payment_services:{measure}"]')
        count = int(figure.inner_text())
        figure.click()
        expect(page.locator("tbody tr")).to_have_count(count)
        expect(page.locator("tbody")).to_contain_text(reference)
        page.go_back()
    closed.click()
    expect(page.locator("tbody")).to_contain_text(reference)
    manager.step("the complaints behind a figure")

    manager.goto("/audit/?action=return_viewed")
    expect(page.locator("tbody tr").first).to_contain_text("Return viewed")
    manager.goto("/audit/?action=register_exported")
    expect(page.locator("tbody tr").first).to_contain_text("Complaint register exported")
    manager.step("every access is in the audit log")
