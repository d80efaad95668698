"""Sign-in throttling that cannot be turned against a user (issue 13).

Guessing slows the guessing address down (per name and address, then doubling waits); it never stops the
owner signing in from their own address, whatever happens elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from engine.store.users import LoginAttempt
from tests.conftest import DatabaseUnderTest
from tests.webui.support import Client, Seeded, app_context, make_app

OWNER, GUESSER = "203.0.113.10", "198.51.100.66"


class Desk:
    """The web app with a clock the test moves, and sign-ins from a chosen address."""

    def __init__(self, database: DatabaseUnderTest, now: datetime, instance: Path) -> None:
        self.now = now
        context = app_context(database.url, database.engine, database.sessions, instance)
        self.app = make_app(context, now, CLOCK=lambda: self.now)

    def sign_in(self, address: str, username: str, password: str) -> TestResponse:
        client = Client(self.app)
        return client.post(
            "/sign-in", {"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}
        )

    def later(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def desk(database: DatabaseUnderTest, seeded: Seeded, now: datetime, tmp_path: Path) -> Iterator[Desk]:
    yield Desk(database, now, tmp_path / "instance")


def _failures(database: DatabaseUnderTest) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).where(LoginAttempt.success.is_(False))) or 0


def test_a_hundred_wrong_passwords_from_elsewhere_do_not_stop_the_owner(
    desk: Desk, database: DatabaseUnderTest
) -> None:
    statuses = [desk.sign_in(GUESSER, "lead", f"guess-{n}").status_code for n in range(100)]
    assert statuses == [401] * 5 + [429] * 95
    refused = desk.sign_in(GUESSER, "lead", "demo")
    assert refused.status_code == 429  # the guesser cannot even confirm the right password now
    assert refused.headers["Retry-After"] == "1"
    assert "Please wait 1 second and try again" in refused.get_data(as_text=True)
    assert _failures(database) == 5  # refused attempts are not counted: waiting is the only way on

    # The owner, from their own address, signs in at once (a first sign-in from there, too).
    owner = desk.sign_in(OWNER, "lead", "demo")
    assert owner.status_code == 302, owner.get_data(as_text=True)


def test_the_guesser_waits_twice_as_long_after_each_further_failure(desk: Desk) -> None:
    for n in range(5):
        assert desk.sign_in(GUESSER, "agent", f"guess-{n}").status_code == 401
    waits = []
    for wait in (1, 2, 4, 8):
        early = desk.sign_in(GUESSER, "agent", "guess")
        assert early.status_code == 429 and early.headers["Retry-After"] == str(wait)
        desk.later(wait - 0.5)
        assert desk.sign_in(GUESSER, "agent", "guess").status_code == 429
        desk.later(0.5)
        assert desk.sign_in(GUESSER, "agent", "guess").status_code == 401
        waits.append(wait)
    assert waits == [1, 2, 4, 8]
    # After the window, the guesser's failures are forgotten; the owner was never held up.
    assert desk.sign_in(OWNER, "agent", "demo").status_code == 302
    desk.later(15 * 60 + 1)
    assert desk.sign_in(GUESSER, "agent", "demo").status_code == 302


def test_one_address_trying_many_names_is_slowed_down_only_there(desk: Desk) -> None:
    for n in range(20):
        assert desk.sign_in(GUESSER, f"nobody{n}", "guess").status_code == 401
    assert desk.sign_in(GUESSER, "manager", "demo").status_code == 429
    assert desk.sign_in(OWNER, "manager", "demo").status_code == 302


def test_a_name_guessed_from_many_addresses_slows_new_addresses_not_the_owners(
    desk: Desk, database: DatabaseUnderTest
) -> None:
    assert desk.sign_in(OWNER, "admin", "demo").status_code == 302  # the owner's usual address
    for n in range(50):
        assert desk.sign_in(f"198.51.100.{n + 1}", "admin", "guess").status_code == 401
    assert desk.sign_in("192.0.2.200", "admin", "demo").status_code == 429  # new to this user: slowed
    desk.later(1)
    assert desk.sign_in("192.0.2.200", "admin", "demo").status_code == 302  # slowed, not locked out
    assert desk.sign_in(OWNER, "admin", "demo").status_code == 302
    assert _failures(database) == 50


def test_behind_the_proxy_the_guesser_and_the_owner_are_told_apart(
    database: DatabaseUnderTest, seeded: Seeded, now: datetime, tmp_path: Path
) -> None:
    """With nginx in front (COMPLAINTFLOW_PROXY_HOPS=1, docs/production.md) every request comes from the proxy's
    address; throttling and the attempt log must see the address nginx appended to X-Forwarded-For."""
    context = app_context(database.url, database.engine, database.sessions, tmp_path / "instance")
    app = make_app(context, now, PROXY_HOPS=1)

    def sign_in(forwarded_for: str, password: str) -> TestResponse:
        return Client(app).post(
            "/sign-in",
            {"username": "lead", "password": password},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
            headers={"X-Forwarded-For": forwarded_for},
        )

    assert [sign_in(GUESSER, f"guess-{n}").status_code for n in range(6)] == [401] * 5 + [429]
    assert sign_in(OWNER, "demo").status_code == 302  # same proxy, another customer address: not held up
    with database.session() as session:
        addresses = set(session.scalars(select(LoginAttempt.remote_addr)))
    assert addresses == {GUESSER, OWNER}
