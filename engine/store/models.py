"""Tables of the engine. Schema changes go through Alembic (engine/store/migrations)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from engine.store.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON}


class ProcessDefinition(Base):
    """One deployed version of a process: its files are stored with it, the spec is parsed from them."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("process_key", "version", name="uq_process_definition_key_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(300))
    checksum: Mapped[str] = mapped_column(String(64))
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str] = mapped_column(String(150))

    resources: Mapped[list[DefinitionResource]] = relationship(
        back_populates="definition", cascade="all, delete-orphan", order_by="DefinitionResource.id"
    )


class DefinitionResource(Base):
    """A BPMN or DMN file a process version was deployed with (its own file, called processes, decisions)."""

    __tablename__ = "definition_resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))
    content: Mapped[str] = mapped_column(Text)

    definition: Mapped[ProcessDefinition] = relationship(back_populates="resources")


class DecisionDefinition(Base):
    """One deployed version of a decision, kept with the DMN file it came from.

    A DMN file deployed alone gives each of its decisions a new version (when its file changed), and
    processes deployed later find the latest version here.
    """

    __tablename__ = "decision_definition"
    __table_args__ = (UniqueConstraint("decision_key", "version", name="uq_decision_definition_key_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(300))
    checksum: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str] = mapped_column(String(150))


INSTANCE_RUNNING = "running"  # a person has to act (ready human task)
INSTANCE_WAITING = "waiting"  # only a timer or a message can move it on
INSTANCE_COMPLETED = "completed"
INSTANCE_INCIDENT = "incident"  # an error stopped it at one step; retry after a fix
INSTANCE_SUSPENDED = "suspended"  # held by a manager: no timer fires, no task can be claimed or completed
INSTANCE_CANCELLED = "cancelled"  # ended by a manager before it completed (the reason is in the audit trail)
INSTANCE_STATUSES = (
    INSTANCE_RUNNING,
    INSTANCE_WAITING,
    INSTANCE_COMPLETED,
    INSTANCE_INCIDENT,
    INSTANCE_SUSPENDED,
    INSTANCE_CANCELLED,
)


class ProcessInstance(Base):
    """One running complaint process; ``state`` is the serialized workflow without its spec."""

    __tablename__ = "process_instance"

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    business_key: Mapped[str | None] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    serializer_version: Mapped[str] = mapped_column(String(20))
    variables: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime]
    started_by: Mapped[str] = mapped_column(String(150))
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    definition: Mapped[ProcessDefinition] = relationship()

    # SQLAlchemy adds "WHERE lock_version = :old" to every UPDATE: the loser of a race updates no row.
    __mapper_args__ = {"version_id_col": lock_version}


TASK_OPEN = "open"
TASK_COMPLETED = "completed"
TASK_CANCELLED = "cancelled"


class HumanTask(Base):
    """A user or manual task; open while READY in the workflow, kept afterwards for history and KPIs."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_status_due", "status", "due_at"),
        Index("ix_human_task_assignee_status", "assignee", "status"),
        # The task list's business filters, each walking the open tasks in due order (see engine.store.tasklist).
        Index("ix_human_task_status_category_due", "status", "category", "due_at"),
        Index("ix_human_task_status_channel_due", "status", "channel", "due_at"),
        Index("ix_human_task_status_cpriority_due", "status", "complaint_priority", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow's task UUID
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    element_id: Mapped[str] = mapped_column(String(200))
    process_key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    documentation: Mapped[str | None] = mapped_column(Text)
    lane: Mapped[str | None] = mapped_column(String(200))
    assignee: Mapped[str | None] = mapped_column(String(150))
    priority: Mapped[int] = mapped_column(Integer, default=50)
    status: Mapped[str] = mapped_column(String(20))
    form: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    # When the traffic light turns amber (a share of the time to due_at used): lists filter and sort on it in SQL.
    amber_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(150))
    # Copies of the complaint's filterable columns (engine.services.instances.complaint_sync keeps them in step
    # while the task is open), so that list filters and the due order use one index on this table instead of a join
    # over a million closed complaints. None for tasks of processes without a complaint.
    category: Mapped[str | None] = mapped_column(String(50))
    channel: Mapped[str | None] = mapped_column(String(20))
    complaint_priority: Mapped[str | None] = mapped_column(String(20))
    customer_name: Mapped[str | None] = mapped_column(String(200))
    # Mirrors the instance's suspension, so task lists show it without joining the instance.
    suspended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    candidates: Mapped[list[TaskCandidate]] = relationship(
        back_populates="task", cascade="all, delete-orphan", lazy="selectin"
    )
    instance: Mapped[ProcessInstance] = relationship()

    @property
    def candidate_groups(self) -> list[str]:
        return sorted(c.name for c in self.candidates if c.kind == "group")

    @property
    def candidate_users(self) -> list[str]:
        return sorted(c.name for c in self.candidates if c.kind == "user")

    @property
    def excluded_users(self) -> list[str]:
        """Users who may not claim or complete the task (four-eyes), whatever their groups and roles."""
        return sorted(c.name for c in self.candidates if c.kind == "excluded")


class TaskCandidate(Base):
    """A group or user who may claim a task; a row each so that group task lists are an indexed join."""

    __tablename__ = "task_candidate"
    __table_args__ = (Index("ix_task_candidate_kind_name", "kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "group", "user" or "excluded" (four-eyes)
    name: Mapped[str] = mapped_column(String(150))

    task: Mapped[HumanTask] = relationship(back_populates="candidates")


TIMER_PENDING = "pending"
TIMER_FIRED = "fired"
TIMER_CANCELLED = "cancelled"
TIMER_SUSPENDED = "suspended"  # its instance is suspended: the scheduler skips it until resume sets it pending


class PendingTimerRow(Base):
    """A timer an instance waits on; the scheduler's source of truth."""

    __tablename__ = "timer"
    __table_args__ = (Index("ix_timer_status_due", "status", "due_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the timer event's task UUID
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    element_id: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime | None]
    interrupting: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20))
    fired_at: Mapped[datetime | None]


class MessageSubscription(Base):
    """A message catch event an instance waits on, found by message name and the instance's business key."""

    __tablename__ = "message_subscription"
    __table_args__ = (Index("ix_message_subscription_lookup", "message_name", "correlation_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(200))
    message_name: Mapped[str] = mapped_column(String(200))
    correlation_key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]


class HeldMessage(Base):
    """A message that arrived for a suspended instance; delivered in arrival order when it is resumed."""

    __tablename__ = "held_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    message_name: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime]
    received_by: Mapped[str] = mapped_column(String(150))


class Incident(Base):
    """An error that stopped an instance at one element; resolved by a successful retry."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    element_id: Mapped[str | None] = mapped_column(String(200))
    element_name: Mapped[str | None] = mapped_column(String(300))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(150))


class AuditEntry(Base):
    """Append-only log: who did what to which instance or task, when, with the data before and after."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_instance_at", "instance_id", "at"),
        # The global audit view filters by user or action, newest first, and lists both as choices.
        Index("ix_audit_entry_actor_at", "actor", "at"),
        Index("ix_audit_entry_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(150))
    action: Mapped[str] = mapped_column(String(50))
    instance_id: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    message: Mapped[str | None] = mapped_column(Text)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _audit_is_append_only(_mapper: Any, _connection: Any, target: AuditEntry) -> None:
    raise PermissionError(f"audit entry {target.id} is append-only")
