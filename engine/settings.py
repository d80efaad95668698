"""Settings from ``COMPLAINTFLOW_*`` environment variables, read once into one object."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from engine.runtime.limits import EngineLimits


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; build with :func:`load_settings` or directly in tests."""

    database_url: str
    instance_path: Path
    port: int = 5000
    # JSON or TOML file with extra business calendars (engine/services/sla/calendar_config.py).
    calendars_file: Path | None = None
    # Days after closure until the retention clean-up pseudonymises a complaint; None: no clean-up.
    retention_days: int | None = None
    # COMPLAINTFLOW_COMPANY_NAME: the company name on letters and e-mails until an admin sets one in the browser.
    company_name: str | None = None
    # A write that finds the database locked or busy waits up to lock_wait_ms per attempt (SQLite's busy
    # timeout, PostgreSQL's lock_timeout) and is retried with backoff for up to write_retry_seconds.
    write_retry_seconds: float = 20.0
    lock_wait_ms: int = 5000
    # Step budget per unit of work and the CPU/data limits of scripts (engine/runtime/limits.py).
    engine_limits: EngineLimits = field(default_factory=EngineLimits)


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
        company_name=(env.get("COMPLAINTFLOW_COMPANY_NAME") or "").strip() or None,
        write_retry_seconds=_positive(env, "COMPLAINTFLOW_DB_RETRY_SECONDS", 20.0),
        lock_wait_ms=int(_positive(env, "COMPLAINTFLOW_DB_LOCK_WAIT_MS", 5000)),
        engine_limits=engine_limits(env),
    )


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number from the environment, or ``default`` when unset or empty."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 86400:  # also refuses nan and inf
        raise ValueError(f"{name} must be a positive number, not {raw!r}")
    return value


def engine_limits(env: Mapping[str, str]) -> EngineLimits:
    """COMPLAINTFLOW_STEP_BUDGET, COMPLAINTFLOW_SCRIPT_CPU_SECONDS and COMPLAINTFLOW_SCRIPT_MEMORY_MB."""
    defaults = EngineLimits()
    try:
        return EngineLimits(
            step_budget=int(env.get("COMPLAINTFLOW_STEP_BUDGET") or defaults.step_budget),
            script_cpu_seconds=float(env.get("COMPLAINTFLOW_SCRIPT_CPU_SECONDS") or defaults.script_cpu_seconds),
            script_memory_bytes=int(
                float(env.get("COMPLAINTFLOW_SCRIPT_MEMORY_MB") or defaults.script_memory_bytes / 2**20) * 2**20
            ),
        )
    except ValueError as error:
        raise ValueError(f"engine limits: {error}") from None


def _retention_days(raw: str | None) -> int | None:
    """COMPLAINTFLOW_RETENTION_DAYS: a positive whole number of days, or unset/empty for no clean-up."""
    if raw is None or not raw.strip():
        return None
    if not raw.strip().isdigit() or int(raw) < 1:
        raise ValueError(f"COMPLAINTFLOW_RETENTION_DAYS must be a positive number of days, not {raw!r}")
    return int(raw)


def secret_key(instance_path: Path, environ: Mapping[str, str]) -> str:
    """COMPLAINTFLOW_SECRET_KEY, or a random key kept in the instance folder so every process shares it.

    The web workers sign sessions and CSRF tokens with it, the dispatcher signs the status links it mails:
    all processes of one desk must read the same key. On one machine the instance folder does that; with
    several app servers the operator sets COMPLAINTFLOW_SECRET_KEY (docs/production.md).
    """
    if environ.get("COMPLAINTFLOW_SECRET_KEY"):
        return environ["COMPLAINTFLOW_SECRET_KEY"]
    path = instance_path / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    instance_path.mkdir(parents=True, exist_ok=True)
    # Write the whole key to a private temporary file, then hard-link it into place: the link is atomic
    # and fails if the file exists, so of several processes starting at once exactly one key wins and no
    # process can read a half-written (empty) file, which would give it a key of its own.
    descriptor, temporary = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return path.read_text(encoding="ascii").strip()
