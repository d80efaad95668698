"""Task lists: scopes, order, traffic lights, filters on complaint columns, search, saved filters, paging."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from engine.domain.actors import SYSTEM
from engine.services.intake.complaints import NewComplaint, open_complaint
from engine.store import tasklist
from tests.conftest import DatabaseUnderTest
from tests.webui.support import Client, Seeded


def references(page: str) -> list[str]:
    """Complaint references of the task rows, in list order."""
    return re.findall(r'<div class="sub">(C-\d{4}-\d{6}) ·', page)


def test_group_list_is_sorted_by_due_time_with_traffic_lights(
    client_for: Callable[[str], Client], seeded: Seeded
) -> None:
    page = client_for("agent").text("/tasks/groups")
    c = seeded.complaints
    assert references(page) == [c["delivery"], c["again"], c["billing"]]
    # The second-level complaint is not offered to agents.
    assert c["big"] not in page
    table = page[page.index("<table") :]
    assert table.count('class="light light-amber"') == 1 and table.count('class="light light-green"') == 2
    # Customer, priority, category, channel and age columns.
    for text in ("Frau Meier", "Herr Schulz", "Low", "Normal", "delivery", "Phone", "E-mail", "4 days"):
        assert text in page, text


def test_the_department_sees_its_own_group_s_tasks(client_for: Callable[[str], Client], seeded: Seeded) -> None:
    page = client_for("dept").text("/tasks/groups")
    assert references(page) == [seeded.complaints["big"]]
    assert 'class="light light-red"' in page


def test_filters_use_complaint_columns_and_the_traffic_light(
    client_for: Callable[[str], Client], seeded: Seeded, now: datetime
) -> None:
    agent, c = client_for("agent"), seeded.complaints
    cases = {
        "priority=low": [c["delivery"]],
        "category=delivery": [c["delivery"]],
        "channel=web": [c["again"]],
        "light=amber": [c["delivery"]],
        "light=green": [c["again"], c["billing"]],
        "light=red": [],
        f"due_before={(now + timedelta(days=1)).date().isoformat()}": [c["delivery"]],
        "q=router": [c["billing"]],
        "q=MEIER": [c["again"], c["billing"]],
        "q=invoice+wrong": [c["again"]],
        f"q={c['delivery']}": [c["delivery"]],
        "q=100%25": [],
        "sort=age": [c["delivery"], c["again"], c["billing"]],
        "assigned=unassigned": [c["delivery"], c["again"], c["billing"]],
        "assigned=assigned": [],
    }
    for query, expected in cases.items():
        page = agent.text(f"/tasks/groups?{query}")
        assert references(page) == expected, query
    # The counts beside the traffic lights ignore the light filter but follow the others.
    page = agent.text("/tasks/groups?category=billing&light=red")
    counts = re.findall(r'class="light light-(\w+)".*?<span class="count">(\d+)</span>', page, re.S)
    assert dict(counts) == {"red": "0", "amber": "0", "green": "2"}


def test_search_walking_the_list_finds_the_same_tasks(
    client_for: Callable[[str], Client], seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL tests a common word per task (EXISTS) instead of listing its complaints: same answers."""
    monkeypatch.setattr(tasklist, "RARE_WORD_COMPLAINTS", 0)
    agent, c = client_for("agent"), seeded.complaints
    for query, expected in {
        "q=router": [c["billing"]],
        "q=MEIER": [c["again"], c["billing"]],
        "q=invoice+wrong": [c["again"]],
        f"q={c['delivery']}": [c["delivery"]],
        "q=nobody": [],
    }.items():
        assert references(agent.text(f"/tasks/groups?{query}")) == expected, query


def test_bad_filter_values_are_ignored_not_fatal(client_for: Callable[[str], Client], seeded: Seeded) -> None:
    page = client_for("agent").text("/tasks/groups?priority=urgent&light=purple&due_before=yesterday&page=x&sort=hack")
    assert len(references(page)) == 3


