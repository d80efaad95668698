"""Upkeep of SQLite's full-text indexes of the task list search (migration 0010)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

FTS_TABLES = ("complaint_fts", "human_task_fts")


def purge_deleted_entries(session: Session) -> None:
    """Merge the SQLite FTS5 indexes so that entries of erased texts leave the stored index pages.

    FTS5 deletes by appending tombstones: until its segments are merged, the index pages still hold the
    trigrams of a pseudonymised name or text. An erasure must not leave them behind, so the services
    that erase call this before they commit. PostgreSQL's trigram indexes have no such copies.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    present = set(
        session.scalars(
            text("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('complaint_fts', 'human_task_fts')")
        )
    )
    for table in FTS_TABLES:
        if table in present:
            session.execute(text(f"INSERT INTO {table}({table}) VALUES ('optimize')"))
