"""Settings from ``COMPLAINTFLOW_*`` environment variables, read once into one object."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; build with :func:`load_settings` or directly in tests."""

    database_url: str
    instance_path: Path
    port: int = 5000
    # JSON or TOML file with extra business calendars (engine/services/calendar_config.py).
    calendars_file: Path | None = None
    # Days after closure until the retention clean-up pseudonymises a complaint; None: no clean-up.
    retention_days: int | None = None


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read the environment; the default database is a SQLite file in the instance folder."""
    env = os.environ if environ is None else environ
    instance_path = Path(env.get("COMPLAINTFLOW_INSTANCE_PATH") or Path.cwd() / "instance")
    database_url = env.get("COMPLAINTFLOW_DATABASE_URL") or f"sqlite:///{instance_path / 'complaintflow.db'}"
    return Settings(
        database_url=database_url,
        instance_path=instance_path,
        port=int(env.get("COMPLAINTFLOW_PORT", "5000")),
        calendars_file=Path(env["COMPLAINTFLOW_CALENDARS_FILE"]) if env.get("COMPLAINTFLOW_CALENDARS_FILE") else None,
        retention_days=_retention_days(env.get("COMPLAINTFLOW_RETENTION_DAYS")),
    )


def _retention_days(raw: str | None) -> int | None:
    """COMPLAINTFLOW_RETENTION_DAYS: a positive whole number of days, or unset/empty for no clean-up."""
    if raw is None or not raw.strip():
        return None
    if not raw.strip().isdigit() or int(raw) < 1:
        raise ValueError(f"COMPLAINTFLOW_RETENTION_DAYS must be a positive number of days, not {raw!r}")
    return int(raw)
