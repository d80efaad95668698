"""``POST /v2/deployments``: Camunda 8's deploy call (Camunda Modeler, the SDKs' ``deployResources``).

The multipart field ``resources`` carries the files: ``.bpmn`` and ``.dmn`` are checked and deployed as the
designer's upload page deploys them (same checks, same refusal of what cannot run), ``.form`` files are
stored with the new process versions, where user tasks that link them by ``formId`` find them. An unchanged
file keeps its version, as Camunda's deployment does. The answer lists what was deployed in Camunda 8's shape.
"""

from __future__ import annotations

from flask import Response, request

from designer_export import REJECTED, Upload
from designer_export.api import deploy_files
from designer_export.check import check_form_uploads, is_form_upload
from engine.bpmn.bpmn_xml import MAX_XML_BYTES
from engine.bpmn.camunda_forms import parse_form
from engine.bpmn.resources import describe_bpmn
from engine.domain.errors import DeploymentError, PermissionDenied
from engine.domain.roles import DEPLOY_ROLES
from engine.store.camunda_form_queries import form_key, form_version
from webui.camunda8_rest.common import DEFAULT_TENANT, bp, json_response, v2_call
from webui.db import db, now
from webui.engine_rest.auth import current_actor
from webui.engine_rest.common import RestError

DIAGRAMS = (".bpmn", ".bpmn20.xml", ".dmn", ".dmn11.xml")
MAX_FILES = 50
MAX_UPLOAD_REQUEST_BYTES = 4 * MAX_XML_BYTES


@bp.before_request
def _allow_diagram_uploads() -> None:
    """Diagrams may be larger than the app's general request limit (the checks report a too large file)."""
    if request.method == "POST" and request.path.endswith("/deployments"):
        request.max_content_length = MAX_UPLOAD_REQUEST_BYTES


def _problems(reports: list) -> str:  # type: ignore[type-arg]
    """The errors that stopped the deployment, each with its file and element, for the problem's detail."""
    lines = [
        f"{report.file}: {d.element_id + ': ' if d.element_id else ''}{d.message}"
        for report in reports
        for d in report.diagnostics
        if d.severity == "error"
    ]
    return "nothing was deployed: " + "; ".join(lines[:20])


@bp.post("/deployments")
@v2_call
def create_deployment() -> Response:
    actor = current_actor()
    if not actor.roles & DEPLOY_ROLES:
        raise PermissionDenied(f"user {actor.username!r} may not deploy (needs the designer role)")
    if (request.form.get("tenantId") or DEFAULT_TENANT) != DEFAULT_TENANT:
        raise RestError(400, "complaintflow has no tenants: deploy without a tenantId")
    files = request.files.getlist("resources")
    uploads = [Upload(f.filename or "resource", f.stream.read(MAX_XML_BYTES + 1)) for f in files]
    if not uploads or len(uploads) > MAX_FILES:
        raise RestError(400, f"send 1 to {MAX_FILES} files in the multipart field 'resources'")
    unknown = [u.filename for u in uploads if not is_form_upload(u) and not u.filename.lower().endswith(DIAGRAMS)]
    if unknown:
        raise RestError(400, f"only .bpmn, .dmn and .form files can be deployed: {', '.join(unknown)}")
    forms, form_reports = check_form_uploads([u for u in uploads if is_form_upload(u)])
    diagrams = [u for u in uploads if not is_form_upload(u)]
    if any(report.status == REJECTED for report in form_reports):
        raise RestError(400, _problems(form_reports))
    if not diagrams:
        raise RestError(400, "a form is stored with the processes that link it: deploy it with their .bpmn files")
    try:
        outcome = deploy_files(db(), actor, diagrams, now(), attachments=forms)
    except DeploymentError as error:
        raise RestError(400, f"nothing was deployed: {error}") from None
    if not outcome.deployed:
        raise RestError(400, _problems(outcome.reports))
    sources = {
        info.process_id: report.file
        for report in outcome.reports
        if report.normalized is not None and report.normalized.resource.kind == "bpmn"
        for info in describe_bpmn(report.normalized.resource)
    }
    deployed: list[dict[str, object]] = []
    for result in outcome.results:
        if result.kind == "decision":
            entry = {"decisionDefinitionId": result.process_key, "version": result.version,
                     "decisionDefinitionKey": str(result.definition_id), "name": result.name}  # fmt: skip
            deployed.append({"decisionDefinition": {**entry, "tenantId": DEFAULT_TENANT}})
            continue
        source = sources.get(result.process_key, diagrams[0].filename)
        deployed.append({"processDefinition": {
            "processDefinitionId": result.process_key, "processDefinitionVersion": result.version,
            "processDefinitionKey": str(result.definition_id), "resourceName": source, "tenantId": DEFAULT_TENANT,
        }})  # fmt: skip
    for resource in forms:
        form = parse_form(resource.content)
        deployed.append({"form": {
            "formId": form.id, "version": form_version(db(), form), "formKey": form_key(form),
            "resourceName": resource.filename, "tenantId": DEFAULT_TENANT,
        }})  # fmt: skip
    key = max((result.definition_id for result in outcome.results), default=0)
    return json_response({"deploymentKey": str(key), "tenantId": DEFAULT_TENANT, "deployments": deployed})
