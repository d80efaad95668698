"""``/engine-rest/process-instance``: query, get, delete (cancel), variables, suspension.

Runtime instances only, as in Camunda (completed and cancelled ones are in ``/history/process-instance``).
Variable filters read ``name_eq_value`` pairs (query string ``variables=amount_gt_100,kind_eq_x``, JSON
body ``[{"name", "operator", "value"}]``) against the variables the instance row keeps.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from flask import Response, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.errors import PermissionDenied
from engine.domain.external_work import may_read_external_tasks
from engine.services.instances import control as instance_control
from engine.services.instances.variables import modify_variables
from engine.store.models import (
    INSTANCE_CANCELLED,
    INSTANCE_COMPLETED,
    INSTANCE_INCIDENT,
    INSTANCE_SUSPENDED,
    ProcessDefinition,
    ProcessInstance,
)
from webui.db import db, now
from webui.engine_rest.auth import current_actor, rest_call
from webui.engine_rest.common import (
    RestError,
    bp,
    flag,
    integer,
    json_body,
    json_response,
    no_content,
    tenants_requested,
)
from webui.engine_rest.external_task_json import definition_ref, parse_definition_ref, query_args
from webui.engine_rest.ids import instance_uuid, maybe_instance_id, parse_instance_id
from webui.engine_rest.variables import from_camunda, to_camunda, to_camunda_value

_OPERATORS = {
    "eq": lambda a, b: a == b,
    "neq": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and a > b,
    "gteq": lambda a, b: a is not None and a >= b,
    "lt": lambda a, b: a is not None and a < b,
    "lteq": lambda a, b: a is not None and a <= b,
    "like": lambda a, b: isinstance(a, str) and _like(a, str(b)),
}


def _like(text: str, pattern: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace("%", ".*").replace("_", "."), text) is not None


def check_reader() -> None:
    if not may_read_external_tasks(current_actor()):
        raise PermissionDenied(f"user {current_actor().username!r} may not read process instances")


def instance_json(instance: ProcessInstance) -> dict[str, Any]:
    """``ProcessInstanceDto``."""
    return {
        "links": [],
        "id": instance_uuid(instance.id),
        "definitionId": definition_ref(instance.definition),
        "definitionKey": instance.definition.process_key,
        "businessKey": instance.business_key,
        "caseInstanceId": None,
        "ended": instance.status in (INSTANCE_COMPLETED, INSTANCE_CANCELLED),
        "suspended": instance.status == INSTANCE_SUSPENDED,
        "tenantId": None,
    }


def _compare(operator: str, stored: Any, wanted: Any) -> bool:
    """A variable filter; values that cannot be ordered against each other (text and a number) do not match."""
    try:
        return bool(_OPERATORS[operator](stored, wanted))
    except TypeError:
        return False


def _variable_filters(raw: Any) -> list[tuple[str, str, Any]]:
    if not raw:
        return []
    if isinstance(raw, str):
        triples = []
        for part in raw.split(","):
            name, operator, value = (part.split("_", 2) + ["", ""])[:3]
            number: Any = value
            with contextlib.suppress(ValueError):
                number = float(value) if "." in value else int(value)
            triples.append((name, operator, number))
        return triples
    if isinstance(raw, list):
        return [(str(f.get("name")), str(f.get("operator")), f.get("value")) for f in raw if isinstance(f, dict)]
    raise RestError(400, "variables must be a list of {name, operator, value}")


def _find(session: Session, params: dict[str, Any]) -> list[ProcessInstance]:
    if tenants_requested(params):
        return []
    query = select(ProcessInstance).join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
    query = query.where(ProcessInstance.status.not_in((INSTANCE_COMPLETED, INSTANCE_CANCELLED)))
    if params.get("processDefinitionKey"):
        query = query.where(ProcessDefinition.process_key == params["processDefinitionKey"])
    if params.get("processDefinitionId"):
        query = query.where(
            ProcessInstance.definition_id == (parse_definition_ref(params["processDefinitionId"]) or -1)
        )
    if params.get("businessKey"):
        query = query.where(ProcessInstance.business_key == params["businessKey"])
    ids = params.get("processInstanceIds")
    if ids:
        refs = ids.split(",") if isinstance(ids, str) else list(ids)
        query = query.where(ProcessInstance.id.in_([maybe_instance_id(str(ref)) for ref in refs]))
    if flag(params.get("suspended", False)):
        query = query.where(ProcessInstance.status == INSTANCE_SUSPENDED)
    if flag(params.get("active", False)):
        query = query.where(ProcessInstance.status != INSTANCE_SUSPENDED)
    if flag(params.get("withIncident", False)):
        query = query.where(ProcessInstance.status == INSTANCE_INCIDENT)
    rows = list(session.scalars(query.order_by(ProcessInstance.id)))
    for name, operator, value in _variable_filters(params.get("variables")):
        if operator not in _OPERATORS:
            raise RestError(400, f"Invalid variable comparator specified: {operator}")
        rows = [row for row in rows if _compare(operator, (row.variables or {}).get(name), value)]
    return rows


def _paged(rows: list[Any]) -> list[Any]:
    first = integer(request.args.get("firstResult"), "firstResult", 0, minimum=0) or 0
    limit = integer(request.args.get("maxResults"), "maxResults", None, minimum=0)
    return rows[first:] if limit is None else rows[first : first + limit]


@bp.get("/process-instance")
@rest_call
def list_instances() -> Response:
    check_reader()
    return json_response([instance_json(row) for row in _paged(_find(db(), query_args()))])


@bp.post("/process-instance")
@rest_call
def query_instances() -> Response:
    check_reader()
    return json_response([instance_json(row) for row in _paged(_find(db(), json_body()))])


@bp.get("/process-instance/count")
@rest_call
def instance_count_get() -> Response:
    check_reader()
    return json_response({"count": len(_find(db(), query_args()))})


@bp.post("/process-instance/count")
@rest_call
def instance_count_post() -> Response:
    check_reader()
    return json_response({"count": len(_find(db(), json_body()))})


def _instance(ref: str) -> ProcessInstance:
    instance = db().get(ProcessInstance, parse_instance_id(ref))
    if instance is None or instance.status in (INSTANCE_COMPLETED, INSTANCE_CANCELLED):
        raise RestError(404, f"Process instance with id {ref} does not exist")
    return instance


@bp.get("/process-instance/<ref>")
@rest_call
def get_instance(ref: str) -> Response:
    check_reader()
    return json_response(instance_json(_instance(ref)))


@bp.delete("/process-instance/<ref>")
@rest_call
def delete_instance(ref: str) -> Response:
    instance = _instance(ref)
    reason = request.args.get("deleteReason") or "deleted through the REST API"
    instance_control.cancel_instance(db(), current_actor(), instance.id, reason, now())
    return no_content()


@bp.get("/process-instance/<ref>/variables")
@rest_call
def get_variables(ref: str) -> Response:
    check_reader()
    return json_response(to_camunda(_instance(ref).variables or {}))


@bp.get("/process-instance/<ref>/variables/<name>")
@rest_call
def get_variable(ref: str, name: str) -> Response:
    check_reader()
    values = _instance(ref).variables or {}
    if name not in values:
        raise RestError(404, f"process instance variable with name {name} does not exist")
    return json_response(to_camunda_value(values[name]))


@bp.put("/process-instance/<ref>/variables/<name>")
@rest_call
def put_variable(ref: str, name: str) -> Response:
    values = from_camunda({name: json_body()})
    modify_variables(db(), current_actor(), _instance(ref).id, now(), values=values)
    return no_content()


@bp.delete("/process-instance/<ref>/variables/<name>")
@rest_call
def delete_variable(ref: str, name: str) -> Response:
    modify_variables(db(), current_actor(), _instance(ref).id, now(), deletions=[name])
    return no_content()


@bp.post("/process-instance/<ref>/variables")
@rest_call
def modify(ref: str) -> Response:
    body = json_body()
    deletions = body.get("deletions") or []
    if not isinstance(deletions, list):
        raise RestError(400, "deletions must be a list of names")
    values = from_camunda(body.get("modifications"), "modifications")
    modify_variables(db(), current_actor(), _instance(ref).id, now(), values=values, deletions=deletions)
    return no_content()


@bp.put("/process-instance/<ref>/suspended")
@rest_call
def suspension(ref: str) -> Response:
    body = json_body()
    if not isinstance(body.get("suspended"), bool):
        raise RestError(400, "suspended must be true or false")
    instance = _instance(ref)
    if body["suspended"] and instance.status != INSTANCE_SUSPENDED:
        instance_control.suspend_instance(db(), current_actor(), instance.id, now(), "suspended through the REST API")
    elif not body["suspended"] and instance.status == INSTANCE_SUSPENDED:
        instance_control.resume_instance(db(), current_actor(), instance.id, now())
    return no_content()
