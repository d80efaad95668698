"""Sign-in throttling that slows a guesser down without letting anyone lock a user out.

Failures are counted per (user name, client address) pair: after a few free tries each further attempt from
that address for that name must wait twice as long as the one before (1 s, 2 s, 4 s, ... up to the window).
A guesser elsewhere therefore never stops the owner signing in from their own address. Two wider rules catch
what pairs miss, again only at the guesser's cost: one address failing for many names (password spraying) is
slowed as a whole, and when one name fails from very many addresses (a botnet), addresses that never signed
in as that user are slowed, while addresses the owner has used stay free. Attempts refused while slowed are
not counted: waiting, not hammering, is what gets a guesser another try.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from engine.store.users import LoginAttempt

WINDOW = timedelta(minutes=15)
FREE_FAILURES_PER_PAIR = 5
FREE_FAILURES_PER_ADDRESS = 20
# Failures of one name from all addresses before addresses new to that user are slowed.
FREE_FAILURES_PER_USER = 50
FIRST_DELAY = timedelta(seconds=1)
# An address the owner signed in from within this time counts as theirs.
KNOWN_ADDRESS = timedelta(days=90)


def _failures(session: Session, where: ColumnElement[bool], since: datetime) -> tuple[int, datetime | None]:
    query = select(func.count(LoginAttempt.id), func.max(LoginAttempt.at)).where(
        where, LoginAttempt.at >= since, LoginAttempt.success.is_(False)
    )
    count, last = session.execute(query).one()
    return int(count or 0), last


def _wait(count: int, free: int, last: datetime | None, now: datetime) -> timedelta:
    """How much longer to wait after ``count`` failures (the last at ``last``) when ``free`` cost nothing."""
    if count < free or last is None:
        return timedelta(0)
    delay = min(FIRST_DELAY * 2 ** min(count - free, 20), WINDOW)
    return max(timedelta(0), last + delay - now)


def _known_address(session: Session, username: str, remote_addr: str, now: datetime) -> bool:
    query = select(LoginAttempt.id).where(
        LoginAttempt.username == username,
        LoginAttempt.remote_addr == remote_addr,
        LoginAttempt.success.is_(True),
        LoginAttempt.at >= now - KNOWN_ADDRESS,
    )
    return session.scalars(query.limit(1)).first() is not None


def wait_before_attempt(session: Session, username: str, remote_addr: str, now: datetime) -> timedelta:
    """How long this address must still wait before it may try this name again (zero: go ahead)."""
    since = now - WINDOW
    pair = and_(LoginAttempt.username == username, LoginAttempt.remote_addr == remote_addr)
    pair_count, pair_last = _failures(session, pair, since)
    waits = [_wait(pair_count, FREE_FAILURES_PER_PAIR, pair_last, now)]
    address_count, address_last = _failures(session, LoginAttempt.remote_addr == remote_addr, since)
    waits.append(_wait(address_count, FREE_FAILURES_PER_ADDRESS, address_last, now))
    user_count, user_last = _failures(session, LoginAttempt.username == username, since)
    if user_count >= FREE_FAILURES_PER_USER and not _known_address(session, username, remote_addr, now):
        waits.append(_wait(user_count, FREE_FAILURES_PER_USER, user_last, now))
    return max(waits)
