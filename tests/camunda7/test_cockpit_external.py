"""The cockpit lists the steps waiting for a worker: waiting, locked and out-of-retries external tasks per topic."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

from tests.camunda7.conftest import PASSWORD, Rest
from tests.webui.support import Client


def _row(page: str, topic: str) -> list[str]:
    match = re.search(rf"<tr>\s*<td><code>{topic}</code></td>(.*?)</tr>", page, re.S)
    assert match, page
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", match.group(1), re.S)]


def test_processes_page_counts_external_tasks_by_topic(rest_app: tuple[Flask, str], rest: Rest,
                                                       start: Callable[..., int]) -> None:  # fmt: skip
    app, _ = rest_app
    for _ in range(3):
        start()
    fetch = {"workerId": "w", "maxTasks": 2, "topics": [{"topicName": "charge", "lockDuration": 60000}]}
    first, second = rest.post("/external-task/fetchAndLock", fetch).json
    rest.post(f"/external-task/{first['id']}/failure", {"workerId": "w", "errorMessage": "down", "retries": 0})
    manager = Client(app)
    assert manager.sign_in("boss", PASSWORD).status_code == 302
    page = manager.text("/cockpit/processes")
    assert "Steps waiting for a worker" in page
    waiting, locked, failed, since = _row(page, "charge")
    assert (waiting, locked, failed) == ("1", "1", "1") and "23" in since  # 23 November, in the user's format
    agent = Client(app)
    assert agent.sign_in("agent", PASSWORD).status_code == 302
    assert agent.get("/cockpit/processes").status_code == 403
