"""The part of Camunda 7's REST API that Camunda Modeler's deploy dialog uses, as plain functions.

The modeller checks the connection with ``GET /deployment?maxResults=0`` and ``GET /version``, deploys
with ``POST /deployment/create`` (multipart: ``deployment-name``, ``deployment-source``, the files) and
can start an instance with ``POST /process-definition/{id}/start``. Answers mirror Camunda's JSON, and
a refused diagram is a ``ParseException`` whose message starts with ``ENGINE-09005`` so the modeller
shows it as "could not parse" with every located problem. Authentication is HTTP Basic against
complaintflow's users; deploying needs the designer or admin role.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from designer_export import Upload
from engine.domain.actors import ROLE_ADMIN, ROLE_DESIGNER, Actor
from engine.domain.errors import DeploymentError
from engine.runtime.diagnostics import Diagnostic
from engine.services.designer_api import DeployOutcome, deploy_files
from engine.services.users import SignInRefused, actor_for, authenticate
from engine.store.models import ProcessDefinition

# Camunda Modeler reads this to pick its Camunda 7 feature set; complaintflow implements that API subset.
ENGINE_VERSION = "7.21.0"
PARSE_ERROR_PREFIX = "ENGINE-09005 Could not parse BPMN process. Errors:"
DEPLOY_ROLES = frozenset({ROLE_ADMIN, ROLE_DESIGNER})
MAX_FILES = 50


@dataclass(frozen=True)
class RestResponse:
    """What to send: an HTTP status, a JSON-serialisable body and extra headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


def _error(status: int, kind: str, message: str, **extra: Any) -> RestResponse:
    headers = {"WWW-Authenticate": 'Basic realm="complaintflow"'} if status == 401 else {}
    return RestResponse(status, {"type": kind, "message": message, **extra}, headers)


def authenticate_basic(
    session: Session, authorization: str | None, remote_addr: str, now: datetime
) -> Actor | RestResponse:
    """The actor for an ``Authorization: Basic ...`` header, or the 401/403 response to send instead."""
    if not authorization or not authorization.lower().startswith("basic "):
        return _error(401, "AuthenticationException", "sign in with a complaintflow user name and password")
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return _error(401, "AuthenticationException", "the Authorization header is not valid Basic credentials")
    username, _, password = decoded.partition(":")
    try:
        user = authenticate(session, username, password, remote_addr, now)
    except SignInRefused as refused:
        return _error(401, "AuthenticationException", str(refused))
    actor = actor_for(user)
    if not actor.roles & DEPLOY_ROLES:
        return _error(
            403, "AuthorizationException", f"user {actor.username!r} may not deploy (needs the designer role)"
        )
    return actor


def engine_version() -> RestResponse:
    """``GET /version``."""
    return RestResponse(200, {"version": ENGINE_VERSION})


def _definition_id(definition: ProcessDefinition) -> str:
    # Camunda's process definition ids read key:version:unique-id; the row id makes ours unique.
    return f"{definition.process_key}:{definition.version}:{definition.id}"


def list_deployments(session: Session, args: Mapping[str, str]) -> RestResponse:
    """``GET /deployment`` (the modeller asks ``maxResults=0`` to test the connection)."""
    try:
        first = max(0, int(args.get("firstResult", 0)))
        limit = max(0, min(200, int(args.get("maxResults", 50))))
    except ValueError:
        return _error(400, "InvalidRequestException", "firstResult and maxResults must be numbers")
    rows = session.scalars(
        select(ProcessDefinition).order_by(ProcessDefinition.deployed_at.desc()).offset(first).limit(limit)
    )
    body: list[dict[str, Any]] = [
        {
            "id": str(d.id),
            "name": d.name,
            "source": None,
            "deploymentTime": d.deployed_at.isoformat(timespec="milliseconds"),
            "tenantId": None,
            "links": [],
        }
        for d in rows
    ]
    return RestResponse(200, body)


