"""Versions of decisions: every deployed DMN file gives each of its decisions a new version when its
content changed, so a DMN file deployed alone is accepted and processes deployed later find it.

Part of the deploy use case (engine.services.designer.deployment commits).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bpmn.diagnostics import Diagnostic
from engine.bpmn.resources import Resource, describe_dmn
from engine.domain.actors import Actor
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
