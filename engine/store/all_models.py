"""Imports every model module so that ``Base.metadata`` knows all tables (Alembic, tests)."""

from engine.store import (
    casework,
    channels,
    complaints,
    element_visits,
    external_tasks,
    knowledge,
    models,
    outbox,
    users,
)

Base = models.Base

__all__ = [
    "Base",
    "casework",
    "channels",
    "complaints",
    "element_visits",
    "external_tasks",
    "knowledge",
    "models",
    "outbox",
    "users",
]
