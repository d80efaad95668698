"""The traffic light in task queries: computed in SQL from due_at/amber_at, filterable and sortable."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.sla import traffic_light_for
from engine.services.instances import lifecycle as instances
from engine.store import queries
from engine.store.models import HumanTask
from tests.engine.helpers import ADMIN, deploy_paths
from tests.sla.helpers import DIAGRAMS

H = timedelta(hours=1)


def _tasks_due_in(session: Session, now: datetime, *targets: str) -> dict[str, str]:
    """One escalation_flow instance per target (24/7 calendar); returns task id -> target."""
    deploy_paths(session, now, DIAGRAMS / "escalation_flow.bpmn")
    ids = {}
    for target in targets:
        data = {"resolution_target": target, "sla_calendar": "24/7"}
        instance = instances.start_instance(session, ADMIN, "escalation_flow", data, now)
        [task] = queries.list_tasks(session, queries.TaskFilter(instance_id=instance.id))
        ids[task.id] = target
    return ids


def _light_column(session: Session, moment: datetime) -> dict[str, str]:
    light = queries.traffic_light_sql(HumanTask.due_at, HumanTask.amber_at, moment)
    return {task_id: value for task_id, value in session.execute(select(HumanTask.id, light))}


def test_sql_light_agrees_with_the_domain_rule(session: Session, now: datetime) -> None:
    ids = _tasks_due_in(session, now, "PT4H", "PT8H", "PT40H")
    tasks = {task.id: task for task in session.scalars(select(HumanTask))}
    # Around the amber point (75 %) and the due time of each task, and before any of them.
    moments = [now + offset for offset in (H, 3 * H, 3 * H + timedelta(seconds=1), 4 * H, 4 * H + timedelta(seconds=1))]
    moments += [now + 6 * H, now + 9 * H, now + 30 * H]
    for moment in moments:
        expected = {
            task_id: traffic_light_for(tasks[task_id].created_at, tasks[task_id].due_at, moment).value
            for task_id in ids
        }
        assert _light_column(session, moment) == expected, moment


def test_list_tasks_filters_and_sorts_on_the_light(session: Session, now: datetime) -> None:
    ids = _tasks_due_in(session, now, "PT4H", "PT8H", "PT40H")
    by_target = {target: task_id for task_id, target in ids.items()}
    moment = now + 7 * H  # PT4H is red, PT8H amber (from 6 h), PT40H green (amber from 30 h)

    def listed(**criteria: object) -> list[str]:
        return [ids[task.id] for task in queries.list_tasks(session, queries.TaskFilter(now=moment, **criteria))]

    assert listed(traffic_light="red") == ["PT4H"]
    assert listed(traffic_light="amber") == ["PT8H"]
    assert listed(traffic_light="green") == ["PT40H"]
    assert listed(order="traffic_light") == ["PT4H", "PT8H", "PT40H"]
    # The colour is a function of the time: at the start the same task is green, not red.
    at_start = queries.list_tasks(session, queries.TaskFilter(traffic_light="green", now=now))
    assert by_target["PT4H"] in [task.id for task in at_start]
    assert queries.list_tasks(session, queries.TaskFilter(traffic_light="red", now=now)) == []


def test_light_order_puts_amber_before_earlier_green(session: Session, now: datetime) -> None:
    # Created earlier with a long target: amber sooner than a task created later that is due earlier.
    deploy_paths(session, now, DIAGRAMS / "escalation_flow.bpmn")
    long_one = instances.start_instance(
        session, ADMIN, "escalation_flow", {"resolution_target": "PT10H", "sla_calendar": "24/7"}, now
    ).id
    short_one = instances.start_instance(
        session, ADMIN, "escalation_flow", {"resolution_target": "PT2H", "sla_calendar": "24/7"}, now + 7 * H
    ).id
    moment = now + 8 * H  # long: due 10 h, amber from 7.5 h; short: due 9 h, amber from 8.5 h
    by_due = [t.instance_id for t in queries.list_tasks(session, queries.TaskFilter(now=moment))]
    by_light = [
        t.instance_id for t in queries.list_tasks(session, queries.TaskFilter(now=moment, order="traffic_light"))
    ]
    assert by_due == [short_one, long_one]
    assert by_light == [long_one, short_one]


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ({"traffic_light": "blue"}, "unknown traffic light 'blue'"),
        ({"order": "colour"}, "unknown task order 'colour'"),
        ({"traffic_light": "red", "now": None}, "the traffic light needs now"),
        ({"order": "traffic_light", "now": None}, "the traffic light needs now"),
    ],
)
def test_bad_light_criteria_are_clear_errors(
    session: Session, now: datetime, criteria: dict[str, object], message: str
) -> None:
    criteria = {"now": now, **criteria}
    with pytest.raises(ValueError, match=message):
        queries.list_tasks(session, queries.TaskFilter(**criteria))  # type: ignore[arg-type]
