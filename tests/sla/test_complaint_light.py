"""The traffic light of complaints in SQL: running clocks age, paused and resolved clocks stand still."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from engine.services.casework import tasks
from engine.store.sla_queries import complaints_by_light
from tests.engine.helpers import ANNA, only_task
from tests.sla.helpers import open_sla_complaint, task_named

H = timedelta(hours=1)


def _three_complaints(session: Session, now: datetime) -> dict[str, int]:
    """Social media (24/7, resolution in 8 h, amber from 6 h): one running, one paused, one resolved."""
    running = open_sla_complaint(session, now, channel="social_media")
    paused = open_sla_complaint(session, now, channel="social_media")
    resolved = open_sla_complaint(session, now, channel="social_media")
    for complaint, need_info in ((paused, True), (resolved, False)):
        assert complaint.instance_id is not None
        tasks.complete_task(session, ANNA, only_task(session, complaint.instance_id).id, {}, now + H)
        task = task_named(session, complaint.instance_id, "resolve_complaint")
        tasks.complete_task(session, ANNA, task.id, {"need_info": need_info}, now + 2 * H)
    assert paused.sla_paused_at is not None and resolved.resolved_at is not None
    return {"running": running.id, "paused": paused.id, "resolved": resolved.id}


def _lights(session: Session, moment: datetime, **options: object) -> dict[int, str]:
    return {complaint.id: light for complaint, light in complaints_by_light(session, moment, **options)}  # type: ignore[arg-type]


def test_lights_follow_the_clock(session: Session, now: datetime) -> None:
    ids = _three_complaints(session, now)
    names = {value: key for key, value in ids.items()}

    def named(moment: datetime, **options: object) -> dict[str, str]:
        return {names[key]: light for key, light in _lights(session, moment, **options).items()}

    assert named(now + 5 * H, open_only=False) == {"running": "green", "paused": "green", "resolved": "green"}
    assert named(now + 7 * H) == {"running": "amber", "paused": "green"}
    # Nine hours in: the running clock is overdue, the paused one stands at two hours.
    assert named(now + 9 * H) == {"running": "red", "paused": "green"}
    assert named(now + 9 * H, light="red") == {"running": "red"}
    assert [names[c.id] for c, _ in complaints_by_light(session, now + 9 * H, open_only=False)] == [
        "running",
        "paused",
        "resolved",
    ]


def test_unknown_light(session: Session, now: datetime) -> None:
    with pytest.raises(ValueError, match="unknown traffic light 'blue'"):
        complaints_by_light(session, now, light="blue")
