"""User administration and sign-in: accounts, groups, roles, password hashes (argon2) and throttling."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import Conflict, FormValidationError, NotFound, PermissionDenied
from engine.domain.messages import msg
from engine.domain.roles import ROLE_ADMIN, ROLES
from engine.services.audit import record
from engine.services.unit_of_work import commit, unit_of_work
from engine.services.users import sign_in_throttle
from engine.store.users import Group, LoginAttempt, User, UserRole

LANGUAGES = ("en", "de")
MIN_PASSWORD_LENGTH = 4
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")

# OWASP's password storage minimum for argon2id (19 MiB, 2 passes, 1 lane). argon2-cffi's default (64 MiB,
# 3 passes, 4 lanes) costs about eight times as much CPU per sign-in, which on a small server queues sign-ins
# behind each other under load; hashes made with other parameters are upgraded at the next sign-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# A hash to verify against when the user does not exist, so that unknown names take as long as known ones.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the hash; never raises for a wrong password or a broken hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def actor_for(user: User) -> Actor:
    """The engine's view of a user: name, group names and roles."""
    return Actor(user.username, frozenset(user.group_names), frozenset(user.roles))


def _require_admin(actor: Actor) -> None:
    if ROLE_ADMIN not in actor.roles:
        raise PermissionDenied(msg("denied.manage_users"))


@dataclass(frozen=True)
class UserData:
    """What an administrator enters for a user; ``password`` None keeps the current one."""

    username: str
    display_name: str
    email: str | None = None
    password: str | None = None
    language: str = "en"
    roles: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    active: bool = True


def _check(data: UserData, creating: bool) -> None:
    errors: dict[str, str] = {}
    if not _USERNAME.match(data.username):
        errors["username"] = msg("account.username_rule")
    if not data.display_name.strip():
        errors["display_name"] = msg("field.required")
    if creating and not data.password:
        errors["password"] = msg("field.required")
    if data.password is not None and data.password and len(data.password) < MIN_PASSWORD_LENGTH:
        errors["password"] = msg("field.too_short", num=MIN_PASSWORD_LENGTH)
    if data.language not in LANGUAGES:
        errors["language"] = msg("field.one_of", values=", ".join(LANGUAGES))
    unknown = [role for role in data.roles if role not in ROLES]
    if unknown:
        errors["roles"] = msg("account.unknown_roles", values=", ".join(unknown))
    if errors:
        raise FormValidationError(errors)


def _groups(session: Session, names: tuple[str, ...]) -> list[Group]:
    groups = list(session.scalars(select(Group).where(Group.name.in_(names)))) if names else []
    missing = sorted(set(names) - {group.name for group in groups})
    if missing:
        raise FormValidationError({"groups": msg("account.unknown_groups", values=", ".join(missing))})
    return groups


def get_user(session: Session, username: str) -> User:
    """A user by name, or NotFound."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(msg("notfound.user", user=username))
    return user


def list_users(session: Session) -> list[User]:
    """All users by name."""
    return list(session.scalars(select(User).order_by(User.username)))


def list_groups(session: Session) -> list[Group]:
    """All groups by name."""
    return list(session.scalars(select(Group).order_by(Group.name)))


def department_names(session: Session) -> list[str]:
    """Names of the groups that receive hand-overs."""
    return list(session.scalars(select(Group.name).where(Group.is_department.is_(True)).order_by(Group.name)))


@unit_of_work
def create_user(session: Session, actor: Actor, data: UserData, now: datetime) -> User:
    """Create a user with roles and groups (administrators only)."""
    _require_admin(actor)
    _check(data, creating=True)
    if session.scalars(select(User.id).where(User.username == data.username)).first() is not None:
        raise FormValidationError({"username": msg("field.already_taken")})
    user = User(
        username=data.username,
        display_name=data.display_name.strip(),
        email=(data.email or "").strip() or None,
        password_hash=hash_password(data.password or ""),
        language=data.language,
        active=data.active,
        created_at=now,
    )
    user.role_rows = [UserRole(role=role) for role in dict.fromkeys(data.roles)]
    user.groups = _groups(session, data.groups)
    session.add(user)
    record(
        session,
        actor,
        "user_created",
        now,
        after={"username": user.username, "roles": list(data.roles), "groups": list(data.groups)},
    )
    commit(session, f"user {data.username} was just created by someone else")
    return user


@unit_of_work
def update_user(session: Session, actor: Actor, data: UserData, now: datetime) -> User:
    """Change a user's details, roles, groups, active flag or password (administrators only)."""
    _require_admin(actor)
    _check(data, creating=False)
    user = get_user(session, data.username)
    if user.username == actor.username and (ROLE_ADMIN not in data.roles or not data.active):
        raise FormValidationError({"roles": msg("account.own_admin_role")})
    before = {"roles": user.roles, "groups": user.group_names, "active": user.active}
    user.display_name = data.display_name.strip()
    user.email = (data.email or "").strip() or None
    user.language = data.language
    user.active = data.active
    if data.password:
        user.password_hash = hash_password(data.password)
    keep = {row.role: row for row in user.role_rows}
    user.role_rows = [keep.get(role) or UserRole(role=role) for role in dict.fromkeys(data.roles)]
    user.groups = _groups(session, data.groups)
    after = {"roles": sorted(set(data.roles)), "groups": sorted(set(data.groups)), "active": data.active}
    record(
        session,
        actor,
        "user_updated",
        now,
        before=before,
        after=after,
        message=f"{user.username}" + (" (password changed)" if data.password else ""),
    )
    commit(session)
    return user


