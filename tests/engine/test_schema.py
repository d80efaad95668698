"""The Alembic migrations create exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from engine.store import schema
from engine.store.all_models import Base
from engine.store.tasklist import TEXT_SEARCH_OBJECTS
from tests.conftest import DatabaseUnderTest


def test_migrations_match_models(database: DatabaseUnderTest) -> None:
    with database.engine.connect() as connection:
        # The text search indexes (pg_trgm on PostgreSQL, FTS5 on SQLite) are not declared by the models.
        opts = {"compare_type": True, "include_name": lambda name, kind, _parent: name not in TEXT_SEARCH_OBJECTS}
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, Base.metadata) == []
    assert schema.current_revision(database.engine) == schema.head_revision()


def test_upgrade_is_idempotent(database: DatabaseUnderTest) -> None:
    schema.upgrade(database.engine)
    assert schema.current_revision(database.engine) == schema.head_revision()
