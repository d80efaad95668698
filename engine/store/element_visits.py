"""Element visits: when each instance entered and left each BPMN element, for the heatmap on the diagram.

Written by the unit of work that saves a workflow run (engine.services.instances.persistence), from the runtime's report
of which tasks changed state since the run was loaded; read by engine.store.heatmap with plain aggregates.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base

VISIT_COMPLETED = "completed"  # the element ran to its end (passed)
VISIT_CANCELLED = "cancelled"  # left without completing: interrupted, the instance cancelled, a branch not taken


class ElementVisit(Base):
    """One stay of an instance's token at one element; ``left_at`` is None while it is still there."""

    __tablename__ = "element_visit"
    __table_args__ = (
        Index("ix_element_visit_definition_element", "definition_id", "element_id"),
        Index("ix_element_visit_definition_entered", "definition_id", "entered_at"),
        Index("ix_element_visit_instance_open", "instance_id", "left_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    # The version the element belongs to (an instance migrated later keeps its earlier visits on the old one).
    definition_id: Mapped[int] = mapped_column(Integer)
    task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(200))
    # None for a stay that began before visits were recorded (known only when it ended).
    entered_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    seconds: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str | None] = mapped_column(String(20))