def _problems(diagnostics: Sequence[Diagnostic], severity: str) -> list[dict[str, Any]]:
    return [
        {
            "message": d.message + (f" (hint: {d.hint})" if d.hint else ""),
            "line": d.line or 0,
            "column": 0,
            "mainElementId": d.element_id,
            "elementIds": [d.element_id] if d.element_id else [],
        }
        for d in diagnostics
        if d.severity == severity
    ]


def _parse_exception(outcome_reports: Sequence[Any]) -> RestResponse:
    details = {
        report.file: {
            "errors": _problems(report.diagnostics, "error"),
            "warnings": _problems(report.diagnostics, "warning"),
        }
        for report in outcome_reports
    }
    lines = [d.text() for report in outcome_reports for d in report.diagnostics if d.severity == "error"]
    message = PARSE_ERROR_PREFIX + "\n" + "\n".join(f"* {line}" for line in lines)
    return _error(400, "ParseException", message, details=details)


def _deployed_body(outcome: DeployOutcome, session: Session, name: str, source: str, base_url: str) -> dict[str, Any]:
    definitions = [session.get(ProcessDefinition, result.definition_id) for result in outcome.results]
    found = [d for d in definitions if d is not None]
    deployment_id = str(min(d.id for d in found)) if found else ""
    processes = {
        _definition_id(d): {
            "id": _definition_id(d),
            "key": d.process_key,
            "category": None,
            "description": None,
            "name": d.name,
            "version": d.version,
            "resource": next((r.filename for r in d.resources if r.kind == "bpmn"), None),
            "deploymentId": deployment_id,
            "diagram": None,
            "suspended": False,
            "tenantId": None,
            "versionTag": None,
            "historyTimeToLive": None,
            "startableInTasklist": True,
        }
        for d in found
    }
    deployed_at = max((d.deployed_at for d in found), default=None)
    warnings = [d.to_dict() for report in outcome.reports for d in report.diagnostics if d.severity == "warning"]
    return {
        "links": [{"method": "GET", "href": f"{base_url}/deployment/{deployment_id}", "rel": "self"}],
        "id": deployment_id,
        "name": name,
        "source": source,
        "deploymentTime": deployed_at.isoformat(timespec="milliseconds") if deployed_at else None,
        "tenantId": None,
        "deployedProcessDefinitions": processes,
        "deployedCaseDefinitions": None,
        "deployedDecisionDefinitions": None,
        "deployedDecisionRequirementsDefinitions": None,
        "complaintflowWarnings": warnings,
    }


def create_deployment(
    session: Session,
    actor: Actor,
    form: Mapping[str, str],
    files: Sequence[Upload],
    now: datetime,
    base_url: str = "/engine-rest",
) -> RestResponse:
    """``POST /deployment/create``: check every BPMN/DMN file, deploy them, answer like Camunda."""
    diagrams = [f for f in files if f.filename.lower().endswith((".bpmn", ".bpmn20.xml", ".dmn", ".dmn11.xml"))]
    if not diagrams:
        return _error(400, "InvalidRequestException", "the deployment contains no .bpmn or .dmn file")
    if len(files) > MAX_FILES:
        return _error(400, "InvalidRequestException", f"at most {MAX_FILES} files per deployment")
    try:
        outcome = deploy_files(session, actor, diagrams, now)
    except DeploymentError as error:
        located = Diagnostic("error", "engine", str(error), element_id=error.element_id, line=error.line)
        return _parse_exception([_Report(error.filename or diagrams[0].name, [located])])
    if not outcome.deployed:
        return _parse_exception(outcome.reports)
    name = form.get("deployment-name") or diagrams[0].filename
    return RestResponse(200, _deployed_body(outcome, session, name, form.get("deployment-source", ""), base_url))


@dataclass
class _Report:
    file: str
    diagnostics: list[Diagnostic]
