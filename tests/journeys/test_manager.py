"""Journey 7: the manager starts on the dashboard, retries the demo incident, zooms and pans its diagram, and
suspends, resumes and cancels a process instance. Beside it the administrator's seam: webhook deliveries from the
admin menu."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from playwright.sync_api import expect

from tests.journeys.journey import Journey
from tests.journeys.shipped import ShippedApp
from tests.journeys.steps import api_complaint, assignable


def test_manager(journey: Callable[..., Journey], shipped: ShippedApp) -> None:
    reference = api_complaint(
        shipped, subject="Spam calls after signing the contract", description="Since the contract I get calls."
    )["reference"]
    manager = journey("manager")
    page = manager.page
    manager.sign_in("manager")
    expect(page.locator("h1")).to_contain_text("KPI dashboard")
    manager.step("lands on the dashboard")
    manager.fits_narrow_screen()
    # Filters and charts name things as people do, never by their internal codes.
    channels = page.locator("#channel option").all_inner_texts()
    assert "In person" in channels and not [text for text in channels if "_" in text]
    teams = page.locator("#team option").all_inner_texts()
    assert teams and not [text for text in teams if "_" in text], teams
    expect(page.locator("main")).not_to_contain_text("partly_upheld")

    # The demo data ships an instance that stopped with an incident; the manager corrects a value and retries.
    page.locator(".cockpit-tabs").get_by_role("link", name="Instances").click()
    page.select_option("#status", "incident")
    page.get_by_role("button", name="Filter").click()
    processes = page.locator("#process option").all_inner_texts()
    assert "Goodwill voucher" in processes and "goodwill_voucher" not in processes
    waiting = page.locator("#activity option").all_inner_texts()
    assert "Handle complaint" in waiting and "handle_complaint" not in waiting
    row = page.locator("tbody tr", has_text="GV-DEMO-1")
    expect(row).to_contain_text("Goodwill voucher")
    manager.step("instances with an incident")
    manager.fits_narrow_screen()
    row.get_by_role("link").first.click()
    expect(page.locator(".card.incident")).to_contain_text("ZeroDivisionError")
    manager.step("incident")
    manager.fits_narrow_screen()
    page.fill("#retry-variables", "order_count: 3")
    page.locator("#retry").click()
    expect(page.locator("main")).to_contain_text("Changed variables must be a JSON object")
    expect(page.locator(".card.incident")).to_be_visible()
    page.fill("#retry-variables", '{"order_count": 3}')
    page.locator("#retry").click()
    expect(page.locator("main")).to_contain_text("The failed step ran again")
    expect(page.locator(".card.incident")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Send vouchers")
    manager.step("retried: the incident is gone, the next task waits")

    # The diagram zooms and pans.
    diagram = page.locator("#instance-diagram svg")
    before = diagram.get_attribute("viewBox")
    page.get_by_role("button", name="Zoom in").click()
    zoomed = diagram.get_attribute("viewBox")
    assert before and zoomed and float(zoomed.split()[2]) < float(before.split()[2])
    box = page.locator("#instance-diagram").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - 120, box["y"] + box["height"] / 2 - 40, steps=5)
    page.mouse.up()
    panned = diagram.get_attribute("viewBox")
    assert panned and float(panned.split()[0]) > float(zoomed.split()[0])
    manager.step("diagram zoomed in and moved")
    page.get_by_role("button", name="Fit").click()
    fitted = diagram.get_attribute("viewBox")
    assert fitted and [float(n) for n in fitted.split()] == [float(n) for n in before.split()]

    page.locator(".cockpit-tabs").get_by_role("link", name="Instances").click()
    page.fill("#q", reference)
    page.get_by_role("button", name="Filter").click()
    page.locator("tbody tr", has_text=reference).get_by_role("link").first.click()
    instance_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.locator("h1")).to_contain_text(f"Instance {instance_id}")
    expect(page.locator("main")).to_contain_text(reference)
    manager.step("instance")
    manager.fits_narrow_screen()
    # Reassigning offers only people who may work the task (the agents), nothing chosen beforehand.
    choice = page.locator("select[id^=reassign-]").first
    expect(choice).to_have_value("")
    users = assignable(choice)
    assert users.get("agent") == "Anna Agent" and users.get("lead") == "Lea Lead", users
    assert not {"admin", "designer", "manager"} & users.keys(), users
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


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, list[bytes]]]:
    """A local HTTP receiver that answers 204 to every POST; its URL and the bodies it got."""
    bodies: list[bytes] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/complaints", bodies
    finally:
        server.shutdown()
        server.server_close()


def test_admin_finds_webhook_deliveries_in_the_menu(journey: Callable[..., Journey], shipped: ShippedApp) -> None:
    """The administrator subscribes a receiver to new complaints from the admin menu; a new complaint's delivery
    is then in the delivery log, delivered, and among the deliveries of all channels."""
    admin = journey("admin")
    page = admin.page
    admin.sign_in("admin")
    page.locator("header nav").get_by_role("link", name="Administration").click()
    page.locator(".cockpit-tabs").get_by_role("link", name="Webhooks").click()
    expect(page.locator("h1")).to_have_text("Webhooks")
    admin.step("webhooks from the admin menu")
    with webhook_receiver() as (url, bodies):
        page.fill("#url", url)
        page.get_by_label("Complaint received").check()
        page.fill("#description", "CRM of the journey suite")
        page.get_by_role("button", name="Subscribe").click()
        expect(page.locator("#new-secret")).to_be_visible()
        reference = api_complaint(shipped, subject="Webhook test: charger missing", description="No charger.")[
            "reference"
        ]
        row = page.locator("#deliveries tbody tr", has_text=url)
        for _attempt in range(30):
            page.reload()
            if row.filter(has_text="delivered").count():
                break
            page.wait_for_timeout(1000)
        expect(row.filter(has_text="delivered").first).to_contain_text("204")
        assert any(reference.encode() in body for body in bodies), bodies
    admin.step("the delivery is in the log, delivered")
    page.get_by_role("link", name="Every delivery attempt of all channels").click()
    expect(page.locator("main")).to_contain_text(url)
    admin.step("every delivery of all channels")
