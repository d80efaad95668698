"""Deployed decisions (DMN) on their own: listing them and evaluating one (Camunda's ``decision-definition``).

A decision is deployed with the process version that uses it; the newest version carrying a DMN file that
declares it is the decision's current definition. Evaluating runs the same DMN engine as business rule
tasks (SpiffWorkflow's, through a one-step process) and answers rows of output values (Camunda's shape).
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
from engine.runtime.parser import parse_process
from engine.runtime.serialization import ParsedDefinition
from engine.runtime.workflow import WorkflowRun
from engine.store.models import DefinitionResource, ProcessDefinition


@dataclass(frozen=True)
class DeployedDecision:
    """A decision and the stored file it comes from (the newest version that carries it)."""

    key: str
    name: str
    filename: str
    content: str
    definition: ProcessDefinition


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


def deployed_decisions(session: Session) -> list[DeployedDecision]:
    """Every decision of the stored DMN files, each from the newest version that carries it."""
    query = (
        select(DefinitionResource, ProcessDefinition)
        .join(ProcessDefinition, ProcessDefinition.id == DefinitionResource.definition_id)
        .where(DefinitionResource.kind == "dmn")
        .order_by(ProcessDefinition.deployed_at, ProcessDefinition.id)
    )
    found: dict[str, DeployedDecision] = {}
    for resource, definition in session.execute(query).all():
        for key, name in _decisions_in(resource.content):
            found[key] = DeployedDecision(key, name, resource.filename, resource.content, definition)
    return sorted(found.values(), key=lambda decision: decision.key)


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
    decision = next((d for d in deployed_decisions(session) if d.key == key), None)
    if decision is None:
        raise NotFound(f"no deployed decision definition with key {key!r}")
    probe = Resource("cf_decision_probe.bpmn", _PROBE.replace("{key}", escape(key, {'"': "&quot;"})))
    spec, subprocess_specs = parse_process([probe, Resource(decision.filename, decision.content)], "cf_decision_probe")
    run = WorkflowRun.start(ParsedDefinition(spec, subprocess_specs), dict(inputs), now)
    if run.incident is not None:
        raise ComplaintflowError(f"decision {key!r} could not be evaluated: {run.incident.message}")
    data = run.variables()
    names = [name for name in _output_names(decision.content, decision.key) if name in data]
    columns = {name: data[name] if isinstance(data[name], list) else [data[name]] for name in names}
    count = max((len(values) for values in columns.values()), default=0)
    return [{name: values[i] for name, values in columns.items() if i < len(values)} for i in range(count)]
