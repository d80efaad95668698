"""Versions of decisions: every deployed DMN file gives each of its decisions a new version when its
content changed, so a DMN file deployed alone is accepted and processes deployed later find it.

A business rule task takes the latest version unless ``camunda:decisionRefBinding`` says otherwise:
``deployment`` (the DMN file deployed with the process), ``version`` (``camunda:decisionRefVersion``)
or ``versionTag`` (the newest version whose decision carries ``camunda:versionTag``). The table is
chosen when the process is deployed and stored with its version (see ``bound_decision_file``).

Part of the deploy use case (engine.services.designer.deployment commits).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bpmn.bpmn_xml import CAMUNDA_NS
from engine.bpmn.diagnostics import Diagnostic
from engine.bpmn.resources import DecisionBinding, Resource, describe_dmn
from engine.domain.actors import Actor
from engine.domain.errors import DeploymentError
from engine.domain.messages import msg
from engine.services.audit import record
from engine.store.models import DecisionDefinition


@dataclass(frozen=True)
class DecisionVersion:
    """The version a decision got; ``created`` is False when the same file was already deployed."""

    decision_key: str
    version: int
    filename: str
    created: bool
    diagnostics: tuple[Diagnostic, ...] = ()


def latest_decision(session: Session, decision_key: str) -> DecisionDefinition | None:
    return session.scalars(
        select(DecisionDefinition)
        .where(DecisionDefinition.decision_key == decision_key)
        .order_by(DecisionDefinition.version.desc())
        .limit(1)
    ).first()


def latest_decisions(session: Session) -> Sequence[DecisionDefinition]:
    """The latest version of every deployed decision."""
    newest = (
        select(DecisionDefinition.decision_key, func.max(DecisionDefinition.version).label("version"))
        .group_by(DecisionDefinition.decision_key)
        .subquery()
    )
    return session.scalars(
        select(DecisionDefinition).join(
            newest,
            (DecisionDefinition.decision_key == newest.c.decision_key)
            & (DecisionDefinition.version == newest.c.version),
        )
    ).all()


def store_decisions(
    session: Session, actor: Actor, resource: Resource, now: datetime, notes: tuple[Diagnostic, ...] = ()
) -> list[DecisionVersion]:
    """A new version of each decision in the DMN file whose latest version has other content."""
    checksum = hashlib.sha256(resource.content.encode("utf-8")).hexdigest()
    results = []
    for decision_key in describe_dmn(resource):
        latest = latest_decision(session, decision_key)
        if latest is not None and latest.checksum == checksum:
            results.append(DecisionVersion(decision_key, latest.version, latest.filename, False, notes))
            continue
        version = (latest.version + 1) if latest else 1
        session.add(
            DecisionDefinition(
                decision_key=decision_key,
                version=version,
                name=decision_key,
                filename=resource.filename,
                checksum=checksum,
                content=resource.content,
                deployed_at=now,
                deployed_by=actor.username,
            )
        )
        record(
            session,
            actor,
            "decision_deployed",
            now,
            after={"decision_key": decision_key, "version": version, "file": resource.filename},
        )
        results.append(DecisionVersion(decision_key, version, resource.filename, True, notes))
    session.flush()
    return results


def version_tag(content: str, decision_key: str) -> str | None:
    """The ``camunda:versionTag`` of a decision in a DMN file."""
    try:
        root = etree.fromstring(content.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError:
        return None
    for node in root:
        if isinstance(node.tag, str) and etree.QName(node).localname == "decision" and node.get("id") == decision_key:
            # Camunda Modeler writes it in the DMN flavour of its namespace (.../1.0/dmn).
            tags = [value for name, value in node.attrib.items() if _camunda_attribute(name, "versionTag")]
            return tags[0] if tags else None
    return None


def _camunda_attribute(name: str, local: str) -> bool:
    qualified = etree.QName(name)
    return qualified.localname == local and (qualified.namespace or "").startswith(CAMUNDA_NS.rsplit("/", 1)[0])


def bound_decision_file(
    session: Session, binding: DecisionBinding, uploaded: Resource | None, filename: str
) -> Resource | None:
    """The DMN file a business rule task bound to a version, the deployment or a version tag runs.

    ``uploaded`` is the file of this deployment that declares the decision (if any); the decision's
    versions are already stored when this is asked. None for the latest-version binding.
    """
    key = binding.decision_id
    if binding.binding == "latest":
        return None
    if binding.binding == "deployment":
        if uploaded is None:
            raise DeploymentError(
                msg("decision.not_in_deployment", key=key),
                filename=filename,
                element_id=binding.element_id,
            )
        return uploaded
    rows = session.scalars(
        select(DecisionDefinition)
        .where(DecisionDefinition.decision_key == key)
        .order_by(DecisionDefinition.version.desc())
    ).all()
    if binding.binding == "version":
        if not binding.value.isdigit():
            raise DeploymentError(
                msg("decision.version_not_number", key=key, version=binding.value),
                filename=filename,
                element_id=binding.element_id,
            )
        found = next((row for row in rows if row.version == int(binding.value)), None)
        missing = msg("decision.version_not_deployed", key=key, version=binding.value)
    elif binding.binding == "versionTag":
        found = next((row for row in rows if version_tag(row.content, key) == binding.value), None)
        missing = msg("decision.tag_not_deployed", key=key, tag=binding.value)
    else:
        raise DeploymentError(
            msg("decision.unknown_binding", key=key, binding=binding.binding),
            filename=filename,
            element_id=binding.element_id,
        )
    if found is None:
        raise DeploymentError(missing, filename=filename, element_id=binding.element_id)
    return Resource(found.filename, found.content)
