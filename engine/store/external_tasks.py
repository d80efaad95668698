"""External tasks: service-like steps a worker outside the product fetches, locks and completes.

A row exists while the step waits in the workflow (``open``), and stays afterwards for history
(``completed``, ``cancelled``). ``incident`` marks a step whose retries ran out or whose BPMN error nothing
caught; a retry (cockpit or ``PUT .../retries``) opens the same row again. The row is the truth for
fetching and locking: a worker gets a task only through a conditional update of its lock columns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.models import Base, ProcessInstance

EXTERNAL_OPEN = "open"
EXTERNAL_COMPLETED = "completed"
EXTERNAL_CANCELLED = "cancelled"
EXTERNAL_INCIDENT = "incident"


class ExternalTask(Base):
    """One activation of an external service task (Camunda's ``ACT_RU_EXT_TASK``)."""

    __tablename__ = "external_task"
    __table_args__ = (
        # fetchAndLock: open tasks of a topic, best priority first, oldest first.
        Index("ix_external_task_fetch", "status", "topic", "priority", "created_at"),
        Index("ix_external_task_instance_status", "instance_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # a fresh UUID per activation
    task_id: Mapped[str] = mapped_column(String(36), index=True)  # the workflow task it mirrors
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    definition_id: Mapped[int] = mapped_column(Integer)
    process_key: Mapped[str] = mapped_column(String(200))
    business_key: Mapped[str | None] = mapped_column(String(100))
    element_id: Mapped[str] = mapped_column(String(200))
    element_name: Mapped[str | None] = mapped_column(String(300))
    topic: Mapped[str] = mapped_column(String(200))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))
    # The token's variables when the step was reached (what a worker fetches), and the step's properties.
    variables: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # camunda:inputParameter values: the step's local variables (fetchAndLock's localVariables).
    local_variables: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=dict)
    worker_id: Mapped[str | None] = mapped_column(String(255))
    # Until when the worker holds it; after a failure with a retry timeout, until when nobody may fetch it.
    lock_expires_at: Mapped[datetime | None]
    retries: Mapped[int | None] = mapped_column(Integer)  # None until a worker reports a failure (Camunda)
    error_message: Mapped[str | None] = mapped_column(Text)
    error_details: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]

    instance: Mapped[ProcessInstance] = relationship()
