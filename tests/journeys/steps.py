"""Steps several journeys share: complaints through the REST API, tasks on the command line, lists and mails."""

from __future__ import annotations

import json
import urllib.request
from typing import Any
from urllib.parse import quote

from playwright.sync_api import expect

from tests.journeys.journey import Journey
from tests.journeys.shipped import ShippedApp


def api_token(shipped: ShippedApp) -> str:
    """A REST API token of a CRM acting as an agent (created once per app)."""
    if "token" not in shipped.memo:
        out = shipped.cli("api-token", "create", "crm", "--user", "crm", "--role", "agent", "--group", "agent")
        shipped.memo["token"] = out.splitlines()[-1].strip()
    return str(shipped.memo["token"])


def api_complaint(shipped: ShippedApp, **fields: Any) -> dict[str, Any]:
    """POST /api/v1/complaints; the answer (reference, status_link, ...)."""
    body = {"customer_name": "Carla Customer", "customer_email": "carla@example.org", "language": "en", **fields}
    request = urllib.request.Request(
        f"{shipped.base_url}/api/v1/complaints",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {api_token(shipped)}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        created: dict[str, Any] = json.loads(response.read())
        return created


def open_tasks(shipped: ShippedApp, instance_id: int | None = None) -> list[dict[str, Any]]:
    args = ["tasks", "--json"] + (["--instance", str(instance_id)] if instance_id is not None else [])
    return [json.loads(line) for line in shipped.cli(*args).splitlines() if line.strip()]


def newest_instance(shipped: ShippedApp) -> int:
    return max(int(task["instance_id"]) for task in open_tasks(shipped))


def complete_on_cli(
    shipped: ShippedApp, instance_id: int, element: str, data: dict[str, Any], user: str = "agent", group: str = "agent"
) -> None:
    """Another person's step, done on the command line when the journey is not theirs."""
    task = next(task for task in open_tasks(shipped, instance_id) if task["element_id"] == element)
    who = ("--as-user", user, "--group", group, "--role", "agent")
    if task["assignee"] != user:
        shipped.cli(*who, "claim", str(task["id"]))
    shipped.cli(*who, "complete", str(task["id"]), "--data", json.dumps(data))


def wait_for_mail(staff: Journey, recipient: str, subject_part: str) -> None:
    """Open the app's mail page until the dispatcher has delivered the mail to the local catcher."""
    for _attempt in range(30):
        staff.goto("/mails/")
        row = staff.page.locator("tr", has_text=recipient).filter(has_text=subject_part)
        if row.count():
            row.first.get_by_role("link").click()
            return
        staff.page.wait_for_timeout(1000)
    raise AssertionError(f"no mail to {recipient} about {subject_part!r} within 30 s")


def group_task(staff: Journey, subject: str, task_title: str = "Handle complaint") -> None:
    """The complaint is in the staff member's group list with the given task."""
    for _attempt in range(20):
        staff.goto(f"/tasks/groups?q={quote(subject)}")
        if staff.page.locator("main", has_text=subject).count():
            break
        staff.page.wait_for_timeout(500)
    expect(staff.page.locator("main")).to_contain_text(subject)
    expect(staff.page.locator("main")).to_contain_text(task_title)