def test_claim_from_the_group_list_moves_the_task_to_my_tasks(
    client_for: Callable[[str], Client], seeded: Seeded
) -> None:
    agent = client_for("agent")
    assert references(agent.text("/tasks/mine")) == []
    response = agent.post(f"/task/{seeded.tasks['billing']}/claim", {"next": "tasks.group_tasks"})
    assert response.status_code == 302 and response.location.endswith(f"/task/{seeded.tasks['billing']}")
    assert "You have claimed" in agent.text(response.location)
    assert references(agent.text("/tasks/mine")) == [seeded.complaints["billing"]]
    groups = agent.text("/tasks/groups?assigned=assigned")
    assert references(groups) == [seeded.complaints["billing"]] and ">agent<" in groups
    # A colleague sees it as taken and cannot claim it any more.
    colleague = client_for("agent2")
    assert references(colleague.text("/tasks/groups?assigned=unassigned")) == [
        seeded.complaints["delivery"],
        seeded.complaints["again"],
    ]
    colleague.post(f"/task/{seeded.tasks['billing']}/claim")
    assert "already claimed by agent" in colleague.text(f"/task/{seeded.tasks['billing']}")


def test_saved_filters_are_per_user_with_counts(client_for: Callable[[str], Client], seeded: Seeded) -> None:
    agent = client_for("agent")
    response = agent.post("/tasks/filters?scope=groups&category=billing", {"name": "Billing"})
    assert response.status_code == 302 and "category=billing" in response.location
    page = agent.text("/tasks/mine")
    assert re.search(r'href="/tasks/groups\?category=billing">Billing</a>\s*<span class="count"[^>]*>2</span>', page)
    assert "Billing</a>" not in client_for("agent2").text("/tasks/mine")
    filter_id = re.search(r"/tasks/filters/(\d+)/delete", page).group(1)  # type: ignore[union-attr]
    # Nobody deletes another user's filter.
    assert client_for("agent2").post(f"/tasks/filters/{filter_id}/delete").status_code == 404
    assert agent.post(f"/tasks/filters/{filter_id}/delete").status_code == 302
    assert "Billing</a>" not in agent.text("/tasks/mine")
    assert agent.post("/tasks/filters?scope=groups&category=billing", {"name": ""}).status_code == 302
    assert "Give the filter a name" in agent.text("/tasks/mine")


def test_supervisors_see_all_open_tasks(client_for: Callable[[str], Client], seeded: Seeded) -> None:
    assert len(references(client_for("lead").text("/tasks/all"))) == 4
    assert len(references(client_for("manager").text("/tasks/all"))) == 4
    assert client_for("agent").get("/tasks/all").status_code == 403


def test_pagination(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest, now: datetime
) -> None:
    with database.session() as session:
        for number in range(25):
            open_complaint(
                session,
                SYSTEM,
                NewComplaint(
                    f"Kunde {number}",
                    f"Paging {number}",
                    "Text",
                    "email",
                    category="billing",
                    amount_disputed=Decimal(1),
                ),
                "complaint_basic",
                now - timedelta(minutes=number),
            )
    agent = client_for("agent")
    first = agent.text("/tasks/groups")
    assert "Page 1 of 2" in first and len(references(first)) == 25 and 'rel="next"' in first
    second = agent.text("/tasks/groups?page=2")
    assert len(references(second)) == 3 and 'rel="prev"' in second
    assert set(references(first)).isdisjoint(references(second))
    with database.session() as session:
        criteria = tasklist.TaskListCriteria("agent", ("agent",), "groups", per_page=10, page=3)
        assert len(tasklist.list_page(session, criteria, now)) == 8
        assert tasklist.count(session, criteria, now) == 28


def test_counts_stop_at_the_cap(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest, now: datetime
) -> None:
    with database.session() as session:
        criteria = tasklist.TaskListCriteria("agent", ("agent",), "groups")
        assert tasklist.count(session, criteria, now, cap=2) == 3  # "more than 2"
        assert tasklist.count(session, criteria, now, cap=5) == 3
        assert tasklist.summary(session, criteria, now) == tasklist.ListSummary(
            3, {"red": 0, "amber": 1, "green": 2}, False
        )
        # Capped: the scan stops after the most urgent tasks; the counts are lower bounds.
        assert tasklist.summary(session, criteria, now, cap=1) == tasklist.ListSummary(
            1, {"red": 0, "amber": 1, "green": 1}, True
        )
        green = tasklist.summary(session, replace(criteria, light="green"), now)
        assert (green.total, green.capped) == (2, False)
