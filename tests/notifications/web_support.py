"""The web app on the test database, with channel settings, and a client that fills in CSRF tokens."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

from tests.conftest import DatabaseUnderTest
from tests.notifications.helpers import channel_settings, free_port
from tests.webui.support import app_context, make_app

BASE_URL = "https://localhost"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def portal_app(database: DatabaseUnderTest, now: datetime, instance: Path) -> Flask:
    context = app_context(database.url, database.engine, database.sessions, instance)
    settings = channel_settings(free_port(), intake_process="customer_wait", max_attachment_bytes=64 * 1024)
    return make_app(context, now, CHANNEL_SETTINGS=settings)


class PortalClient:
    """An anonymous visitor over HTTPS; ``remote`` sets the client address (for the rate limits)."""

    def __init__(self, app: Flask, remote: str = "203.0.113.7") -> None:
        self.http = app.test_client()
        self.remote = remote
        self._token: str | None = None

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.http.get(path, base_url=BASE_URL, environ_base={"REMOTE_ADDR": self.remote}, **kwargs)

    def token(self) -> str:
        if self._token is None:
            match = _CSRF.search(self.get("/portal/").get_data(as_text=True))
            assert match, "no CSRF token on the form"
            self._token = match.group(1)
        return self._token

    def post(self, path: str, data: dict[str, Any], **kwargs: Any) -> TestResponse:
        values = {"csrf_token": self.token(), **data}
        return self.http.post(
            path,
            data=values,
            base_url=BASE_URL,
            headers={"Referer": f"{BASE_URL}/portal/"},
            environ_base={"REMOTE_ADDR": self.remote},
            **kwargs,
        )
