"""Web settings from ``COMPLAINTFLOW_*`` variables, on top of the engine's settings."""

from __future__ import annotations

import os
import secrets
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
        instance_path.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        # O_EXCL: of two workers starting at once, one writes and both read the same key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text(encoding="ascii").strip()
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key)
        return key


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
