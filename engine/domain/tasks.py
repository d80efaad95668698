"""Rules for human tasks: who may claim/complete them, their group, priority and due time."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engine.domain.actors import Actor

PRIORITY_NAMES = {"low": 25, "normal": 50, "medium": 50, "high": 75, "critical": 100}
DEFAULT_PRIORITY = 50

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def lane_group(lane: str | None) -> str | None:
    """The candidate group a lane stands for: its name in snake_case ("Team lead" -> "team_lead")."""
    if not lane or not lane.strip():
        return None
    ascii_name = unicodedata.normalize("NFKD", lane).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")
    return slug or None


def priority_value(raw: Any) -> int:
    """Camunda-style integer priority (0-100) from a number or a complaint priority name."""
    if raw is None or raw == "":
        return DEFAULT_PRIORITY
    if isinstance(raw, bool):
        return DEFAULT_PRIORITY
    if isinstance(raw, int | float):
        return max(0, min(100, int(raw)))
    text = str(raw).strip().lower()
    if text in PRIORITY_NAMES:
        return PRIORITY_NAMES[text]
    try:
        return max(0, min(100, int(text)))
    except ValueError:
        return DEFAULT_PRIORITY


def parse_iso_duration(text: str) -> timedelta | None:
    """A day/time ISO 8601 duration (P3D, PT4H30M, P1W); None if the text is not one."""
    match = _DURATION.match(text.strip())
    if not match:
        return None
    parts = {key: float(value) for key, value in match.groupdict().items() if value}
    return timedelta(**parts)


def resolve_due_at(raw: Any, now: datetime) -> datetime | None:
    """Due time from a ``dueDate`` value: an aware datetime, an ISO date-time, or a duration from ``now``."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=now.tzinfo)
    if isinstance(raw, timedelta):
        return now + raw
    text = str(raw).strip()
    duration = parse_iso_duration(text)
    if duration is not None:
        return now + duration
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)


DEFAULT_AMBER_SHARE = 0.75


def amber_at(created_at: datetime, due_at: datetime | None, share: float = DEFAULT_AMBER_SHARE) -> datetime | None:
    """When the traffic light of a task turns amber: ``share`` of the time from creation to due used."""
    if due_at is None:
        return None
    return created_at + (due_at - created_at) * share


@dataclass(frozen=True)
class TaskAccess:
    """The assignment facts a permission check needs."""

    assignee: str | None
    candidate_groups: frozenset[str]
    candidate_users: frozenset[str]
    # Users who must not work on the task whatever their groups or roles (four-eyes: the proposer of a
    # resolution never approves it). The BPMN names them with the camunda:property ``excludedUsers``.
    excluded_users: frozenset[str] = frozenset()


def is_excluded(username: str | None, access: TaskAccess) -> bool:
    """The user is barred from this task (and so may neither hold, claim nor complete it)."""
    return username is not None and username in access.excluded_users


def is_candidate(actor: Actor, access: TaskAccess) -> bool:
    """The actor is named on the task or belongs to one of its groups."""
    return actor.username in access.candidate_users or bool(actor.groups & access.candidate_groups)


def may_claim(actor: Actor, access: TaskAccess) -> bool:
    """Candidates may claim an unassigned task; supervisors may take any task they are not excluded from."""
    if is_excluded(actor.username, access):
        return False
    if actor.supervises:
        return True
    return access.assignee is None and is_candidate(actor, access)


def may_complete(actor: Actor, access: TaskAccess) -> bool:
    """The assignee completes; an unassigned task may be completed by a candidate (claiming it implicitly)."""
    if is_excluded(actor.username, access):
        return False
    if actor.supervises or access.assignee == actor.username:
        return True
    return access.assignee is None and is_candidate(actor, access)


def may_unclaim(actor: Actor, access: TaskAccess) -> bool:
    """Only the assignee or a supervisor hands a task back to the group."""
    return actor.supervises or (access.assignee is not None and access.assignee == actor.username)


def may_assign(actor: Actor) -> bool:
    """Assigning a task to someone else is a supervisor's decision."""
    return actor.supervises
