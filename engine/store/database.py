"""Database connection: SQLite (WAL) by default, PostgreSQL in production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# Every session keeps the returns' per-day summary in step with the complaints it writes: importing the module
# registers its flush listeners, whichever models the caller imported itself.
from engine.store import return_days as _return_days  # noqa: F401

DEFAULT_LOCK_WAIT_MS = 5000
# Session.info key: how long a unit of work retries a write that found the database locked (seconds).
WRITE_RETRY_SECONDS = "complaintflow.write_retry_seconds"
COMPANY_NAME_DEFAULT = "complaintflow.company_name"
DEFAULT_WRITE_RETRY_SECONDS = 20.0


def _sqlite_setup(lock_wait_ms: int) -> Any:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        _configure_sqlite(dbapi_connection, lock_wait_ms)

    return configure


def _configure_sqlite(dbapi_connection: Any, lock_wait_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (task lists) go on while a writer commits; the busy timeout makes a second writer
    # wait for the lock instead of failing at once (engine.services.unit_of_work retries after that).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(lock_wait_ms)}")
    # Erased or pseudonymised personal data must not linger in the file's free pages, where any copy of
    # the database file would still carry it (data protection; the cost is writing zeros on delete).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def make_engine(url: str, lock_wait_ms: int = DEFAULT_LOCK_WAIT_MS, **kwargs: Any) -> Engine:
    """Create the SQLAlchemy engine; creates the SQLite file's folder when needed.

    ``lock_wait_ms`` bounds how long one statement waits for a lock another writer holds (SQLite's busy
    timeout, PostgreSQL's lock_timeout); the unit of work then retries, so a busy database delays a write
    instead of hanging a request or losing it.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_setup(lock_wait_ms))
        return engine
    if parsed.get_backend_name() == "postgresql":
        connect_args = dict(kwargs.pop("connect_args", {}))
        options = connect_args.get("options", "")
        connect_args["options"] = f"{options} -c lock_timeout={int(lock_wait_ms)}".strip()
        kwargs["connect_args"] = connect_args
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(
    engine: Engine, write_retry_seconds: float = DEFAULT_WRITE_RETRY_SECONDS, company_name: str | None = None
) -> sessionmaker[Session]:
    """Sessions never expire on commit: services return loaded rows to their callers.

    ``write_retry_seconds`` is how long a unit of work retries a write the database refused as locked or
    busy before it gives up with DatabaseBusy (see engine.services.unit_of_work). ``company_name`` is the
    default company name (``COMPLAINTFLOW_COMPANY_NAME``) until an admin sets one (engine.services.company).
    """
    info: dict[str, object] = {WRITE_RETRY_SECONDS: write_retry_seconds, COMPANY_NAME_DEFAULT: company_name}
    return sessionmaker(engine, expire_on_commit=False, info=info)
