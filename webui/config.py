"""Web settings from ``COMPLAINTFLOW_*`` variables, on top of the engine's settings."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from engine.settings import Settings


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def secret_key(instance_path: Path, environ: dict[str, str] | os._Environ[str]) -> str:
    """COMPLAINTFLOW_SECRET_KEY, or a random key kept in the instance folder so every worker shares it."""
    if environ.get("COMPLAINTFLOW_SECRET_KEY"):
        return environ["COMPLAINTFLOW_SECRET_KEY"]
    path = instance_path / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    instance_path.mkdir(parents=True, exist_ok=True)
    # Write the whole key to a private temporary file, then hard-link it into place: the link is atomic
    # and fails if the file exists, so of several workers starting at once exactly one key wins and no
    # worker can read a half-written (empty) file, which would give it a key of its own.
    descriptor, temporary = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return path.read_text(encoding="ascii").strip()


def flask_config(settings: Settings, environ: dict[str, str] | os._Environ[str] | None = None) -> dict[str, Any]:
    """Flask configuration: secure cookies, CSRF, languages and time zone."""
    env = os.environ if environ is None else environ
    secure = _flag(env.get("COMPLAINTFLOW_SECURE_COOKIES"), True)
    return {
        "SECRET_KEY": secret_key(settings.instance_path, env),
        "SESSION_COOKIE_NAME": "complaintflow_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": env.get("COMPLAINTFLOW_TIMEZONE") or "Europe/Berlin",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": ("en", "de"),
    }
