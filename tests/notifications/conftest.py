"""Fixtures for channel tests: a real SMTP server on loopback and the wait-for-customer process."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.conftest import DatabaseUnderTest
from tests.notifications.helpers import Clock, SmtpServer, WebhookReceiver, deploy_wait_process


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    hook = WebhookReceiver().start()
    yield hook
    hook.stop()


@pytest.fixture
def clock(now: datetime) -> Clock:
    return Clock(now)


@pytest.fixture
def process(database: DatabaseUnderTest, now: datetime) -> None:
    with database.session() as session:
        deploy_wait_process(session, now)
