"""Writing element visits (the heatmap's rows) in the unit of work that saves a workflow run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.runtime.model import VisitChange
from engine.store.element_visits import VISIT_CANCELLED, ElementVisit
from engine.store.models import ProcessInstance


def _close(visit: ElementVisit, outcome: str, now: datetime) -> None:
    visit.left_at = now
    visit.outcome = outcome
    visit.seconds = (now - visit.entered_at).total_seconds() if visit.entered_at is not None else None


def record_visits(session: Session, instance: ProcessInstance, changes: Sequence[VisitChange], now: datetime) -> None:
    """Open a visit for each element entered, close the open visit of each element left (at ``now``).

    Called without autoflush: visits opened earlier in this unit of work are found in ``session.new``.
    """
    if not changes:
        return
    leaving = {change.task_id for change in changes if change.outcome and not change.entered}
    open_visits: dict[str, ElementVisit] = {}
    if leaving:
        stored = session.scalars(
            select(ElementVisit).where(
                ElementVisit.instance_id == instance.id,
                ElementVisit.left_at.is_(None),
                ElementVisit.task_id.in_(leaving),
            )
        )
        open_visits = {visit.task_id: visit for visit in stored if visit.left_at is None}
        for pending in session.new:
            if isinstance(pending, ElementVisit) and pending.instance_id == instance.id and pending.left_at is None:
                open_visits[pending.task_id] = pending
    for change in changes:
        if change.entered:
            visit = ElementVisit(
                instance_id=instance.id,
                definition_id=instance.definition_id,
                task_id=change.task_id,
                element_id=change.element_id,
                entered_at=now,
            )
            if change.outcome:
                _close(visit, change.outcome, now)
            session.add(visit)
        elif change.outcome:
            found = open_visits.get(change.task_id)
            if found is None:
                # The stay began before visits were recorded: count the passage, its duration is unknown.
                found = ElementVisit(
                    instance_id=instance.id,
                    definition_id=instance.definition_id,
                    task_id=change.task_id,
                    element_id=change.element_id,
                    entered_at=None,
                )
                session.add(found)
            _close(found, change.outcome, now)


def close_open_visits(session: Session, instance_id: int, now: datetime) -> int:
    """Close every open visit of an instance as cancelled (the instance was cancelled); returns how many."""
    visits = session.scalars(
        select(ElementVisit).where(ElementVisit.instance_id == instance_id, ElementVisit.left_at.is_(None))
    ).all()
    for visit in visits:
        _close(visit, VISIT_CANCELLED, now)
    return len(visits)
