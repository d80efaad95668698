"""Once-only intake: a request that carries a key opens at most one complaint, however often it arrives.

The public form carries a single-use token rendered into it; API clients send an ``Idempotency-Key``
header; mails have their Message-ID (engine.store.channels.InboundMail). The key row is the first write of
the unit of work that opens the complaint, unique per scope, so of two simultaneous requests with one key
the second waits for the first (PostgreSQL: the unique index; SQLite: the single writer) and then finds its
complaint instead of opening another.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.domain.errors import Conflict
from engine.domain.messages import msg
from engine.store.channels import IntakeKey
from engine.store.complaints import Complaint

# Keys older than this are forgotten (pruned as new ones arrive); a retry comes within minutes, not weeks.
KEEP = timedelta(days=7)
MAX_KEY_LENGTH = 255


class KeyReused(Conflict):
    """The key was used before for a different request."""


@dataclass(frozen=True)
class OnceKey:
    """A request's key (``scope`` keeps the keys of different clients apart) and a hash of its content."""

    scope: str
    key: str
    fingerprint: str

    @property
    def key_hash(self) -> str:
        return hashlib.sha256(self.key.encode("utf-8")).hexdigest()


def fingerprint(*parts: object) -> str:
    """A stable hash of what a request asked for (to tell a retry from a different request with the same key)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def _row(session: Session, once: OnceKey) -> IntakeKey | None:
    return session.scalars(
        select(IntakeKey).where(IntakeKey.scope == once.scope, IntakeKey.key_hash == once.key_hash)
    ).first()


def opened_before(session: Session, once: OnceKey) -> Complaint | None:
    """The complaint this key opened before, or None; KeyReused when it came with a different request."""
    row = _row(session, once)
    if row is None:
        return None
    if row.fingerprint != once.fingerprint:
        raise KeyReused(msg("intake.key_reused"))
    return session.get(Complaint, row.complaint_id) if row.complaint_id is not None else None


def claim(session: Session, once: OnceKey, now: datetime) -> IntakeKey:
    """Write the key row first (flushed at once): a second request with the key waits or fails here."""
    session.execute(delete(IntakeKey).where(IntakeKey.created_at < now - KEEP))
    row = IntakeKey(scope=once.scope, key_hash=once.key_hash, fingerprint=once.fingerprint, created_at=now)
    session.add(row)
    session.flush()
    return row
