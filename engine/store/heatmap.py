"""The heatmap across the instances of one process version: per element, passed, waiting now, average stay.

One GROUP BY over ``element_visit`` (indexed by version and entry time); no workflow state is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, case, func, select
from sqlalchemy.orm import Session

from engine.store.element_visits import VISIT_COMPLETED, ElementVisit


@dataclass(frozen=True)
class ElementFigures:
    """How instances went through one element.

    ``passed``: visits that completed the element; ``waiting``: instances there now (a person, a system
    action, a timer, a message or a join holds them); ``average_seconds``: mean stay of the completed visits
    whose entry time is known (None when there is none).
    """

    element_id: str
    passed: int
    waiting: int
    average_seconds: float | None


def element_figures(
    session: Session, definition_id: int, start: datetime | None = None, end: datetime | None = None
) -> list[ElementFigures]:
    """Figures of every element visited in a version; with a period, only visits entered in ``[start, end)``."""
    completed = ElementVisit.outcome == VISIT_COMPLETED
    query = select(
        ElementVisit.element_id,
        func.sum(case((completed, 1), else_=0).cast(Integer)),
        func.sum(case((ElementVisit.left_at.is_(None), 1), else_=0).cast(Integer)),
        func.avg(case((completed, ElementVisit.seconds), else_=None)),
    ).where(ElementVisit.definition_id == definition_id)
    if start is not None:
        query = query.where(ElementVisit.entered_at >= start)
    if end is not None:
        query = query.where(ElementVisit.entered_at < end)
    rows = session.execute(query.group_by(ElementVisit.element_id).order_by(ElementVisit.element_id)).all()
    return [
        ElementFigures(str(element), int(passed or 0), int(waiting or 0), float(avg) if avg is not None else None)
        for element, passed, waiting, avg in rows
    ]
