"""Reading and writing the upgrade fixtures: every stored row of one database, as JSON.

A fixture is the database truth an upgrade finds: the rows of every table (instance state bytes, process
versions, task, timer, subscription, audit and outbox rows) at the schema revision that wrote them. Loading
one builds a fresh database at that revision with the migrations, inserts the rows through tables reflected
from that database (never through today's models, which may have moved on), and then runs the migrations up
to today's head, exactly as an upgrade of a running installation would.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, select, text
from sqlalchemy.types import DateTime, Integer

from engine.store import schema

FIXTURES = Path(__file__).parent / "fixtures"

# Values JSON cannot carry are tagged: {"$datetime": "..."} and so on.
_TAGS = ("$datetime", "$date", "$decimal", "$bytes")


def encode_value(value: Any) -> Any:
    """A column value as JSON (JSON columns pass through as the structures they hold)."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, bytes | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def decode_value(value: Any) -> Any:
    """The inverse of :func:`encode_value`."""
    if isinstance(value, dict) and len(value) == 1:
        ((tag, raw),) = value.items()
        if tag == "$datetime":
            return datetime.fromisoformat(raw)
        if tag == "$date":
            return date.fromisoformat(raw)
        if tag == "$decimal":
            return Decimal(raw)
        if tag == "$bytes":
            return base64.b64decode(raw)
    return value


def dump_database(engine: Engine, tables: list[Any]) -> dict[str, list[dict[str, Any]]]:
    """Every row of ``tables`` (SQLAlchemy tables with today's column types), ordered by primary key."""
    rows: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as connection:
        for table in tables:
            ordered = select(table).order_by(*table.primary_key.columns)
            found = [
                {key: encode_value(value) for key, value in row._mapping.items()} for row in connection.execute(ordered)
            ]
            if found:
                rows[table.name] = found
    return rows


def read_fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def fixture_names() -> list[str]:
    return sorted(path.stem for path in FIXTURES.glob("*.json"))


def _as_stored(value: Any, column: Any, dialect: str) -> Any:
    value = decode_value(value)
    if isinstance(value, datetime) and isinstance(column.type, DateTime) and dialect == "sqlite":
        # What the application's UTCDateTime writes on SQLite: naive UTC.
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def load_fixture(engine: Engine, fixture: dict[str, Any], *, to_head: bool = True) -> None:
    """Build the fixture's database in the empty database behind ``engine``, then upgrade it to today's head
    (``to_head=False``: leave it at the fixture's revision, as the old release left it)."""
    schema.upgrade(engine, fixture["schema_revision"])
    reflected = MetaData()
    reflected.reflect(engine)
    dialect = engine.dialect.name
    with engine.begin() as connection:
        for table in reflected.sorted_tables:
            rows = fixture["rows"].get(table.name)
            if not rows:
                continue
            values = [
                {key: _as_stored(value, table.columns[key], dialect) for key, value in row.items()} for row in rows
            ]
            connection.execute(table.insert(), values)
        if dialect == "postgresql":
            # Explicit ids leave the sequences behind; the next insert must not collide with a loaded row.
            for table in reflected.sorted_tables:
                id_column = table.columns.get("id")
                if id_column is None or not isinstance(id_column.type, Integer) or table.name not in fixture["rows"]:
                    continue
                sequence = connection.scalar(text(f"SELECT pg_get_serial_sequence('{table.name}', 'id')"))
                if sequence is not None:
                    connection.execute(text(f"SELECT setval('{sequence}', (SELECT max(id) FROM {table.name}))"))
    missing = set(fixture["rows"]) - set(reflected.tables)
    assert not missing, f"the fixture has rows for tables the schema at its revision lacks: {sorted(missing)}"
    if to_head:
        schema.upgrade(engine)
