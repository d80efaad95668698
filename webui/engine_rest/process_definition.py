"""``/engine-rest/process-definition``: list, by id and key, start, XML and statistics.

A process definition id reads ``key:version:rowid`` as Camunda's ``key:version:uuid``; starting by id
starts exactly that row (a wrong row id is a 404, never "the same key and version").
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import PermissionDenied
from engine.domain.external_work import WORKER_GROUP
from engine.domain.roles import PROCESS_START_ROLES
from engine.services.instances import lifecycle as instances
from engine.store.external_tasks import ExternalTask
from engine.store.models import INSTANCE_COMPLETED, INSTANCE_INCIDENT, Incident, ProcessDefinition, ProcessInstance
from engine.store.queries import latest_definition
from webui.db import db, now
from webui.engine_rest.auth import current_actor, rest_call
from webui.engine_rest.common import RestError, bp, flag, integer, json_body, json_response, page, tenants_requested
from webui.engine_rest.external_task_json import definition_ref, parse_definition_ref
from webui.engine_rest.ids import instance_uuid
from webui.engine_rest.variables import from_camunda, to_camunda

_ACTIVE = ("running", "waiting", "incident", "suspended")


def may_start(actor: Actor) -> None:
    """Integrations (worker group), designers, leads, managers and admins start instances over REST."""
    if not (actor.roles & PROCESS_START_ROLES or WORKER_GROUP in actor.groups):
        raise PermissionDenied(f"user {actor.username!r} may not start process instances")


def deployment_id(definition: ProcessDefinition) -> str:
    return instance_uuid(definition.id)


def definition_json(definition: ProcessDefinition) -> dict[str, Any]:
    """``ProcessDefinitionDto``."""
    return {
        "id": definition_ref(definition),
        "key": definition.process_key,
        "category": "https://complaintflow.org",
        "description": None,
        "name": definition.name,
        "version": definition.version,
        "resource": next((r.filename for r in definition.resources if r.kind == "bpmn"), None),
        "deploymentId": deployment_id(definition),
        "diagram": None,
        "suspended": False,
        "tenantId": None,
        "versionTag": None,
        "historyTimeToLive": None,
        "startableInTasklist": True,
    }


def by_ref(session: Session, ref: str) -> ProcessDefinition:
    """The definition with exactly this id (key, version and row id must all match)."""
    row_id = parse_definition_ref(ref)
    definition = session.get(ProcessDefinition, row_id) if row_id is not None else None
    if definition is None or definition_ref(definition) != ref:
        raise RestError(404, f"No matching definition with id {ref}")
    return definition


def by_key(session: Session, key: str) -> ProcessDefinition:
    definition = latest_definition(session, key)
    if definition is None:
        raise RestError(404, f"No matching process definition with key: {key} and no tenant-id")
    return definition


@bp.get("/process-definition")
@rest_call
def list_definitions() -> Response:
    query = select(ProcessDefinition).order_by(ProcessDefinition.process_key, ProcessDefinition.version)
    args = request.args
    if args.get("key"):
        query = query.where(ProcessDefinition.process_key == args["key"])
    if args.get("keyLike"):
        query = query.where(ProcessDefinition.process_key.like(args["keyLike"]))
    if args.get("version"):
        query = query.where(ProcessDefinition.version == integer(args["version"], "version", minimum=1))
    rows = list(db().scalars(query))
    if flag(args.get("latestVersion", False)):
        newest: dict[str, ProcessDefinition] = {}
        for row in rows:
            newest[row.process_key] = row
        rows = list(newest.values())
    return json_response([definition_json(row) for row in page(rows)])


@bp.get("/process-definition/count")
@rest_call
def count_definitions() -> Response:
    if tenants_requested(request.args):
        return json_response({"count": 0})
    return json_response({"count": int(db().scalar(select(func.count()).select_from(ProcessDefinition)) or 0)})


@bp.get("/process-definition/key/<key>")
@rest_call
def get_by_key(key: str) -> Response:
    return json_response(definition_json(by_key(db(), key)))


@bp.get("/process-definition/<ref>")
@rest_call
def get_by_id(ref: str) -> Response:
    return json_response(definition_json(by_ref(db(), ref)))


def _xml(definition: ProcessDefinition) -> Response:
    bpmn = next((r.content for r in definition.resources if r.kind == "bpmn"), "")
    return json_response({"id": definition_ref(definition), "bpmn20Xml": bpmn})


@bp.get("/process-definition/key/<key>/xml")
@rest_call
def xml_by_key(key: str) -> Response:
    return _xml(by_key(db(), key))


@bp.get("/process-definition/<ref>/xml")
@rest_call
def xml_by_id(ref: str) -> Response:
    return _xml(by_ref(db(), ref))


def _start(definition: ProcessDefinition) -> Response:
    actor = current_actor()
    may_start(actor)
    body = json_body()
    variables = from_camunda(body.get("variables"))
    business_key = body.get("businessKey") or None
    instance = instances.start_instance(
        db(), actor, definition.process_key, variables, now(), business_key=business_key, version=definition.version
    )
    result: dict[str, Any] = {
        "links": [
            {
                "method": "GET",
                "href": f"{request.url_root}engine-rest/process-instance/{instance_uuid(instance.id)}",
                "rel": "self",
            }
        ],  # fmt: skip
        "id": instance_uuid(instance.id),
        "definitionId": definition_ref(definition),
        "definitionKey": definition.process_key,
        "businessKey": instance.business_key,
        "caseInstanceId": None,
        "ended": instance.status == INSTANCE_COMPLETED,
        "suspended": False,
        "tenantId": None,
    }
    # Camunda sends null unless asked for the variables.
    result["variables"] = to_camunda(instance.variables or {}) if flag(body.get("withVariablesInReturn")) else None
    return json_response(result)


@bp.post("/process-definition/key/<key>/start")
@rest_call
def start_by_key(key: str) -> Response:
    return _start(by_key(db(), key))


@bp.post("/process-definition/<ref>/start")
@rest_call
def start_by_id(ref: str) -> Response:
    return _start(by_ref(db(), ref))


@bp.get("/process-definition/statistics")
@rest_call
def statistics() -> Response:
    """Instances (running, waiting, failed or suspended) and incidents per definition."""
    session = db()
    running = dict(
        session.execute(
            select(ProcessInstance.definition_id, func.count())
            .where(ProcessInstance.status.in_(_ACTIVE))
            .group_by(ProcessInstance.definition_id)
        ).all()
    )
    incidents = dict(
        session.execute(
            select(ProcessInstance.definition_id, func.count())
            .join(Incident, Incident.instance_id == ProcessInstance.id)
            .where(Incident.resolved_at.is_(None), ProcessInstance.status == INSTANCE_INCIDENT)
            .group_by(ProcessInstance.definition_id)
        ).all()
    )
    failed_jobs = dict(
        session.execute(
            select(ExternalTask.definition_id, func.count())
            .where(ExternalTask.retries == 0)
            .group_by(ExternalTask.definition_id)
        ).all()
    )
    body = []
    for definition in session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.id)):
        count = int(incidents.get(definition.id, 0))
        body.append(
            {
                "id": definition_ref(definition),
                "instances": int(running.get(definition.id, 0)),
                "failedJobs": int(failed_jobs.get(definition.id, 0)),
                "incidents": [{"incidentType": "failedExternalTask", "incidentCount": count}] if count else [],
                "definition": definition_json(definition),
            }
        )
    return json_response(body)
