"""A Camunda Form in Debian's Chromium: the designer deploys a diagram with its linked .form on the upload page,
the agent fills the task's form, is refused with a message beside the wrong field (what was typed stays), fixes
it and completes the task; the values are the instance's variables with their types."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from playwright.sync_api import Browser, expect

from engine.services.instances import lifecycle as instances
from engine.store.models import HumanTask, ProcessInstance
from tests.camunda8.test_camunda_form_page import app
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import ADMIN
from tests.webui.browser_support import Shots, base_url, browser, open_page, sign_in, sign_out

__all__ = ["app", "base_url", "browser"]  # fixtures, used by name
FORMS = Path(__file__).resolve().parent / "forms"


def _file(name: str) -> dict[str, object]:
    return {"name": name, "mimeType": "application/octet-stream", "buffer": (FORMS / name).read_bytes()}


def test_agent_fills_a_camunda_form_fixes_a_wrong_value_and_completes(
    browser: Browser, base_url: str, database: DatabaseUnderTest, now: datetime
) -> None:
    shot = Shots(database.backend)
    context, page, errors = open_page(browser)
    sign_in(page, base_url, "designer")
    page.goto(f"{base_url}/designer/upload")
    page.set_input_files("#files", [_file("dispute_review.bpmn"), _file("dispute_review.form")])
    page.click("#check-and-deploy")
    expect(page.locator(".flash-success")).to_have_text("Deployed.")
    sign_out(page)

    with database.session() as session:
        variables = {"customerName": "Ada Lovelace", "channels": ["letter", "email"]}
        instance_id = instances.start_instance(session, ADMIN, "dispute_review", variables, now).id
        task_id = session.query(HumanTask).filter_by(instance_id=instance_id).one().id
    sign_in(page, base_url, "agent")
    page.goto(f"{base_url}/task/{task_id}")
    expect(page.locator(".c8-text")).to_contain_text("Check the customer's claim for Ada Lovelace.")
    page.get_by_label("Summary").fill("Card used abroad")
    page.get_by_label("Refund amount").fill("99.999")
    page.get_by_label("Urgent").check()
    page.get_by_label("Receipt").check()
    page.get_by_label("Accept").check()
    page.get_by_label("Reply channel").select_option("email")
    page.get_by_label("Tags").select_option(["fraud", "chargeback"])
    page.get_by_label("Decided on").fill("2026-12-01")
    page.get_by_label("E-mail").fill("ada@example.org")
    page.get_by_label("Position").fill("Hotel")
    page.get_by_role("button", name="Add an entry").click()
    expect(page.locator("#c8-positions-1-name")).to_be_visible()
    expect(page.locator("#c8-positions-0-name")).to_have_value("Hotel")  # kept across the added entry
    page.locator("#c8-positions-1-name").fill("Taxi")
    page.locator("#c8-positions-1-amount").fill("12")
    page.get_by_role("button", name="Complete task", exact=True).last.click()

    expect(page.locator("#c8-amount-error")).to_have_text("must have at most 2 decimal places")
    expect(page.locator("#c8-amount")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Summary")).to_have_value("Card used abroad")
    expect(page.get_by_label("Urgent")).to_be_checked()
    expect(page.get_by_label("Reply channel")).to_have_value("email")
    expect(page.locator("#c8-positions-1-name")).to_have_value("Taxi")
    shot(page, "camunda-form-01-refused")

    page.get_by_label("Refund amount").fill("99.95")
    page.get_by_role("button", name="Complete task", exact=True).last.click()
    expect(page.locator(".flash-success")).to_contain_text("completed")
    with database.session() as session:
        data = session.get(ProcessInstance, instance_id).variables  # type: ignore[union-attr]
    assert (data["summary"], data["amount"], data["urgent"], data["decision"]) == (
        "Card used abroad",
        99.95,
        True,
        "accept",
    )
    assert (data["checks"], data["tags"], data["channel"]) == (["receipt"], ["fraud", "chargeback"], "email")
    assert data["positions"] == [{"name": "Hotel", "amount": None}, {"name": "Taxi", "amount": 12}]
    assert data["contact"]["email"] == "ada@example.org" and data["decidedOn"] == "2026-12-01"
    assert [error for error in errors if "status of 422" not in error] == []  # the refusal's status, expected
    context.close()
