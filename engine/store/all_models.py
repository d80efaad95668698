"""Imports every model module so that ``Base.metadata`` knows all tables (Alembic, tests)."""

from engine.store import casework, complaints, knowledge, models, outbox, users

Base = models.Base

__all__ = ["Base", "casework", "complaints", "knowledge", "models", "outbox", "users"]
