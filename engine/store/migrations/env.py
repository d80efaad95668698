"""Alembic environment: runs with the connection the engine hands in (see engine.store.schema)."""

from __future__ import annotations

from alembic import context

from engine.store.all_models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through engine.store.schema.upgrade(), which provides the connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
