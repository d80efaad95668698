"""The heatmap's figures against hand-computed values, its drawing on the diagram, and the migration's backfill."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from engine.services.casework import tasks
from engine.services.instances import lifecycle as instances
from engine.services.instances import timers
from engine.store.element_visits import ElementVisit
from engine.store.heatmap import ElementFigures, element_figures
from engine.store.models import HumanTask
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import ANNA, DIAGRAMS, deploy_paths, only_task
from tests.webui.support import Client, Seeded

DATA = {"reminder_after": "PT1H", "escalation_after": "PT4H"}
HOUR = 3600.0
MIGRATION = (
    Path(__file__).resolve().parents[2] / "engine/store/migrations/versions/0006_instance_control_and_element_visits.py"
)


def _three_instances(session: Session, now: datetime) -> int:
    """A: answered after 30 min. B: started 10 min later, still open. C: reminded at 1 h, escalated at 4 h.

    The sweep at +1h+1s fires only C's reminder (B's is due at +1h10m); the sweep at +4h+1s fires C's
    escalation and, late, B's reminder (B's escalation is due at +4h10m).
    """
    deploy_paths(session, now, DIAGRAMS / "timer_flow.bpmn")
    a = instances.start_instance(session, ANNA, "timer_flow", DATA, now)
    tasks.complete_task(session, ANNA, only_task(session, a.id).id, {}, now + timedelta(minutes=30))
    instances.start_instance(session, ANNA, "timer_flow", DATA, now + timedelta(minutes=10))
    instances.start_instance(session, ANNA, "timer_flow", DATA, now)
    assert timers.fire_due_timers(session, now + timedelta(hours=1, seconds=1)) == 1
    assert timers.fire_due_timers(session, now + timedelta(hours=4, seconds=1)) == 2
    return a.definition_id


def test_figures_match_the_hand_computed_values(session: Session, now: datetime) -> None:
    definition_id = _three_instances(session, now)
    figures = {f.element_id: f for f in element_figures(session, definition_id)}
    assert figures == {
        "start": ElementFigures("start", 3, 0, 0.0),
        # A completed after 30 min; B waits; C was interrupted by the escalation (cancelled, not passed).
        "answer_customer": ElementFigures("answer_customer", 1, 1, 1800.0),
        "answered": ElementFigures("answered", 1, 0, 0.0),
        # Reminders fired for C after 1h+1s and for B at +4h+1s (entered at +10 min); A's was cancelled.
        "remind_agent": ElementFigures("remind_agent", 2, 0, ((HOUR + 1) + (4 * HOUR + 1 - 600)) / 2),
        "note_reminder": ElementFigures("note_reminder", 2, 0, 0.0),
        "reminder_done": ElementFigures("reminder_done", 2, 0, 0.0),
        # C's escalation fired after 4h+1s; B's still waits; A's was cancelled.
        "escalate": ElementFigures("escalate", 1, 1, 4 * HOUR + 1),
        "handle_escalation": ElementFigures("handle_escalation", 0, 1, None),
    }


def test_the_period_counts_visits_entered_in_it(session: Session, now: datetime) -> None:
    definition_id = _three_instances(session, now)
    start, end = now + timedelta(minutes=5), now + timedelta(days=1)
    figures = {f.element_id: (f.passed, f.waiting) for f in element_figures(session, definition_id, start, end)}
    # B's visits (entered at +10 min), A's end event (+30 min), and what C reached after its reminder.
    assert figures == {
        "start": (1, 0),
        "answered": (1, 0),
        "answer_customer": (0, 1),
        "remind_agent": (1, 0),
        "escalate": (0, 1),
        "note_reminder": (2, 0),
        "reminder_done": (2, 0),
        "handle_escalation": (0, 1),
    }
    assert element_figures(session, definition_id, now + timedelta(days=1), now + timedelta(days=2)) == []


def test_backfill_turns_human_task_rows_into_visits(session: Session, now: datetime) -> None:
    definition_id = _three_instances(session, now)
    session.execute(delete(ElementVisit))
    session.commit()
    spec = importlib.util.spec_from_file_location("migration_0006", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    session.execute(text(module.backfill_sql(session.get_bind().dialect.name)))
    session.commit()
    figures = {f.element_id: f for f in element_figures(session, definition_id)}
    assert set(figures) == {"answer_customer", "handle_escalation"}
    assert figures["answer_customer"] == ElementFigures("answer_customer", 1, 1, 1800.0)
    assert figures["handle_escalation"] == ElementFigures("handle_escalation", 0, 1, None)
    assert session.scalar(select(func.count()).select_from(ElementVisit)) == session.scalar(
        select(func.count()).select_from(HumanTask)
    )


def test_heatmap_page_draws_the_numbers_on_the_diagram_and_in_a_table(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest
) -> None:
    with database.session() as session:
        waiting: dict[str, int] = {}
        for task_id in seeded.tasks.values():
            task = session.get(HumanTask, task_id)
            assert task is not None
            waiting[task.element_id] = waiting.get(task.element_id, 0) + 1
        definition_id = task.instance.definition_id
    manager = client_for("manager")
    page = manager.text(f"/cockpit/heatmap?definition={definition_id}")
    for element, count in waiting.items():
        # Each seeded complaint waits at its first task: on the diagram and in the table.
        assert re.search(rf'data-element-id="{element}" data-passed="0" data-waiting="{count}"', page), element
        # The table names the element as the designer did, with its id beside it.
        row = re.search(rf'<tr data-element-id="{element}"><td>(.+?) <code class="muted">{element}</code></td>', page)
        assert row and row.group(1).strip(), element
        assert re.search(rf'<code class="muted">{element}</code></td><td>0</td><td>{count}</td>', page)
    assert re.search(r'<g class="element heat" data-element-id="[^"]+" data-passed="4" data-waiting="0"', page)
    assert 'fill="#d94801"' in page  # the busiest element in the deepest colour
    assert manager.get("/cockpit/heatmap").status_code == 200
    assert manager.get("/cockpit/heatmap?definition=999999").status_code == 404
    assert manager.get("/cockpit/heatmap?definition=x").status_code == 400
    assert manager.get("/cockpit/heatmap?start=2026-11-30&end=2026-11-01").status_code == 400
    future = manager.text(f"/cockpit/heatmap?definition={definition_id}&start=2030-01-01&end=2030-01-31")
    assert "data-passed" not in future and "No instance of this version" in future
    assert client_for("agent").get("/cockpit/heatmap").status_code == 403
