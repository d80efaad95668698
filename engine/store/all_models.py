"""Imports every model module so that ``Base.metadata`` knows all tables (Alembic, tests)."""

from engine.store import complaints, models, outbox

Base = models.Base

__all__ = ["Base", "complaints", "models", "outbox"]
