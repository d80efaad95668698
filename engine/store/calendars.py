"""Business calendars kept in the database, one row per saved version (admins edit them in the browser)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base

# A pinned key "name@revision" must fit complaint.sla_calendar (50 characters).
NAME_MAX = 40


class BusinessCalendarVersion(Base):
    """One saved version of a named calendar; the highest revision is in force, ``deleted`` retires the name.

    Older versions stay: a complaint whose clock started on one keeps computing with it (``name@revision``).
    """

    __tablename__ = "business_calendar_version"
    __table_args__ = (UniqueConstraint("name", "revision", name="uq_business_calendar_version_name_revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    revision: Mapped[int] = mapped_column(Integer)
    team: Mapped[str | None] = mapped_column(String(63))
    timezone: Mapped[str] = mapped_column(String(64))
    # Seven entries, Monday first, each "08:00-12:00, 13:00-17:00" or "" for a closed day.
    week: Mapped[list[str]] = mapped_column(JSON, default=list)
    country: Mapped[str | None] = mapped_column(String(10))
    subdivision: Mapped[str | None] = mapped_column(String(10))
    closing_days: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO dates
    always_open: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime]
