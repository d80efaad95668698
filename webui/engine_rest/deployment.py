"""``/engine-rest`` engine, version and deployment: what Camunda Modeler's deploy dialog sends, answered as Camunda.

The dialog checks the connection with ``GET /deployment?maxResults=0`` and ``GET /version``, deploys with
``POST /deployment/create`` (multipart: ``deployment-name``, ``deployment-source``,
``enable-duplicate-filtering``, optionally ``tenant-id``, the diagram and attachments such as ``.form``
files) and may start an instance. Without ``enable-duplicate-filtering``/``deploy-changed-only`` every
deployment makes new versions, as in Camunda; with either, unchanged content keeps its version. A refused
diagram is a ``ParseException`` whose message starts with ``ENGINE-09005`` so the modeller shows every
located problem. Deploying needs the designer or admin role (Basic or Bearer).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from designer_export import Upload
from designer_export.api import DeployOutcome, deploy_files
from engine.bpmn.bpmn_xml import MAX_XML_BYTES
from engine.bpmn.diagnostics import Diagnostic
from engine.bpmn.resources import Resource, describe_dmn
from engine.domain.errors import DeploymentError, PermissionDenied
from engine.domain.roles import DEPLOY_ROLES
from engine.services.designer.removal import delete_versions
from engine.store.models import ProcessDefinition
from webui.db import db, now
from webui.engine_rest.auth import current_actor, rest_call
from webui.engine_rest.common import RestError, bp, flag, json_response, no_content, page
from webui.engine_rest.ids import instance_uuid, parse_instance_id
from webui.engine_rest.process_definition import definition_json
from webui.engine_rest.variables import camunda_date

# Camunda Modeler reads this to pick its Camunda 7 feature set; complaintflow implements that API subset.
ENGINE_VERSION = "7.21.0"
PARSE_ERROR_PREFIX = "ENGINE-09005 Could not parse BPMN process. Errors:"
DIAGRAMS = (".bpmn", ".bpmn20.xml", ".dmn", ".dmn11.xml")
MAX_FILES = 50
MAX_UPLOAD_REQUEST_BYTES = 4 * MAX_XML_BYTES


def _may_deploy() -> None:
    actor = current_actor()
    if not actor.roles & DEPLOY_ROLES:
        raise PermissionDenied(f"user {actor.username!r} may not deploy (needs the designer role)")


@bp.before_request
def _allow_diagram_uploads() -> None:
    """Diagrams may be larger than the app's general request limit (the checks report a too large file)."""
    if request.method == "POST" and request.path.endswith("/deployment/create"):
        request.max_content_length = MAX_UPLOAD_REQUEST_BYTES


@bp.get("/version")
@rest_call
def engine_version() -> Response:
    _may_deploy()
    return json_response({"version": ENGINE_VERSION})


@bp.get("/engine")
@rest_call
def engines() -> Response:
    return json_response([{"name": "default"}])


def _siblings(session: Session, definition: ProcessDefinition) -> list[ProcessDefinition]:
    """The versions stored by the same deployment (same moment, same person)."""
    query = select(ProcessDefinition).where(
        ProcessDefinition.deployed_at == definition.deployed_at, ProcessDefinition.deployed_by == definition.deployed_by
    )
    return list(session.scalars(query.order_by(ProcessDefinition.id)))


def _deployment_json(session: Session, first: ProcessDefinition, name: str | None = None) -> dict[str, Any]:
    return {
        "links": [
            {
                "method": "GET",
                "href": f"{request.url_root}engine-rest/deployment/{instance_uuid(first.id)}",
                "rel": "self",
            }
        ],  # fmt: skip
        "id": instance_uuid(first.id),
        "name": name or first.name,
        "source": None,
        "deploymentTime": camunda_date(first.deployed_at),
        "tenantId": None,
    }


def _deployment(session: Session, ref: str) -> ProcessDefinition:
    definition = session.get(ProcessDefinition, parse_instance_id(ref))
    if definition is None:
        raise RestError(404, f"Deployment with id '{ref}' does not exist")
    return _siblings(session, definition)[0]


@bp.get("/deployment")
@rest_call
def list_deployments() -> Response:
    _may_deploy()
    session = db()
    firsts: dict[tuple[Any, str], ProcessDefinition] = {}
    for row in session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.deployed_at.desc())):
        firsts.setdefault((row.deployed_at, row.deployed_by), row)
    return json_response([_deployment_json(session, row) for row in page(list(firsts.values()))])


@bp.get("/deployment/<ref>")
@rest_call
def get_deployment(ref: str) -> Response:
    _may_deploy()
    session = db()
    return json_response(_deployment_json(session, _deployment(session, ref)))


@bp.delete("/deployment/<ref>")
@rest_call
def delete_deployment(ref: str) -> Response:
    """Delete a deployment without instances; ``cascade`` (deleting instances too) is refused."""
    _may_deploy()
    if flag(request.args.get("cascade", False)):
        raise RestError(400, "cascade is not supported: instances keep the version they run on")
    session = db()
    first = _deployment(session, ref)
    delete_versions(session, current_actor(), [d.id for d in _siblings(session, first)], now())
    return no_content()


@bp.get("/deployment/<ref>/resources")
@rest_call
def deployment_resources(ref: str) -> Response:
    _may_deploy()
    session = db()
    first = _deployment(session, ref)
    names = {r.filename for d in _siblings(session, first) for r in d.resources if r.kind != "original"}
    deployment_id = instance_uuid(first.id)
    return json_response(
        [{"id": f"{deployment_id}:{name}", "name": name, "deploymentId": deployment_id} for name in sorted(names)]
    )


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


