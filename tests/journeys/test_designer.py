"""Journey: a process designer checks the shipped classification table on the upload page and tries it
in the test panel (sample inputs, result, matched rule), including a value of the wrong type."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from tests.journeys.journey import Journey
from tests.journeys.shipped import ShippedApp
from tests.journeys.steps import api_complaint, complete_on_cli, newest_instance, open_tasks

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


HANDOVER = CLASSIFICATION.parent / "department_handover.bpmn"


def test_designer_fixes_a_broken_diagram_deploys_it_and_downloads_it(
    journey: Callable[..., Journey], shipped: ShippedApp, tmp_path: Path
) -> None:
    """Journey 8: a broken diagram is refused with the element and the problem; the fixed one deploys as a new
    version, whose file downloads and checks cleanly again."""
    designer = journey("designer-deploys")
    page = designer.page
    designer.sign_in("designer")
    page.get_by_role("link", name="Process design").click()
    page.get_by_role("link", name="Upload diagrams").first.click()
    text = HANDOVER.read_text(encoding="utf-8")
    broken = tmp_path / "department_handover.bpmn"
    broken.write_text(text.replace('reply_kind == "question"', 'reply_kind == = "question"'), encoding="utf-8")
    page.set_input_files("input[type=file]", str(broken))
    with designer.bad_input(422, "Nothing was deployed"):
        page.locator("#check-and-deploy").click()
    row = page.locator("table.diagnostics tr.sev-error").first
    expect(row).to_be_visible()
    element = row.get_attribute("data-element-id")
    assert element, "the error names no element"
    expect(page.locator(f"[data-element-id='{element}']").first).to_be_visible()
    designer.step("broken diagram: the error names the element and the problem")

    fixed = tmp_path / "fixed" / "department_handover.bpmn"
    fixed.parent.mkdir()
    fixed.write_text(text.replace('name="Department hand-over"', 'name="Department hand-over (v2)"'), encoding="utf-8")
    page.set_input_files("input[type=file]", str(fixed))
    page.locator("#check-and-deploy").click()
    expect(page.locator("section.deployed")).to_contain_text("(department_handover) · version 2")
    designer.step("fixed diagram deployed as a new version")

    page.locator("section.deployed a").first.click()
    expect(page.locator("main")).to_contain_text("department_handover")
    designer.step("the new version")
    with page.expect_download() as download:
        page.get_by_role("link", name="department_handover.bpmn").first.click()
    saved = tmp_path / "downloaded" / download.value.suggested_filename
    saved.parent.mkdir()
    download.value.save_as(saved)
    assert "Department hand-over (v2)" in saved.read_text(encoding="utf-8")
    # The downloaded file opens again: checked on the upload page, it has no error.
    page.get_by_role("link", name="Process design").click()
    page.get_by_role("link", name="Upload diagrams").first.click()
    page.set_input_files("input[type=file]", str(saved))
    page.locator("#check-only").click()
    expect(page.locator("main")).to_contain_text("department_handover.bpmn")
    expect(page.locator("table.diagnostics tr.sev-error")).to_have_count(0)
    designer.step("the downloaded file checks cleanly")


def _hand_over_on_cli(shipped: ShippedApp, subject: str) -> int:
    """A complaint through the API whose agent hands it over (journey 3's step, on the command line)."""
    api_complaint(shipped, subject=subject, description="The display stays dark after the update.")
    instance_id = newest_instance(shipped)
    complete_on_cli(
        shipped, instance_id, "handle_complaint",
        {"next_step": "handover", "customer_message": "We are asking our technical department about it."},
    )  # fmt: skip
    return instance_id


def _task_title(shipped: ShippedApp, instance_id: int, element: str) -> tuple[str, str]:
    task = next(task for task in open_tasks(shipped, instance_id) if task["element_id"] == element)
    return str(task["id"]), str(task["title"])


def test_designer_deploys_a_called_process_that_callers_use_from_the_next_call_on(
    journey: Callable[..., Journey], shipped: ShippedApp, tmp_path: Path
) -> None:
    """Journey 8: a new version of department_handover (called by complaint_case_work, itself called by
    complaint_handling) runs from the next hand-over on, as Camunda's default binding (latest) does; a
    hand-over already under way finishes on the version it started with."""
    before = _hand_over_on_cli(shipped, "Dark display, handed over before the new version")
    _, title = _task_title(shipped, before, "describe_handover")
    assert title == "Describe hand-over"

    designer = journey("designer-called")
    page = designer.page
    designer.sign_in("designer")
    page.get_by_role("link", name="Process design").click()
    page.get_by_role("link", name="Upload diagrams").first.click()
    changed = tmp_path / "department_handover.bpmn"
    changed.write_text(
        HANDOVER.read_text(encoding="utf-8").replace('name="Describe hand-over"', 'name="Brief the department"'),
        encoding="utf-8",
    )
    page.set_input_files("input[type=file]", str(changed))
    page.locator("#check-and-deploy").click()
    expect(page.locator("section.deployed")).to_contain_text("(department_handover) · version")
    designer.step("new version of the called process deployed")

    after = _hand_over_on_cli(shipped, "Dark display, handed over after the new version")
    task_id, title = _task_title(shipped, after, "describe_handover")
    assert title == "Brief the department"
    agent = journey("agent-called")
    agent.sign_in("agent")
    agent.goto(f"/task/{task_id}")
    expect(agent.page.locator("h1")).to_contain_text("Brief the department")
    agent.step("the next hand-over runs the new version")

    # The hand-over that started before keeps its version: its task keeps the old name.
    task_id, title = _task_title(shipped, before, "describe_handover")
    assert title == "Describe hand-over"
    agent.goto(f"/task/{task_id}")
    expect(agent.page.locator("h1")).to_contain_text("Describe hand-over")
    agent.step("the hand-over under way keeps its version")
