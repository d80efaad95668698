"""Pure task rules: groups from lanes, priorities, due times and permissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.domain.actors import Actor
from engine.domain.tasks import (
    TaskAccess,
    lane_group,
    may_assign,
    may_claim,
    may_complete,
    may_unclaim,
    priority_value,
    resolve_due_at,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_lane_group() -> None:
    assert lane_group("Team lead") == "team_lead"
    assert lane_group("Rechtsabteilung / Legal") == "rechtsabteilung_legal"
    assert lane_group("Qualitätsmanagement") == "qualitatsmanagement"
    assert lane_group("  ") is None and lane_group(None) is None


def test_priority_value() -> None:
    assert [priority_value(v) for v in ("low", "normal", "high", "critical", "80", 120, None, "x")] == [
        25,
        50,
        75,
        100,
        80,
        100,
        50,
        50,
    ]


def test_resolve_due_at() -> None:
    assert resolve_due_at("P2DT3H", NOW) == NOW + timedelta(days=2, hours=3)
    assert resolve_due_at("2026-12-01T10:00:00+01:00", NOW) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert resolve_due_at("2026-12-01T10:00:00", NOW) == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert resolve_due_at(timedelta(hours=1), NOW) == NOW + timedelta(hours=1)
    assert resolve_due_at("soon", NOW) is None and resolve_due_at(None, NOW) is None


def test_permissions() -> None:
    agent = Actor("anna", frozenset({"agent"}))
    other = Actor("olaf", frozenset({"billing"}))
    lead = Actor("lea", roles=frozenset({"team_lead"}))
    open_task = TaskAccess(None, frozenset({"agent"}), frozenset())
    claimed = TaskAccess("anna", frozenset({"agent"}), frozenset())
    named = TaskAccess(None, frozenset(), frozenset({"olaf"}))
    assert may_claim(agent, open_task) and not may_claim(other, open_task) and may_claim(other, named)
    assert not may_claim(Actor("bernd", frozenset({"agent"})), claimed) and may_claim(lead, claimed)
    assert may_complete(agent, claimed) and not may_complete(Actor("bernd", frozenset({"agent"})), claimed)
    assert may_unclaim(agent, claimed) and may_unclaim(lead, claimed) and not may_unclaim(other, claimed)
    assert may_assign(lead) and not may_assign(agent)