def _parse_exception(reports: Sequence[tuple[str, Sequence[Diagnostic]]]) -> Response:
    details = {
        file: {"errors": _problems(diagnostics, "error"), "warnings": _problems(diagnostics, "warning")}
        for file, diagnostics in reports
    }
    lines = [d.text() for _, diagnostics in reports for d in diagnostics if d.severity == "error"]
    message = PARSE_ERROR_PREFIX + "\n" + "\n".join(f"* {line}" for line in lines)
    return json_response({"type": "ParseException", "message": message, "code": 0, "details": details}, 400)


def _decisions(diagrams: list[Upload], definitions: list[ProcessDefinition], deployment_id: str) -> dict[str, Any]:
    """``deployedDecisionDefinitions``: the decisions of the uploaded DMN files, versioned with their process."""
    version = max((d.version for d in definitions), default=1)
    result: dict[str, Any] = {}
    for upload in diagrams:
        if not upload.filename.lower().endswith((".dmn", ".dmn11.xml")):
            continue
        text = upload.data.decode("utf-8", errors="replace")
        for decision in describe_dmn(Resource(upload.filename, text)):
            ref = f"{decision}:{version}:{deployment_id}"
            result[ref] = {
                "id": ref, "key": decision, "category": "https://complaintflow.org", "name": decision,
                "version": version, "resource": upload.filename, "deploymentId": deployment_id,
                "decisionRequirementsDefinitionId": None, "decisionRequirementsDefinitionKey": None,
                "tenantId": None, "versionTag": None, "historyTimeToLive": None,
            }  # fmt: skip
    return result


def _created(session: Session, outcome: DeployOutcome, diagrams: list[Upload], name: str, source: str) -> Response:
    processes = [r for r in outcome.results if r.kind == "process"]
    if not processes:
        return _decisions_created(outcome, name, source)
    found = [d for d in (session.get(ProcessDefinition, r.definition_id) for r in processes) if d is not None]
    first = min(found, key=lambda d: d.id)
    body = _deployment_json(session, first, name)
    body["source"] = source
    body["deployedProcessDefinitions"] = {definition_json(d)["id"]: definition_json(d) for d in found}
    body["deployedCaseDefinitions"] = None
    body["deployedDecisionDefinitions"] = _decisions(diagrams, found, body["id"]) or None
    body["deployedDecisionRequirementsDefinitions"] = None
    warnings = [d.to_dict() for report in outcome.reports for d in report.diagnostics if d.severity == "warning"]
    body["complaintflowWarnings"] = warnings
    return json_response(body)


def _decisions_created(outcome: DeployOutcome, name: str, source: str) -> Response:
    """A DMN file deployed alone (Camunda Modeler's deploy dialog): its decisions' new versions."""
    first = min(outcome.results, key=lambda r: r.definition_id)
    deployment_id = f"decision-{first.definition_id}"
    decisions = {
        f"{r.process_key}:{r.version}:{deployment_id}": {
            "id": f"{r.process_key}:{r.version}:{deployment_id}", "key": r.process_key,
            "category": "https://complaintflow.org", "name": r.name, "version": r.version, "resource": None,
            "deploymentId": deployment_id, "decisionRequirementsDefinitionId": None,
            "decisionRequirementsDefinitionKey": None, "tenantId": None, "versionTag": None,
            "historyTimeToLive": None,
        }
        for r in outcome.results
    }  # fmt: skip
    body: dict[str, Any] = {
        "links": [], "id": deployment_id, "name": name, "source": source, "deploymentTime": None, "tenantId": None,
        "deployedProcessDefinitions": None, "deployedCaseDefinitions": None,
        "deployedDecisionDefinitions": decisions, "deployedDecisionRequirementsDefinitions": None,
        "complaintflowWarnings": [
            d.to_dict() for report in outcome.reports for d in report.diagnostics if d.severity == "warning"
        ],
    }  # fmt: skip
    return json_response(body)


@bp.post("/deployment/create")
@rest_call
def create_deployment() -> Response:
    _may_deploy()
    form = request.form
    if (form.get("tenant-id") or "").strip():
        raise RestError(400, "complaintflow has no tenants: deploy without a tenant id")
    uploads = [
        Upload(storage.filename or name, storage.stream.read(MAX_XML_BYTES + 1))
        for name, storage in request.files.items()
    ]
    if len(uploads) > MAX_FILES:
        raise RestError(400, f"at most {MAX_FILES} files per deployment")
    diagrams = [u for u in uploads if u.filename.lower().endswith(DIAGRAMS)]
    if not diagrams:
        raise RestError(400, "the deployment contains no .bpmn or .dmn file")
    attachments = []
    for upload in uploads:
        if upload not in diagrams:
            try:
                attachments.append(Resource(upload.filename, upload.data.decode("utf-8")))
            except UnicodeDecodeError:
                raise RestError(400, f"{upload.filename}: only text attachments (forms, ...) are kept") from None
    filtering = flag(form.get("enable-duplicate-filtering", False)) or flag(form.get("deploy-changed-only", False))
    session, actor = db(), current_actor()
    try:
        outcome = deploy_files(session, actor, diagrams, now(), force_new=not filtering, attachments=attachments)
    except DeploymentError as error:
        located = Diagnostic("error", "engine", str(error), element_id=error.element_id, line=error.line)
        return _parse_exception([(error.filename or diagrams[0].filename, [located])])
    if not outcome.deployed:
        return _parse_exception([(report.file, report.diagnostics) for report in outcome.reports])
    name = form.get("deployment-name") or diagrams[0].filename
    return _created(session, outcome, diagrams, name, form.get("deployment-source", ""))
