"""``/engine-rest/incident``, ``/history/process-instance``, ``/history/activity-instance``: enough to check completion.

Built from what the product records anyway: the instance rows, their incidents and the element visits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.element_visits import VISIT_CANCELLED, ElementVisit
from engine.store.models import (
    INSTANCE_CANCELLED,
    INSTANCE_COMPLETED,
    INSTANCE_SUSPENDED,
    Incident,
    ProcessDefinition,
    ProcessInstance,
)
from webui.db import db
from webui.engine_rest.auth import rest_call
from webui.engine_rest.common import RestError, bp, flag, json_response, page, tenants_requested
from webui.engine_rest.external_task_json import definition_ref, query_args
from webui.engine_rest.ids import activity_instance_id, instance_uuid, maybe_instance_id, parse_instance_id
from webui.engine_rest.process_instance import check_reader
from webui.engine_rest.variables import camunda_date

_STATES = {
    INSTANCE_COMPLETED: "COMPLETED",
    INSTANCE_CANCELLED: "EXTERNALLY_TERMINATED",
    INSTANCE_SUSPENDED: "SUSPENDED",
}


def _millis(start: datetime | None, end: datetime | None) -> int | None:
    return int((end - start).total_seconds() * 1000) if start and end else None


def incident_json(incident: Incident, instance: ProcessInstance) -> dict[str, Any]:
    return {
        "id": instance_uuid(incident.id), "processDefinitionId": definition_ref(instance.definition),
        "processInstanceId": instance_uuid(instance.id), "executionId": None,
        "incidentTimestamp": camunda_date(incident.created_at), "incidentType": "failedExternalTask",
        "activityId": incident.element_id, "failedActivityId": incident.element_id, "causeIncidentId": None,
        "rootCauseIncidentId": None, "configuration": None, "tenantId": None, "incidentMessage": incident.message,
        "jobDefinitionId": None, "annotation": None,
    }  # fmt: skip


@bp.get("/incident")
@rest_call
def incidents() -> Response:
    check_reader()
    args = query_args()
    query = select(Incident).where(Incident.resolved_at.is_(None)).order_by(Incident.created_at)
    if args.get("processInstanceId"):
        query = query.where(Incident.instance_id == maybe_instance_id(args["processInstanceId"]))
    if args.get("activityId"):
        query = query.where(Incident.element_id == args["activityId"])
    rows = [row for row in db().scalars(query)]
    body = [incident_json(row, db().get(ProcessInstance, row.instance_id)) for row in rows]  # type: ignore[arg-type]
    return json_response(page(body))


@bp.get("/incident/count")
@rest_call
def incident_count() -> Response:
    check_reader()
    if tenants_requested(request.args):
        return json_response({"count": 0})
    return json_response({"count": len(list(db().scalars(select(Incident.id).where(Incident.resolved_at.is_(None)))))})


def historic_json(instance: ProcessInstance) -> dict[str, Any]:
    definition = instance.definition
    end = instance.completed_at if instance.status in (INSTANCE_COMPLETED, INSTANCE_CANCELLED) else None
    return {
        "id": instance_uuid(instance.id), "businessKey": instance.business_key,
        "processDefinitionId": definition_ref(definition), "processDefinitionKey": definition.process_key,
        "processDefinitionName": definition.name, "processDefinitionVersion": definition.version,
        "startTime": camunda_date(instance.started_at), "endTime": camunda_date(end),
        "removalTime": None, "durationInMillis": _millis(instance.started_at, end),
        "startUserId": instance.started_by, "startActivityId": None, "deleteReason": None,
        "rootProcessInstanceId": instance_uuid(instance.id), "superProcessInstanceId": None,
        "superCaseInstanceId": None, "caseInstanceId": None, "tenantId": None,
        "restartedProcessInstanceId": None, "state": _STATES.get(instance.status, "ACTIVE"),
    }  # fmt: skip


def _historic(session: Session, args: dict[str, Any]) -> list[ProcessInstance]:
    if tenants_requested(args):
        return []
    query = select(ProcessInstance).join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
    if args.get("processInstanceId"):
        query = query.where(ProcessInstance.id == maybe_instance_id(args["processInstanceId"]))
    if args.get("processInstanceBusinessKey"):
        query = query.where(ProcessInstance.business_key == args["processInstanceBusinessKey"])
    if args.get("processDefinitionKey"):
        query = query.where(ProcessDefinition.process_key == args["processDefinitionKey"])
    ended = (INSTANCE_COMPLETED, INSTANCE_CANCELLED)
    if flag(args.get("finished", False)):
        query = query.where(ProcessInstance.status.in_(ended))
    if flag(args.get("unfinished", False)):
        query = query.where(ProcessInstance.status.not_in(ended))
    return list(session.scalars(query.order_by(ProcessInstance.id)))


@bp.get("/history/process-instance")
@rest_call
def historic_instances() -> Response:
    check_reader()
    return json_response([historic_json(row) for row in page(_historic(db(), query_args()))])


@bp.get("/history/process-instance/count")
@rest_call
def historic_count() -> Response:
    check_reader()
    return json_response({"count": len(_historic(db(), query_args()))})


@bp.get("/history/process-instance/<ref>")
@rest_call
def historic_instance(ref: str) -> Response:
    check_reader()
    instance = db().get(ProcessInstance, parse_instance_id(ref))
    if instance is None:
        raise RestError(404, f"Historic process instance with id {ref} does not exist")
    return json_response(historic_json(instance))


@bp.get("/history/activity-instance")
@rest_call
def historic_activities() -> Response:
    check_reader()
    args = query_args()
    query = select(ElementVisit).order_by(ElementVisit.entered_at, ElementVisit.id)
    if args.get("processInstanceId"):
        query = query.where(ElementVisit.instance_id == maybe_instance_id(args["processInstanceId"]))
    if args.get("activityId"):
        query = query.where(ElementVisit.element_id == args["activityId"])
    if flag(args.get("finished", False)):
        query = query.where(ElementVisit.left_at.is_not(None))
    if flag(args.get("unfinished", False)):
        query = query.where(ElementVisit.left_at.is_(None))
    session = db()
    body = []
    for visit in page(list(session.scalars(query))):
        definition = session.get(ProcessDefinition, visit.definition_id)
        body.append({
            "id": activity_instance_id(visit.element_id, visit.task_id), "parentActivityInstanceId": None,
            "activityId": visit.element_id, "activityName": None, "activityType": None,
            "processDefinitionKey": definition.process_key if definition else None,
            "processDefinitionId": definition_ref(definition) if definition else None,
            "processInstanceId": instance_uuid(visit.instance_id), "executionId": visit.task_id,
            "taskId": None, "calledProcessInstanceId": None, "calledCaseInstanceId": None, "assignee": None,
            "startTime": camunda_date(visit.entered_at), "endTime": camunda_date(visit.left_at),
            "durationInMillis": int(visit.seconds * 1000) if visit.seconds is not None else None,
            "canceled": visit.outcome == VISIT_CANCELLED, "completeScope": False, "tenantId": None,
            "removalTime": None, "rootProcessInstanceId": instance_uuid(visit.instance_id),
        })  # fmt: skip
    return json_response(body)
