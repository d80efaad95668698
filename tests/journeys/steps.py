"""Steps several journeys share: complaints through the REST API, other people's steps through the Camunda-style
REST API (/engine-rest, as the demo users), lists and mails.

Other people's steps go over HTTP to the running app rather than through the `complaintflow` command: each
command starts a Python process that imports the whole app (about 1.5 s of CPU), while the server is warm.
"""

from __future__ import annotations

import base64
import json
import urllib.request
from typing import Any
from urllib.parse import quote

from playwright.sync_api import Locator, expect

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


def engine_rest(shipped: ShippedApp, method: str, path: str, body: Any = None, user: str = "agent") -> Any:
    """Call /engine-rest as a demo user (HTTP Basic, password demo); the decoded answer, None for 204."""
    credentials = base64.b64encode(f"{user}:demo".encode()).decode()
    request = urllib.request.Request(
        f"{shipped.base_url}/engine-rest{path}",
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Basic {credentials}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        text = response.read()
        return json.loads(text) if text else None


def task_of(shipped: ShippedApp, reference: str, element: str, user: str = "lead") -> dict[str, Any]:
    """The open task ``element`` of complaint ``reference`` (Camunda's task JSON), as ``user`` sees it."""
    query = {"taskDefinitionKey": element, "processVariables": [{"name": "complaint_id", "value": reference}]}
    found = engine_rest(shipped, "POST", "/task", query, user=user)
    assert len(found) == 1, f"{reference} has {len(found)} open tasks {element!r}"
    task: dict[str, Any] = found[0]
    return task


def complete_as(shipped: ShippedApp, reference: str, element: str, data: dict[str, Any], user: str = "agent") -> None:
    """Another person's step: ``user`` claims the complaint's task ``element`` if needed and completes it."""
    task = task_of(shipped, reference, element, user=user)
    if task["assignee"] != user:
        engine_rest(shipped, "POST", f"/task/{task['id']}/claim", {"userId": user}, user=user)
    variables = {name: {"value": value} for name, value in data.items()}
    engine_rest(shipped, "POST", f"/task/{task['id']}/complete", {"variables": variables}, user=user)


def assignee_of(shipped: ShippedApp, task_id: str) -> str | None:
    assignee: str | None = engine_rest(shipped, "GET", f"/task/{task_id}", user="lead")["assignee"]
    return assignee


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


def assignable(select: Locator) -> dict[str, str]:
    """The users a reassignment list offers (its first option group), login -> the name it shows; nothing may be
    chosen beforehand."""
    expect(select).to_have_value("")
    options = select.locator("optgroup").first.locator("option")
    pairs = options.evaluate_all("options => options.map(o => [o.value, o.textContent.trim()])")
    return {value.removeprefix("user:"): label for value, label in pairs}
