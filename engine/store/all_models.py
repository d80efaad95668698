"""Imports every model module so that ``Base.metadata`` knows all tables (Alembic, tests)."""

from engine.store import (
    app_settings,
    calendars,
    casework,
    channels,
    complaints,
    element_visits,
    external_tasks,
    knowledge,
    models,
    outbox,
    regulation,
    return_days,
    users,
)

Base = models.Base

__all__ = [
    "Base",
    "app_settings",
    "calendars",
    "casework",
    "channels",
    "complaints",
    "element_visits",
    "external_tasks",
    "knowledge",
    "models",
    "outbox",
    "regulation",
    "return_days",
    "users",
]
