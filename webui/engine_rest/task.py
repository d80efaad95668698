"""``/engine-rest/task``: human tasks for Camunda tasklist clients, with the same permissions as the web UI.

A caller sees the tasks assigned or offered to them or their groups (team leads and admins see all), and
claims, completes and hands back tasks through the same services as the web UI, so four-eyes rules, form
validation (only the task's form fields, typed) and the audit trail apply unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response
from sqlalchemy.orm import Session

from engine.domain.forms import field_type
from engine.services.casework import tasks as task_service
from engine.services.casework.access import may_view_task
from engine.store import queries
from engine.store.models import TASK_OPEN, HumanTask, ProcessInstance
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
from webui.engine_rest.external_task_json import definition_ref, query_args
from webui.engine_rest.ids import instance_uuid, maybe_instance_id
from webui.engine_rest.variables import (
    camunda_date,
    from_camunda,
    parse_date,
    to_camunda,
    to_camunda_value,
    utc_bound,
)


def task_json(task: HumanTask) -> dict[str, Any]:
    """``TaskDto``."""
    instance = task.instance
    return {
        "id": task.id, "name": task.title, "assignee": task.assignee, "owner": None,
        "created": camunda_date(task.created_at), "lastUpdated": camunda_date(task.claimed_at or task.created_at),
        "due": camunda_date(task.due_at), "followUp": None, "delegationState": None,
        "description": task.documentation, "executionId": task.id, "parentTaskId": None, "priority": task.priority,
        "processDefinitionId": definition_ref(instance.definition), "processInstanceId": instance_uuid(instance.id),
        "caseExecutionId": None, "caseDefinitionId": None, "caseInstanceId": None,
        "taskDefinitionKey": task.element_id, "suspended": task.suspended, "formKey": None,
        "camundaFormRef": None, "tenantId": None, "taskState": "Created",
    }  # fmt: skip


def _visible(session: Session, params: dict[str, Any]) -> list[HumanTask]:
    if tenants_requested(params):
        return []
    actor = current_actor()
    everything = actor.supervises
    criteria = queries.TaskFilter(
        user=None if everything else actor.username,
        groups=() if everything else tuple(actor.groups),
        assignee=params.get("assignee") or None,
        unassigned=flag(params.get("unassigned", False)),
        instance_id=maybe_instance_id(params.get("processInstanceId")),
        limit=integer(params.get("maxResults"), "maxResults", 200, minimum=0) or 200,
        offset=integer(params.get("firstResult"), "firstResult", 0, minimum=0) or 0,
    )
    rows = list(queries.list_tasks(session, criteria))
    if params.get("candidateGroup"):
        rows = [row for row in rows if params["candidateGroup"] in row.candidate_groups]
    if params.get("taskDefinitionKey"):
        rows = [row for row in rows if row.element_id == params["taskDefinitionKey"]]
    if params.get("processDefinitionKey"):
        rows = [row for row in rows if row.process_key == params["processDefinitionKey"]]
    if params.get("dueBefore"):
        before = utc_bound(parse_date(params["dueBefore"], "dueBefore"))
        rows = [row for row in rows if row.due_at is not None and row.due_at < before]
    if params.get("dueAfter"):
        after = utc_bound(parse_date(params["dueAfter"], "dueAfter"))
        rows = [row for row in rows if row.due_at is not None and row.due_at > after]
    for wanted in params.get("processVariables") or []:
        if isinstance(wanted, dict) and wanted.get("operator", "eq") == "eq":
            name, value = str(wanted.get("name")), wanted.get("value")
            rows = [row for row in rows if (row.instance.variables or {}).get(name) == value]
    return rows


def _task(task_id: str) -> HumanTask:
    task = db().get(HumanTask, task_id)
    if task is None or task.status != TASK_OPEN or not may_view_task(db(), current_actor(), task):
        raise RestError(404, f"No matching task with id {task_id}")
    return task


@bp.get("/task")
@rest_call
def human_list_tasks() -> Response:
    return json_response([task_json(row) for row in _visible(db(), query_args())])


@bp.post("/task")
@rest_call
def human_query_task_list() -> Response:
    return json_response([task_json(row) for row in _visible(db(), json_body())])


@bp.get("/task/count")
@rest_call
def human_task_count() -> Response:
    return json_response({"count": len(_visible(db(), query_args()))})


@bp.get("/task/<task_id>")
@rest_call
def human_get_task(task_id: str) -> Response:
    return json_response(task_json(_task(task_id)))


@bp.post("/task/<task_id>/claim")
@rest_call
def human_claim(task_id: str) -> Response:
    task, actor = _task(task_id), current_actor()
    user = json_body().get("userId") or actor.username
    if user == actor.username:
        task_service.claim_task(db(), actor, task.id, now())
    else:
        task_service.assign_task(db(), actor, task.id, user, now())
    return no_content()


@bp.post("/task/<task_id>/unclaim")
@rest_call
def human_unclaim(task_id: str) -> Response:
    task_service.unclaim_task(db(), current_actor(), _task(task_id).id, now())
    return no_content()


@bp.post("/task/<task_id>/assignee")
@rest_call
def human_set_assignee(task_id: str) -> Response:
    task_service.assign_task(db(), current_actor(), _task(task_id).id, json_body().get("userId") or None, now())
    return no_content()


def _form_values(values: dict[str, Any]) -> dict[str, Any]:
    # The form validation reads dates as text, like the web form sends them.
    return {k: v.date().isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


@bp.post("/task/<task_id>/complete")
@rest_call
def human_complete(task_id: str) -> Response:
    body = json_body()
    task = _task(task_id)
    instance_id = task.instance_id
    task_service.complete_task(db(), current_actor(), task.id, _form_values(from_camunda(body.get("variables"))), now())
    if not flag(body.get("withVariablesInReturn", False)):
        return no_content()
    instance = db().get(ProcessInstance, instance_id)
    return json_response(to_camunda(instance.variables or {}) if instance else {})


@bp.get("/task/<task_id>/form-variables")
@rest_call
def human_form_variables(task_id: str) -> Response:
    task = _task(task_id)
    values = task.instance.variables or {}
    result = {}
    for field in task.form or []:
        name = str(field.get("id"))
        value = values.get(name, field.get("default"))
        typed = to_camunda_value(value)
        camunda_type = field_type(str(field.get("type"))).camunda_type
        if value is None and camunda_type:
            typed["type"] = camunda_type
        result[name] = typed
    return json_response(result)


@bp.get("/task/<task_id>/variables")
@rest_call
def human_variables(task_id: str) -> Response:
    return json_response(to_camunda(_task(task_id).instance.variables or {}))
