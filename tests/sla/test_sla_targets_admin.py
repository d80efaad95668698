"""SLA targets edited as rules: validated, deployed as a new version of the decision, audited; upload too."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.resources import Resource
from engine.bpmn.sla_table import SlaRule, parse_sla_table
from engine.domain.errors import DeploymentError, FormValidationError, PermissionDenied
from engine.services.sla import sla_targets
from engine.store.models import AuditEntry
from engine.store.queries import latest_definition
from tests.engine.helpers import ADMIN, ANNA, deploy_paths

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


@pytest.fixture
def library(session: Session, now: datetime) -> None:
    deploy_paths(session, now, *sorted(PROCESSES.glob("*.bpmn")), *sorted(PROCESSES.glob("*.dmn")))


def test_the_deployed_table_is_read_as_rules_and_by_channel_and_priority(session: Session, library: None) -> None:
    table = sla_targets.current_table(session, ADMIN)
    assert table.rules is not None and len(table.rules) == 8
    assert table.version == "sla_targets v1"
    effective = sla_targets.effective_targets(table.rules)
    assert effective[("chat", "high")].first_response == "PT1H"  # type: ignore[union-attr]
    assert effective[("letter", "critical")].first_response == "2 business hours"  # type: ignore[union-attr]
    assert effective[("email", "normal")].resolution == "5 business days"  # type: ignore[union-attr]


def test_saving_deploys_a_new_version_of_the_decision(session: Session, library: None, now: datetime) -> None:
    before = latest_definition(session, "complaint_handling")
    assert before is not None
    table = sla_targets.current_table(session, ADMIN)
    assert table.rules is not None
    rules = [dataclasses.replace(table.rules[0], first_response="1 business hour"), *table.rules[1:]]
    results = sla_targets.save_rules(session, ADMIN, rules, now)
    assert {(result.kind, result.process_key, result.version) for result in results} == {("decision", "sla_targets", 2)}
    after = latest_definition(session, "complaint_handling")
    assert after is not None and after.version == before.version  # the process evaluates the new version next
    again = sla_targets.current_table(session, ADMIN)
    assert again.rules == rules and again.version == "sla_targets v2"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "sla_targets_deployed")).one()
    assert entry.actor == ADMIN.username
    assert entry.before is not None and entry.before["rules"][0]["first_response"] == "2 business hours"
    assert entry.after is not None and entry.after["rules"][0]["first_response"] == "1 business hour"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"first_response": "soon"}, "rule_1_first_response"),
        ({"resolution": ""}, "rule_1_resolution"),
        ({"calendar": "mars"}, "rule_1_calendar"),
        ({"priority": "urgent"}, "rule_1_priority"),
        ({"channels": ("fax",)}, "rule_1_channels"),
    ],
)
def test_bad_rules_are_refused_field_by_field(
    session: Session, library: None, now: datetime, change: dict[str, object], key: str
) -> None:
    table = sla_targets.current_table(session, ADMIN)
    assert table.rules is not None
    rules = [dataclasses.replace(table.rules[0], **change), *table.rules[1:]]  # type: ignore[arg-type]
    with pytest.raises(FormValidationError) as refused:
        sla_targets.save_rules(session, ADMIN, rules, now)
    assert key in refused.value.errors
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "sla_targets_deployed")).first() is None


def test_the_last_rule_must_catch_everything(session: Session, library: None, now: datetime) -> None:
    only = SlaRule("high", None, "PT1H", "P1D", "default")
    with pytest.raises(FormValidationError) as refused:
        sla_targets.save_rules(session, ADMIN, [only], now)
    assert "rules" in refused.value.errors


def test_an_upload_from_the_modeller_is_deployed_even_when_the_form_cannot_edit_it(
    session: Session, library: None, now: datetime
) -> None:
    shipped = (PROCESSES / "sla_targets.dmn").read_text(encoding="utf-8")
    richer = shipped.replace('<text>"letter"</text>', '<text>? in ("letter") or ? == "fax"</text>')
    with pytest.raises(Exception):  # noqa: B017 - the form cannot read it
        parse_sla_table(richer)
    sla_targets.upload_table(session, ADMIN, Resource("sla_targets.dmn", richer), now)
    table = sla_targets.current_table(session, ADMIN)
    assert table.rules is None and table.not_editable is not None and "rule 6" in table.not_editable
    with pytest.raises(DeploymentError):
        sla_targets.upload_table(
            session, ADMIN, Resource("other.dmn", shipped.replace('id="sla_targets"', 'id="x"')), now
        )


def test_only_admins_change_targets(session: Session, library: None, now: datetime) -> None:
    with pytest.raises(PermissionDenied):
        sla_targets.current_table(session, ANNA)
    with pytest.raises(PermissionDenied):
        sla_targets.save_rules(session, ANNA, [SlaRule(None, None, "PT1H", "P1D", "default")], now)
