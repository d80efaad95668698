"""Behind a reverse proxy: the portal's rate limit counts the customer's address, not the proxy's."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask

from tests.conftest import DatabaseUnderTest
from tests.notifications.helpers import channel_settings, free_port
from tests.notifications.web_support import PortalClient
from tests.webui.support import app_context, make_app

PROXY = "127.0.0.1"


def _app(database: DatabaseUnderTest, now: datetime, instance: Path, hops: int) -> Flask:
    context = app_context(database.url, database.engine, database.sessions, instance)
    settings = channel_settings(free_port(), intake_process="customer_wait")
    return make_app(context, now, CHANNEL_SETTINGS=settings, PROXY_HOPS=hops)


def _submit(client: PortalClient, forwarded_for: str, email: str) -> int:
    form: dict[str, Any] = {
        "customer_name": "Erika Muster",
        "customer_email": email,
        "category": "product",
        "subject": "Kettle broken",
        "description": "It stopped working after two days.",
    }
    return client.post("/portal/", form, headers_extra={"X-Forwarded-For": forwarded_for}).status_code


class ProxiedClient(PortalClient):
    """Every request arrives from the proxy's address with the customer's address forwarded."""

    def post(self, path: str, data: dict[str, Any], **kwargs: Any) -> Any:  # type: ignore[override]
        extra = kwargs.pop("headers_extra", {})
        values = {"csrf_token": self.token(), **data}
        return self.http.post(
            path,
            data=values,
            base_url="https://localhost",
            headers={"Referer": "https://localhost/portal/", **extra},
            environ_base={"REMOTE_ADDR": self.remote},
        )


def test_with_one_trusted_hop_each_customer_has_their_own_limit(
    database: DatabaseUnderTest, process: None, now: datetime, tmp_path: Path
) -> None:
    client = ProxiedClient(_app(database, now, tmp_path / "instance", hops=1), remote=PROXY)
    # Twelve customers through the same proxy: without the forwarded address the sixth would be refused.
    statuses = [_submit(client, f"198.51.100.{i}", f"c{i}@example.org") for i in range(12)]
    assert statuses == [200] * 12
    # One customer still gets five an hour, however many addresses they put in front of the real one:
    # with one trusted hop only the address the proxy itself appended counts.
    forged = [_submit(client, f"10.9.9.{i}, 203.0.113.50", f"f{i}@example.org") for i in range(6)]
    assert forged == [200] * 5 + [429]


def test_without_configured_hops_forwarded_addresses_are_ignored(
    database: DatabaseUnderTest, process: None, now: datetime, tmp_path: Path
) -> None:
    client = ProxiedClient(_app(database, now, tmp_path / "instance", hops=0), remote=PROXY)
    statuses = [_submit(client, f"198.51.100.{i}", f"c{i}@example.org") for i in range(6)]
    assert statuses == [200] * 5 + [429], "a client-supplied X-Forwarded-For must not lift the limit"
