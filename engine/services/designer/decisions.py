"""Deployed decisions (DMN) on their own: listing them and evaluating one (Camunda's ``decision-definition``).

Every deployed DMN file, alone or with a process, gives its decisions versions (decision_versions); the list
has every version, evaluating takes the newest. Evaluating runs the same DMN engine as business rule tasks
(through a one-step process) and answers rows of output values (Camunda's shape).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.resources import Resource
from engine.domain.errors import ComplaintflowError, NotFound
from engine.domain.messages import msg
from engine.runtime.parser import parse_process
from engine.runtime.serialization import ParsedDefinition
from engine.runtime.workflow import WorkflowRun
from engine.services.designer.decision_versions import version_tag
from engine.store.models import DecisionDefinition, DefinitionResource, ProcessDefinition


@dataclass(frozen=True)
class DeployedDecision:
    """One version of a decision and the stored DMN file it comes from.

    ``deployment`` names what deployed it: ``decision-<row id>`` for a version of ``decision_definition``
    (every deployed DMN file, alone or with a process), the process version's row id for a decision only a
    process version deployed before decisions were versioned carries.
    """

    key: str
    name: str
    version: int
    filename: str
    content: str
    deployment: str
    version_tag: str | None = None

    @property
    def id(self) -> str:
        """Camunda's decision definition id: ``key:version:deployment``."""
        return f"{self.key}:{self.version}:{self.deployment}"


def _decisions_in(text: str) -> list[tuple[str, str]]:
    try:
        root = etree.fromstring(text.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError:
        return []
    return [
        (node.get("id", ""), node.get("name") or node.get("id", ""))
        for node in root.iter()
        if isinstance(node.tag, str) and etree.QName(node).localname == "decision" and node.get("id")
    ]


def deployed_decisions(session: Session, key: str | None = None) -> list[DeployedDecision]:
    """Every deployed version of every decision (of ``key`` only, if given), by key and version.

    Decisions deployed before decisions had versions of their own come from the newest process version
    that carries them, as long as no versioned row exists for their key.
    """
    rows = select(DecisionDefinition).order_by(DecisionDefinition.decision_key, DecisionDefinition.version)
    if key is not None:
        rows = rows.where(DecisionDefinition.decision_key == key)
    found: list[DeployedDecision] = []
    for row in session.scalars(rows):
        names = dict(_decisions_in(row.content))
        found.append(
            DeployedDecision(
                row.decision_key,
                names.get(row.decision_key, row.name),
                row.version,
                row.filename,
                row.content,
                f"decision-{row.id}",
                version_tag(row.content, row.decision_key),
            )
        )
    versioned = {decision.key for decision in found}
    return sorted([*found, *_unversioned(session, versioned, key)], key=lambda d: (d.key, d.version))


def _unversioned(session: Session, versioned: set[str], key: str | None) -> list[DeployedDecision]:
    query = (
        select(DefinitionResource, ProcessDefinition)
        .join(ProcessDefinition, ProcessDefinition.id == DefinitionResource.definition_id)
        .where(DefinitionResource.kind == "dmn")
        .order_by(ProcessDefinition.deployed_at, ProcessDefinition.id)
    )
    found: dict[str, DeployedDecision] = {}
    for resource, definition in session.execute(query).all():
        for decision_key, name in _decisions_in(resource.content):
            if decision_key in versioned or (key is not None and decision_key != key):
                continue
            found[decision_key] = DeployedDecision(
                decision_key, name, definition.version, resource.filename, resource.content, str(definition.id)
            )
    return list(found.values())


def latest_deployed_decision(session: Session, key: str) -> DeployedDecision:
    """The newest version of a decision, or NotFound."""
    versions = deployed_decisions(session, key)
    if not versions:
        raise NotFound(msg("notfound.decision", key=key))
    return versions[-1]


def _output_names(content: str, key: str) -> list[str]:
    root = etree.fromstring(content.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False))
    for node in root.iter():
        if isinstance(node.tag, str) and etree.QName(node).localname == "decision" and node.get("id") == key:
            return [
                out.get("name") or out.get("id") or "result"
                for out in node.iter()
                if isinstance(out.tag, str) and etree.QName(out).localname == "output"
            ]
    return []


_PROBE = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
             id="cf_decision_probe" targetNamespace="https://complaintflow.org/decisions">
  <process id="cf_decision_probe" isExecutable="true">
    <startEvent id="s"/><businessRuleTask id="d" camunda:decisionRef="{key}"/><endEvent id="e"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="d"/><sequenceFlow id="f2" sourceRef="d" targetRef="e"/>
  </process>
</definitions>"""


def evaluate_decision(session: Session, key: str, inputs: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """The decision's result as rows of named outputs (none when no rule matched).

    Evaluated exactly as a business rule task would: a one-step process around it runs in memory.
    """
    decision = latest_deployed_decision(session, key)
    probe = Resource("cf_decision_probe.bpmn", _PROBE.replace("{key}", escape(key, {'"': "&quot;"})))
    spec, subprocess_specs = parse_process([probe, Resource(decision.filename, decision.content)], "cf_decision_probe")
    run = WorkflowRun.start(ParsedDefinition(spec, subprocess_specs), dict(inputs), now)
    if run.incident is not None:
        raise ComplaintflowError(msg("decision.evaluation_failed", key=key, message=run.incident.message))
    data = run.variables()
    names = [name for name in _output_names(decision.content, decision.key) if name in data]
    columns = {name: data[name] if isinstance(data[name], list) else [data[name]] for name in names}
    count = max((len(values) for values in columns.values()), default=0)
    return [{name: values[i] for name, values in columns.items() if i < len(values)} for i in range(count)]
