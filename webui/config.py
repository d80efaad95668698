"""Web settings from ``COMPLAINTFLOW_*`` variables, on top of the engine's settings."""

from __future__ import annotations

import os
from typing import Any

from engine.settings import Settings, secret_key
from notifications.i18n import CATALOGUE


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _whole_number(raw: str | None, name: str) -> int:
    if raw is None or not raw.strip():
        return 0
    if not raw.strip().isascii() or not raw.strip().isdigit():
        raise ValueError(f"{name} must be a whole number (the reverse proxies in front of the app), not {raw!r}")
    return int(raw)


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
        "BABEL_TRANSLATION_DIRECTORIES": str(CATALOGUE),  # one catalogue for pages and mails
        "LANGUAGES": ("en", "de"),
        "PROXY_HOPS": _whole_number(env.get("COMPLAINTFLOW_PROXY_HOPS"), "COMPLAINTFLOW_PROXY_HOPS"),
        # Set by `complaintflow run` when it keeps mails in a local catcher (no SMTP server): the mail page.
        "MAIL_CATCHER_DIR": env.get("COMPLAINTFLOW_MAIL_CATCHER_DIR") or None,
    }
