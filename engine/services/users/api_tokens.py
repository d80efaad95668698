"""REST API clients: tokens that act as a named user with groups and roles. Only a hash is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor, make_actor
from engine.domain.errors import FormValidationError, NotFound, PermissionDenied
from engine.domain.messages import msg
from engine.domain.roles import ROLE_ADMIN
from engine.services.audit import record
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.channels import ApiToken

PREFIX = "cft_"
_TOUCH_EVERY = timedelta(hours=1)
SCOPE_READ, SCOPE_INTAKE, SCOPE_FULL = "read", "intake", "full"
SCOPES = (SCOPE_READ, SCOPE_INTAKE, SCOPE_FULL)
# What each scope lets a call do: a call needs one of these levels.
_GRANTS = {SCOPE_READ: {SCOPE_READ}, SCOPE_INTAKE: {SCOPE_READ, SCOPE_INTAKE}, SCOPE_FULL: set(SCOPES)}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@unit_of_work
def create_token(
    session: Session,
    actor: Actor,
    name: str,
    username: str,
    now: datetime,
    *,
    groups: list[str] | None = None,
    roles: list[str] | None = None,
    scope: str = SCOPE_FULL,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for an integration (admins only); the plain token is returned once and never stored."""
    if ROLE_ADMIN not in actor.roles:
        raise PermissionDenied(msg("denied.create_tokens"))
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = msg("field.required")
    if not (username or "").strip():
        errors["username"] = msg("field.required")
    if scope not in SCOPES:
        errors["scope"] = msg("token.scope_choice")
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = msg("field.in_future")
    if errors:
        raise FormValidationError(errors)
    plain = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name.strip()[:100],
        token_hash=_hash(plain),
        username=username.strip()[:150],
        groups=sorted(set(groups or [])),
        roles=sorted(set(roles or [])),
        created_by=actor.username,
        created_at=now,
        scope=scope,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    after = {"token": row.id, "name": row.name, "as": row.username, "scope": scope}
    record(
        session, actor, "api_token_created", now, after={**after, "expires_at": expires_at and expires_at.isoformat()}
    )
    commit(session)
    return row, plain


@unit_of_work
def revoke_token(session: Session, actor: Actor, token_id: int, now: datetime) -> ApiToken:
    """Switch a token off for good."""
    if ROLE_ADMIN not in actor.roles:
        raise PermissionDenied(msg("denied.revoke_tokens"))
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(msg("notfound.token", token_id=token_id))
    row.revoked_at = row.revoked_at or now
    record(session, actor, "api_token_revoked", now, after={"token": row.id})
    commit(session)
    return row


def list_tokens(session: Session, actor: Actor) -> list[ApiToken]:
    """All tokens (without their secrets), newest first."""
    if ROLE_ADMIN not in actor.roles:
        raise PermissionDenied(msg("denied.see_tokens"))
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))


@unit_of_work
def authenticate(session: Session, token: str, now: datetime, need: str = SCOPE_FULL) -> Actor | None:
    """The actor behind a bearer token, or None for a missing, unknown, revoked or expired one.

    ``need`` is the scope level the call requires (read, intake, full); a valid token whose scope does not grant
    it raises PermissionDenied (HTTP 403), so the client learns its token works but may not do this.
    """
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    digest = _hash(token)
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    # The lookup is by hash, so its timing says nothing about the token; compare again to be explicit.
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if need not in _GRANTS.get(row.scope, set()):
        raise PermissionDenied(msg("denied.token_scope", scope=row.scope))
    if row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY:
        row.last_used_at = now  # at most one write per hour and token
        commit(session)
    return make_actor(row.username, row.groups, row.roles)
