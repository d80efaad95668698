"""Building the database engine and session factory from settings, once per process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.runtime import limits
from engine.services.sla.calendar_config import register_configured_calendars
from engine.settings import Settings, load_settings
from engine.store.database import make_engine, make_session_factory


@dataclass
class AppContext:
    """What every entry point (CLI, web app, scheduler) needs: settings and a way to open sessions."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One session per command or request; services commit, this only closes."""
        session = self.sessions()
        try:
            yield session
        finally:
            session.close()


def make_context(settings: Settings | None = None) -> AppContext:
    """Context for the given settings (default: from the environment)."""
    settings = settings or load_settings()
    register_configured_calendars(settings)
    # Every process that runs the engine (web workers, scheduler, CLI) gets here: one place for the limits.
    limits.configure(settings.engine_limits)
    engine = make_engine(settings.database_url, lock_wait_ms=settings.lock_wait_ms)
    sessions = make_session_factory(engine, settings.write_retry_seconds, settings.company_name)
    return AppContext(settings, engine, sessions)


def utcnow() -> datetime:
    """The real clock, read only at the edges (CLI, web, scheduler) and passed down as ``now``."""
    return datetime.now(UTC)
