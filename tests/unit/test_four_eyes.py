"""Four-eyes rule: a user named in ``excludedUsers`` may neither claim nor complete a task, roles or not."""

from __future__ import annotations

from engine.domain.actors import Actor
from engine.domain.roles import ROLE_ADMIN, ROLE_TEAM_LEAD
from engine.domain.tasks import TaskAccess, is_excluded, may_claim, may_complete

LEA = Actor("lea", frozenset({"team_lead"}), frozenset({ROLE_TEAM_LEAD}))
MAX = Actor("max", frozenset({"team_lead"}), frozenset({ROLE_TEAM_LEAD}))
ROOT = Actor("root", roles=frozenset({ROLE_ADMIN}))


def access(excluded: frozenset[str], assignee: str | None = None) -> TaskAccess:
    return TaskAccess(assignee, frozenset({"team_lead"}), frozenset(), excluded)


def test_the_excluded_user_may_not_claim_or_complete_even_as_supervisor() -> None:
    barred = access(frozenset({"lea", "root"}))
    assert not may_claim(LEA, barred) and not may_complete(LEA, barred)
    assert not may_claim(ROOT, barred) and not may_complete(ROOT, barred)
    assert may_claim(MAX, barred) and may_complete(MAX, barred)


def test_an_excluded_assignee_still_may_not_complete() -> None:
    assert not may_complete(LEA, access(frozenset({"lea"}), assignee="lea"))
    assert is_excluded("lea", access(frozenset({"lea"})))
    assert not is_excluded(None, access(frozenset({"lea"})))


def test_without_exclusions_nothing_changes() -> None:
    plain = TaskAccess(None, frozenset({"team_lead"}), frozenset())
    assert may_claim(LEA, plain) and may_complete(LEA, plain)
