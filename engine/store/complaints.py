"""Complaint business data: customers and complaints, in relational columns the UI and reports query.

The workflow's task data holds what the diagram's conditions need; these rows hold what people search,
sort, filter and count (indexed), so task lists and KPIs never deserialize workflow state.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, Numeric, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from engine.domain.kpi_hours import first_response_hours, resolution_net_hours
from engine.store.models import Base, ProcessInstance
from engine.store.transaction_memo import memo

CHANNELS = ("web", "email", "api", "phone", "letter", "in_person", "chat", "social_media")
PRIORITIES = ("low", "normal", "high", "critical")
COMPLAINT_STATUSES = ("new", "open", "waiting_customer", "resolved", "closed", "reopened")
KPI_INDEX_COLUMNS = (
    "created_at", "responsible_group", "category", "root_cause", "channel", "status", "closed_at", "resolved_at",
    "resolution_met", "first_response_met", "outcome", "csat", "nps", "instance_id", "customer_id",
    "first_response_at",
)  # fmt: skip
# The dashboard's medians and p90 read the stored hours with the filters it offers (period, channel, category, team).
KPI_HOURS_INDEXES = {
    "ix_complaint_first_response_hours": ("first_response_hours", "created_at", "channel", "category",
                                          "responsible_group"),
    "ix_complaint_resolution_net_hours": ("resolution_net_hours", "created_at", "channel", "category",
                                          "responsible_group"),
}  # fmt: skip

# The returns (engine.store.returns) count in one pass over this index alone: received before the period's end and
# not settled before its start.
RETURN_INDEXES = {
    "ix_complaint_return": (
        "created_at", "settled_at", "product_group", "outcome", "settled_band", "resolution_amount", "root_cause",
        "resolution_currency", "currency",  # the redress is summed per currency (migration 0021)
        "product",  # the returns' mapping tables read it: BaFin categories, FCA product rows (migration 0022)
    ),
}  # fmt: skip


class Customer(Base):
    """A person or company who complains; found again by e-mail address."""

    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(50))
    segment: Mapped[str] = mapped_column(String(30), default="standard")  # standard / premium / business
    created_at: Mapped[datetime]
    # Set when erasure replaced the personal data by a pseudonym (engine.services.privacy.erasure).
    pseudonymised_at: Mapped[datetime | None]

    complaints: Mapped[list[Complaint]] = relationship(back_populates="customer")


class Complaint(Base):
    """One complaint with its classification, SLA clock and outcome."""

    __tablename__ = "complaint"
    __table_args__ = (
        Index("ix_complaint_status_due", "status", "resolution_due_at"),
        Index("ix_complaint_category_created", "category", "created_at"),
        # The cockpit counts closures per period and the open backlog by resolution state.
        Index("ix_complaint_closed_at", "closed_at"),
        Index("ix_complaint_status_resolved", "status", "resolved_at"),
        Index("ix_complaint_created_group", "created_at", "responsible_group"),
        # Covers the cockpit's period pass (engine.store.kpi.period_groups), the complainants and the first
        # response times: a year of complaints is read from this index alone, not from the wide rows.
        Index("ix_complaint_kpi", *KPI_INDEX_COLUMNS),
        *(Index(name, *columns) for name, columns in KPI_HOURS_INDEXES.items()),
        *(Index(name, *columns) for name, columns in RETURN_INDEXES.items()),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)  # e.g. C-2026-000042, the business key
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    explicit: Mapped[bool] = mapped_column(Boolean, default=True)  # False: found by staff, e.g. in social media
    subject: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    product: Mapped[str | None] = mapped_column(String(200))
    order_ref: Mapped[str | None] = mapped_column(String(100))
    amount_disputed: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    language: Mapped[str] = mapped_column(String(5), default="de")

    category: Mapped[str | None] = mapped_column(String(50), index=True)
    priority: Mapped[str] = mapped_column(String(20), default="normal", index=True)
    handling_level: Mapped[int] = mapped_column(Integer, default=1)
    responsible_group: Mapped[str | None] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(30), default="new", index=True)

    created_at: Mapped[datetime] = mapped_column(index=True)
    created_by: Mapped[str] = mapped_column(String(150))
    updated_at: Mapped[datetime]

    # SLA clock (see engine.domain.sla): targets from the SLA decision, due times, pauses, outcome.
    sla_calendar: Mapped[str | None] = mapped_column(String(50))
    first_response_target: Mapped[str | None] = mapped_column(String(50))
    resolution_target: Mapped[str | None] = mapped_column(String(50))
    first_response_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    resolution_amber_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    sla_paused_at: Mapped[datetime | None]
    sla_pauses: Mapped[list[list[str | None]]] = mapped_column(JSON, default=list)
    first_response_met: Mapped[bool | None] = mapped_column(Boolean)
    resolution_met: Mapped[bool | None] = mapped_column(Boolean)
    # Derived from the columns above whenever the row is written (_store_kpi_hours): the cockpit's durations.
    first_response_hours: Mapped[float | None] = mapped_column(Float)
    resolution_net_hours: Mapped[float | None] = mapped_column(Float)

    outcome: Mapped[str | None] = mapped_column(String(30))  # upheld / partly_upheld / rejected
    resolution_type: Mapped[str | None] = mapped_column(String(30))
    resolution_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    root_cause: Mapped[str | None] = mapped_column(String(100))
    # What the register and the returns classify by (engine.domain.classification, docs/regulation.md).
    product_group: Mapped[str | None] = mapped_column(String(50))
    resolution_currency: Mapped[str | None] = mapped_column(String(3))  # of resolution_amount (the redress)
    acknowledged_at: Mapped[datetime | None]
    holding_response_at: Mapped[datetime | None]
    final_response_at: Mapped[datetime | None]
    # Set by a regulation pack's clock; within_legal_deadline follows from it when the final response is recorded.
    legal_deadline_at: Mapped[datetime | None]
    within_legal_deadline: Mapped[bool | None] = mapped_column(Boolean)
    # When the complaint counts as closed in the regulators' returns (its final response, or its closure when none
    # was sent), and the time-to-close band; cleared by a reopening (engine.services.casework.responses).
    settled_at: Mapped[datetime | None]
    settled_band: Mapped[str | None] = mapped_column(String(12))
    csat: Mapped[int | None] = mapped_column(Integer)
    nps: Mapped[int | None] = mapped_column(Integer)
    feedback_comment: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Set when erasure or the retention clean-up removed its texts; the statistics columns stay.
    pseudonymised_at: Mapped[datetime | None]

    customer: Mapped[Customer] = relationship(back_populates="complaints")
    instance: Mapped[ProcessInstance | None] = relationship()


@event.listens_for(Complaint, "before_insert")
@event.listens_for(Complaint, "before_update")
def _store_kpi_hours(_mapper: Any, _connection: Any, complaint: Complaint) -> None:
    """Keep the stored durations in step with the SLA columns on every ORM write.

    Here rather than in each service: first responses, resolutions and pauses are recorded by the SLA actions
    (engine.services.sla.clock), by replies to the customer (customer_contact) and by imports and tests writing rows;
    reopening keeps ``resolved_at`` (the clock was stopped once), so its hours stay those of the first resolution.
    """
    complaint.first_response_hours = first_response_hours(complaint.created_at, complaint.first_response_at)
    complaint.resolution_net_hours = resolution_net_hours(
        complaint.created_at, complaint.resolved_at, complaint.sla_pauses
    )


def complaint_of_instance(session: Session, instance_id: int) -> Complaint | None:
    """The complaint a process instance handles, if it was opened as one.

    One unit of work asks this several times (SLA actions, the complaint's columns, the task rows' copies):
    a complaint this session already holds is taken from it instead of being selected again. Only a loaded
    ``instance_id`` is compared, so no expired row is refreshed by looking. The one found is held for the
    transaction (``transaction_memo``): the identity map alone forgot it as soon as the asking action returned.
    """
    held = memo(session, "complaint_of_instance")
    candidates = [held[instance_id]] if instance_id in held else []
    for candidate in [*candidates, *session.identity_map.values()]:
        if (
            isinstance(candidate, Complaint)
            and candidate.__dict__.get("instance_id") == instance_id
            and candidate not in session.deleted
            and candidate in session
        ):
            return candidate
    found = session.scalars(select(Complaint).where(Complaint.instance_id == instance_id)).first()
    if found is not None:
        memo(session, "complaint_of_instance")[instance_id] = found  # the select may have begun the transaction
    return found