@unit_of_work
def set_language(session: Session, actor: Actor, language: str, now: datetime) -> User:
    """A user picks their own UI language."""
    if language not in LANGUAGES:
        raise FormValidationError({"language": msg("field.one_of", values=", ".join(LANGUAGES))})
    user = get_user(session, actor.username)
    user.language = language
    commit(session)
    return user


@unit_of_work
def save_group(session: Session, actor: Actor, name: str, label: str, is_department: bool, now: datetime) -> Group:
    """Create a group or change its label and department flag (administrators only)."""
    _require_admin(actor)
    if not _USERNAME.match(name):
        raise FormValidationError({"name": msg("group.name_rule")})
    group = session.scalars(select(Group).where(Group.name == name)).first()
    if group is None:
        group = Group(name=name, label=label.strip() or name, is_department=is_department)
        session.add(group)
    else:
        group.label = label.strip() or name
        group.is_department = is_department
    record(session, actor, "group_saved", now, after={"name": name, "department": is_department})
    commit(session, f"group {name} was just created by someone else")
    return group


class SignInRefused(Exception):
    """Wrong name or password, locked account, or too many recent failures (``throttled``, wait ``retry_after``)."""

    def __init__(self, throttled: bool = False, retry_after: timedelta = timedelta(0)) -> None:
        self.throttled = throttled
        self.retry_after = retry_after
        super().__init__("too many failed sign-ins" if throttled else "wrong user name or password")


@unit_of_work
def authenticate(session: Session, username: str, password: str, remote_addr: str, now: datetime) -> User:
    """Check a sign-in; every attempt is recorded so throttling holds across all server workers.

    Throttling slows the guessing address down and never the owner's own (engine.services.users.sign_in_throttle).
    """
    username = username.strip().lower()[:150]
    remote_addr = remote_addr[:64]
    wait = sign_in_throttle.wait_before_attempt(session, username, remote_addr, now)
    if wait > timedelta(0):
        raise SignInRefused(throttled=True, retry_after=wait)
    user = session.scalars(select(User).where(User.username == username)).first()
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    ok = ok and user is not None and user.active
    session.add(LoginAttempt(username=username, remote_addr=remote_addr, at=now, success=ok))
    if ok and user is not None:
        user.last_login_at = now
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
    commit(session)
    if not ok or user is None:
        raise SignInRefused()
    return user


def ensure_groups(session: Session, groups: dict[str, tuple[str, bool]]) -> None:
    """Add missing groups (name -> (label, is_department)) in the caller's unit of work."""
    existing = set(session.scalars(select(Group.name).where(Group.name.in_(groups))))
    for name, (label, is_department) in groups.items():
        if name not in existing:
            session.add(Group(name=name, label=label, is_department=is_department))


__all__ = [
    "LANGUAGES",
    "Conflict",
    "SignInRefused",
    "UserData",
    "actor_for",
    "authenticate",
    "create_user",
    "get_user",
    "hash_password",
    "update_user",
]


@unit_of_work
def ensure_users(
    session: Session,
    actor: Actor,
    groups: dict[str, tuple[str, bool]],
    users: list[UserData],
    now: datetime,
) -> list[User]:
    """Create the missing groups and users (existing ones stay as they are); returns the users created."""
    _require_admin(actor)
    ensure_groups(session, groups)
    session.flush()
    created = []
    existing = set(session.scalars(select(User.username).where(User.username.in_([u.username for u in users]))))
    for data in users:
        if data.username in existing:
            continue
        _check(data, creating=True)
        user = User(
            username=data.username,
            display_name=data.display_name,
            email=data.email,
            password_hash=hash_password(data.password or ""),
            language=data.language,
            active=True,
            created_at=now,
        )
        user.role_rows = [UserRole(role=role) for role in data.roles]
        user.groups = _groups(session, data.groups)
        session.add(user)
        created.append(user)
        record(session, actor, "user_created", now, after={"username": data.username, "roles": list(data.roles)})
    commit(session)
    return created
