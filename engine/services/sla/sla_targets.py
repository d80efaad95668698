"""SLA targets by channel and priority: read the deployed ``sla_targets`` decision, validate, deploy a new one.

Saving renders the rules as DMN and deploys it through :func:`engine.services.designer.deployment.deploy`, the same path
as an upload in "Process design": every process that calls the decision gets a new version, running instances
keep the version they started on. Each save or upload is an audit entry with the rules before and after.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from importlib import resources

from sqlalchemy.orm import Session

from engine.bpmn.resources import Resource, describe_dmn
from engine.bpmn.sla_table import DECISION_ID, NotEditable, SlaRule, parse_sla_table, render_sla_table
from engine.domain.actors import Actor
from engine.domain.calendar import parse_sla_duration
from engine.domain.calendars import calendar_named
from engine.domain.errors import DeploymentError, FormValidationError, PermissionDenied
from engine.domain.messages import message_of, msg
from engine.domain.roles import ROLE_ADMIN
from engine.services.audit import record
from engine.services.designer.decision_versions import latest_decision
from engine.services.designer.deployment import DeployResult, deploy, runnable_resources
from engine.services.sla.business_calendars import sync_registry
from engine.store.complaints import CHANNELS, PRIORITIES
from engine.store.queries import latest_definitions

FILENAME = "sla_targets.dmn"


@dataclass(frozen=True)
class SlaTable:
    """The decision in force: its file, the version of the process that carries it, the rules if editable."""

    resource: Resource
    version: str | None
    rules: list[SlaRule] | None
    not_editable: str | None


def _require_admin(actor: Actor) -> None:
    if ROLE_ADMIN not in actor.roles:
        raise PermissionDenied(msg("denied.sla_targets"))


def _deployed(session: Session) -> tuple[Resource, str] | None:
    """The newest deployed version of the decision (what the next evaluation runs), else a process's copy."""
    decision = latest_decision(session, DECISION_ID)
    if decision is not None:
        return Resource(decision.filename, decision.content), f"{DECISION_ID} v{decision.version}"
    for definition in latest_definitions(session):
        for stored in runnable_resources(definition):
            resource = Resource(stored.filename, stored.content)
            if resource.kind == "dmn" and DECISION_ID in describe_dmn(resource):
                return resource, f"{definition.process_key} v{definition.version}"
    return None


def current_table(session: Session, actor: Actor) -> SlaTable:
    """The deployed decision (or the shipped file when none is deployed) and its rules."""
    _require_admin(actor)
    found = _deployed(session)
    if found is None:
        text = resources.files("processes").joinpath(FILENAME).read_text(encoding="utf-8")
        resource, version = Resource(FILENAME, text), None
    else:
        resource, version = found
    try:
        return SlaTable(resource, version, parse_sla_table(resource.content), None)
    except NotEditable as error:
        return SlaTable(resource, version, None, message_of(error) or str(error))


def check_rules(session: Session, rules: list[SlaRule]) -> None:
    """Field errors keyed ``rule_<n>_<field>`` (n from 1); FormValidationError when there is any."""
    sync_registry(session)
    errors: dict[str, str] = {}
    if not rules:
        errors["rules"] = msg("sla.at_least_one_rule")
    for number, rule in enumerate(rules, start=1):
        key = f"rule_{number}_"
        if rule.priority is not None and rule.priority not in PRIORITIES:
            errors[key + "priority"] = msg("sla.unknown_priority")
        if rule.channels is not None and (not rule.channels or set(rule.channels) - set(CHANNELS)):
            errors[key + "channels"] = msg("sla.unknown_channel")
        for field in ("first_response", "resolution"):
            try:
                parse_sla_duration(getattr(rule, field), business=True)
            except ValueError:
                errors[key + field] = msg("sla.not_a_target")
        try:
            calendar_named(rule.calendar)
        except ValueError:
            errors[key + "calendar"] = msg("sla.unknown_calendar")
    if rules and (rules[-1].priority is not None or rules[-1].channels is not None):
        errors["rules"] = msg("sla.last_rule_catch_all")
    if errors:
        raise FormValidationError(errors)


def effective_targets(rules: list[SlaRule]) -> dict[tuple[str, str], SlaRule | None]:
    """Which rule applies to each (channel, priority): the first that matches, as the decision decides."""
    return {
        (channel, priority): next((rule for rule in rules if rule.matches(channel, priority)), None)
        for channel in CHANNELS
        for priority in PRIORITIES
    }


def save_rules(session: Session, actor: Actor, rules: list[SlaRule], now: datetime) -> list[DeployResult]:
    """Validate, render and deploy the rules as a new version of the decision (processes take it at their next
    evaluation)."""
    _require_admin(actor)
    check_rules(session, rules)
    before = current_table(session, actor)
    xml = render_sla_table(rules, note="complaintflow process library; saved in Administration -> SLA targets")
    return _deploy(session, actor, Resource(FILENAME, xml), now, before, rules)


def upload_table(session: Session, actor: Actor, resource: Resource, now: datetime) -> list[DeployResult]:
    """Deploy a DMN file edited in a modeller; it must contain the ``sla_targets`` decision."""
    _require_admin(actor)
    if resource.kind != "dmn" or DECISION_ID not in describe_dmn(resource):
        raise DeploymentError(msg("sla.no_decision", decision=DECISION_ID), filename=resource.filename)
    before = current_table(session, actor)
    try:
        after: list[SlaRule] | None = parse_sla_table(resource.content)
        check_rules(session, after or [])
    except NotEditable:
        after = None  # a richer table from the modeller: deployed as is, shown read-only
    return _deploy(session, actor, resource, now, before, after)


def _deploy(
    session: Session, actor: Actor, resource: Resource, now: datetime, before: SlaTable, after: list[SlaRule] | None
) -> list[DeployResult]:
    # Recorded first: deploy() commits once, so the entry and the new versions land together or not at all.
    record(
        session,
        actor,
        "sla_targets_deployed",
        now,
        before={"rules": [asdict(rule) for rule in before.rules or []], "version": before.version},
        after={"rules": None if after is None else [asdict(rule) for rule in after], "file": resource.filename},
    )
    return deploy(session, actor, [resource], now)
