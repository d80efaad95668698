"""The public channels' rate-limit ledger: hits per client key (a hash of an address or e-mail) and bucket.

A hit that guards a write is counted in the same unit of work as the write (``Hit`` passed to the use
case): a busy database then loses both or stores both, never a counted submission that did not happen.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine.domain.errors import ComplaintflowError
from engine.domain.messages import msg
from engine.store.channels import PortalHit


class RateLimited(ComplaintflowError):
    """Too many requests from one client (address or e-mail) in the time window."""


@dataclass(frozen=True)
class Hit:
    """One request to count: per key, at most ``limit`` in ``window``."""

    bucket: str
    keys: tuple[str, ...]
    limit: int
    window: timedelta


def client_key(value: str) -> str:
    """What the rate-limit ledger stores instead of an address: a hash."""
    return hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()


def add_hit(session: Session, hit: Hit, now: datetime) -> None:
    """Add the hit to the session (the caller commits); RateLimited, with nothing added, when over the limit."""
    hashed = [client_key(key) for key in hit.keys if key]
    # Old entries are pruned as we go, so the ledger stays small without a cleanup job.
    session.execute(delete(PortalHit).where(PortalHit.at < now - timedelta(days=1)))
    for key in hashed:
        recent = session.scalar(
            select(func.count()).where(
                PortalHit.bucket == hit.bucket, PortalHit.client_key == key, PortalHit.at > now - hit.window
            )
        )
        if int(recent or 0) >= hit.limit:
            raise RateLimited(msg("intake.rate_limited"))
    for key in hashed:
        session.add(PortalHit(bucket=hit.bucket, client_key=key, at=now))
