"""The SLA targets page: by channel and priority, rules edited and deployed, DMN download and upload."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from engine.bpmn.sla_table import SlaRule, parse_sla_table
from engine.services.designer.decision_versions import latest_decision
from engine.store.models import AuditEntry
from engine.store.queries import latest_definition
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import deploy_paths
from tests.sla.test_sla_targets_admin import PROCESSES
from tests.webui.support import Client


@pytest.fixture
def library(database: DatabaseUnderTest, now: datetime) -> None:
    with database.session() as session:
        deploy_paths(session, now, *sorted(PROCESSES.glob("*.bpmn")), *sorted(PROCESSES.glob("*.dmn")))


def form_of(rules: list[SlaRule]) -> dict[str, Any]:
    """The form as the page posts it for these rules (plus the empty row)."""
    data: dict[str, Any] = {}
    for number, rule in enumerate(rules, start=1):
        key = f"rule_{number}_"
        data.update({key + "position": str(number), key + "description": rule.description,
                     key + "priority": rule.priority or "", key + "channels": list(rule.channels or []),
                     key + "first_response": rule.first_response, key + "resolution": rule.resolution,
                     key + "calendar": rule.calendar})  # fmt: skip
    empty = f"rule_{len(rules) + 1}_"
    data.update({empty + "position": str(len(rules) + 1), empty + "first_response": "", empty + "resolution": ""})
    return data


def shipped() -> list[SlaRule]:
    return parse_sla_table((PROCESSES / "sla_targets.dmn").read_text(encoding="utf-8"))


def test_admin_sees_targets_by_channel_and_priority_and_deploys_a_change(
    client_for: Callable[[str], Client], database: DatabaseUnderTest, library: None
) -> None:
    admin = client_for("admin")
    page = admin.get("/admin/sla/").get_data(as_text=True)
    # Targets read as the engine reads them: ISO durations count business time too (here on the 24/7 calendar).
    assert '1 business hour / 1 business day (<span translate="no">24/7</span>)' in page
    assert "2 business hours / 1 business day" in page
    rules = shipped()
    data = form_of(rules)
    data["rule_1_first_response"] = "1 business hour"
    # A new rule for e-mail at high priority, placed second.
    data.update({"rule_9_position": "1.5", "rule_9_description": "E-mail, high", "rule_9_priority": "high",
                 "rule_9_channels": ["email"], "rule_9_first_response": "3 business hours",
                 "rule_9_resolution": "2 business days", "rule_9_calendar": "default"})  # fmt: skip
    saved = admin.post("/admin/sla/", data)
    assert saved.status_code == 302, saved.get_data(as_text=True)[-2000:]
    page = admin.get("/admin/sla/").get_data(as_text=True)
    assert "SLA targets deployed: sla_targets v2" in page
    assert "3 business hours / 2 business days" in page
    with database.session() as session:
        decision = latest_decision(session, "sla_targets")
        assert decision is not None and decision.version == 2
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "sla_targets_deployed")).one()
        assert entry.actor == "admin" and entry.after is not None and len(entry.after["rules"]) == 9
    downloaded = admin.get("/admin/sla/sla_targets.dmn")
    assert downloaded.headers["Content-Disposition"] == 'attachment; filename="sla_targets.dmn"'
    rules_now = parse_sla_table(downloaded.get_data(as_text=True))
    assert rules_now[0].first_response == "1 business hour" and rules_now[1].description == "E-mail, high"
    assert admin.post("/profile/", {"language": "de"}).status_code == 302
    assert "3 Arbeitsstunden / 2 Arbeitstage" in admin.get("/admin/sla/").get_data(as_text=True)


def test_invalid_rules_come_back_with_messages_and_deploy_nothing(
    client_for: Callable[[str], Client], database: DatabaseUnderTest, library: None
) -> None:
    admin = client_for("admin")
    assert admin.post("/profile/", {"language": "de"}).status_code == 302
    data = form_of(shipped())
    data["rule_2_first_response"] = "bald"
    data["rule_8_delete"] = "1"  # without the catch-all
    refused = admin.post("/admin/sla/", data)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "kein Ziel wie 4 Arbeitsstunden, 2,5 Stunden" in text and 'value="bald"' in text
    assert "Die letzte Regel muss für jede Priorität und jeden Kanal gelten." in text
    with database.session() as session:
        definition = latest_definition(session, "complaint_handling")
        assert definition is not None and definition.version == 1


def test_a_german_admin_types_and_reads_targets_in_german(
    client_for: Callable[[str], Client], database: DatabaseUnderTest, library: None
) -> None:
    admin = client_for("admin")
    assert admin.post("/profile/", {"language": "de"}).status_code == 302
    page = admin.get("/admin/sla/").get_data(as_text=True)
    # The inputs show the stored targets in German words, so saving the page unchanged keeps them.
    assert 'name="rule_2_first_response" value="1 Arbeitsstunde"' in page
    data = form_of(shipped())
    for number, rule in enumerate(shipped(), start=1):
        for field in ("first_response", "resolution"):
            data[f"rule_{number}_{field}"] = _german(getattr(rule, field))
    data["rule_1_first_response"] = "2,5 Arbeitsstunden"
    data["rule_1_resolution"] = "5 Arbeitstage"
    data.update({"rule_9_position": "1,5", "rule_9_description": "Telefon", "rule_9_channels": ["phone"],
                 "rule_9_first_response": "1,25 Stunden", "rule_9_resolution": "3 Kalendertage",
                 "rule_9_calendar": "default"})  # fmt: skip
    saved = admin.post("/admin/sla/", data)
    assert saved.status_code == 302, saved.get_data(as_text=True)[-2000:]
    rules = parse_sla_table(admin.get("/admin/sla/sla_targets.dmn").get_data(as_text=True))
    assert (rules[0].first_response, rules[0].resolution) == ("150 business minutes", "5 business days")
    assert (rules[1].description, rules[1].first_response, rules[1].resolution) == (
        "Telefon", "75 minutes", "3 calendar days"
    )  # fmt: skip
    assert [rule.first_response for rule in rules[2:]] == [rule.first_response for rule in shipped()[1:]]
    page = admin.get("/admin/sla/").get_data(as_text=True)
    assert 'value="2,5 Arbeitsstunden"' in page and 'value="1,25 Arbeitsstunden"' in page
    assert "2,5 Arbeitsstunden / 5 Arbeitstage" in page
    data = form_of(rules)
    data["rule_1_resolution"] = "2,5 Arbeitstage"  # a business day has no fixed length: whole days only
    refused = admin.post("/admin/sla/", data)
    assert refused.status_code == 422 and 'value="2,5 Arbeitstage"' in refused.get_data(as_text=True)
    assert admin.post("/profile/", {"language": "en"}).status_code == 302
    assert 'value="2.5 business hours"' in admin.get("/admin/sla/").get_data(as_text=True)


def _german(spec: str) -> str:
    """A shipped target as the German page shows it (the shipped file uses whole hours and days)."""
    count, *words = spec.split()
    german = {"business hour": "Arbeitsstunde", "business hours": "Arbeitsstunden", "business day": "Arbeitstag",
              "business days": "Arbeitstage", "calendar days": "Kalendertage", "hours": "Stunden"}  # fmt: skip
    return f"{count} {german.get(' '.join(words), ' '.join(words))}"


def test_a_dmn_from_the_modeller_is_uploaded_and_deployed(
    client_for: Callable[[str], Client], database: DatabaseUnderTest, library: None
) -> None:
    admin = client_for("admin")
    text = (PROCESSES / "sla_targets.dmn").read_text(encoding="utf-8").replace('"3 business days"', '"2 business days"')
    uploaded = admin.post("/admin/sla/upload", {"file": (io.BytesIO(text.encode()), "sla_targets.dmn")})
    assert uploaded.status_code == 302
    with database.session() as session:
        decision = latest_decision(session, "sla_targets")
        assert decision is not None and decision.version == 2
    wrong = admin.post("/admin/sla/upload", {"file": (io.BytesIO(b"<definitions/>"), "other.dmn")})
    assert wrong.status_code == 422
    assert "the file has no decision sla_targets (file other.dmn)" in wrong.get_data(as_text=True)
    # In German the refusal keeps the place it names.
    assert admin.post("/profile/", {"language": "de"}).status_code == 302
    wrong = admin.post("/admin/sla/upload", {"file": (io.BytesIO(b"<definitions/>"), "other.dmn")})
    assert "die Datei enthält keine Entscheidung sla_targets (Datei other.dmn)" in wrong.get_data(as_text=True)


def test_only_admins_reach_the_targets(client_for: Callable[[str], Client], library: None) -> None:
    for name in ("agent", "lead", "manager", "designer"):
        client = client_for(name)
        assert client.get("/admin/sla/").status_code == 403
        assert client.get("/admin/sla/sla_targets.dmn").status_code == 403
