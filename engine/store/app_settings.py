"""Settings an admin changes in the browser (the company name), one row per key; the COMPLAINTFLOW_* environment
variable of the same setting is only the default while no row exists."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base


class AppSetting(Base):
    """One setting: its value, and who changed it last and when (the audit trail keeps every change)."""

    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(150))
