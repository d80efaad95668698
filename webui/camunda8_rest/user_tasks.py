"""``/v2/user-tasks``: search the open user tasks a caller may see, read one's Camunda Form, and complete one.

A user task key is the number made of the first 15 hex digits of the task's UUID (60 bits, within Camunda's
25-digit keys); the task is found again by that prefix among the open tasks. The caller sees and completes
tasks under the same rules as in the web UI (candidate groups, assignment, four-eyes, form validation).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import Response
from sqlalchemy import select

from engine.services.casework import tasks as task_service
from engine.services.casework.access import may_view_task
from engine.store import queries
from engine.store.camunda_form_queries import form_key, form_version
from engine.store.models import TASK_OPEN, HumanTask
from webui.camunda8_rest.common import (
    DEFAULT_TENANT,
    bp,
    json_body,
    json_response,
    key,
    no_content,
    number,
    v2_call,
    variables_in,
)
from webui.db import db, now
from webui.engine_rest.auth import current_actor
from webui.engine_rest.common import RestError

KEY_DIGITS = 15


def user_task_key(task_id: str) -> str:
    return str(int(task_id.replace("-", "")[:KEY_DIGITS], 16))


def _prefix(number_: int) -> str:
    digits = f"{number_:0{KEY_DIGITS}x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:]}"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def task_json(task: HumanTask) -> dict[str, Any]:
    """``UserTaskResult``."""
    definition = task.instance.definition
    task_key = user_task_key(task.id)
    return {
        "name": task.title, "state": "CREATED", "assignee": task.assignee, "elementId": task.element_id,
        "candidateGroups": task.candidate_groups, "candidateUsers": task.candidate_users,
        "processDefinitionId": definition.process_key, "processDefinitionVersion": definition.version,
        "processDefinitionKey": str(definition.id), "processName": definition.name,
        "processInstanceKey": str(task.instance_id), "rootProcessInstanceKey": str(task.instance_id),
        "creationDate": _iso(task.created_at), "completionDate": None, "followUpDate": None,
        "dueDate": _iso(task.due_at), "tenantId": DEFAULT_TENANT, "externalFormReference": None,
        "formKey": _form_key(task),
        "customHeaders": {}, "priority": task.priority, "userTaskKey": task_key,
        "elementInstanceKey": task_key, "businessId": None, "tags": [],
    }  # fmt: skip


def _form_key(task: HumanTask) -> str | None:
    form = task_service.camunda_form(db(), task)
    return form_key(form) if form is not None else None


def _filter(body: dict[str, Any]) -> dict[str, Any]:
    wanted = body.get("filter") or {}
    if not isinstance(wanted, dict):
        raise RestError(400, "filter must be a JSON object")
    return wanted


def _matches(task: HumanTask, wanted: dict[str, Any]) -> bool:
    checks = {
        "state": "CREATED", "assignee": task.assignee, "elementId": task.element_id,
        "processDefinitionId": task.process_key, "processInstanceKey": str(task.instance_id),
        "userTaskKey": user_task_key(task.id), "processDefinitionKey": str(task.instance.definition_id),
    }  # fmt: skip
    for name, value in checks.items():
        if name in wanted and wanted[name] is not None and str(wanted[name]) != str(value):
            return False
    group = wanted.get("candidateGroup")
    return group is None or group in task.candidate_groups


@bp.post("/user-tasks/search")
@v2_call
def search_user_tasks() -> Response:
    body = json_body()
    page = body.get("page") or {}
    if not isinstance(page, dict):
        raise RestError(400, "page must be a JSON object")
    first = number(page, "from", 0) or 0
    limit = number(page, "limit", 100) or 100
    actor = current_actor()
    everything = actor.supervises
    criteria = queries.TaskFilter(
        user=None if everything else actor.username, groups=() if everything else tuple(actor.groups), limit=10_000
    )
    wanted = _filter(body)
    rows = [task for task in queries.list_tasks(db(), criteria) if _matches(task, wanted)]
    items = [task_json(task) for task in rows[first : first + limit]]
    return json_response(
        {
            "items": items,
            "page": {"totalItems": len(rows), "hasMoreTotalItems": False, "startCursor": None, "endCursor": None},
        }
    )


def _task(text: str) -> HumanTask:
    prefix = _prefix(key(text, "User task"))
    if len(prefix) != 17:  # more than 15 hex digits: not one of ours
        raise RestError(404, f"User task with key '{text}' not found")
    query = select(HumanTask).where(HumanTask.status == TASK_OPEN, HumanTask.id.like(prefix + "%"))
    found = [task for task in db().scalars(query) if may_view_task(db(), current_actor(), task)]
    if not found:
        raise RestError(404, f"User task with key '{text}' not found")
    if len(found) > 1:
        raise RestError(409, f"User task key '{text}' names more than one task; complete it in the task list")
    return found[0]


@bp.get("/user-tasks/<task_key>/form")
@v2_call
def user_task_form(task_key: str) -> Response:
    """``FormResult`` of the task's Camunda Form (its JSON as a string, as Camunda sends it); 204 without one."""
    task = _task(task_key)
    form = task_service.camunda_form(db(), task)
    if form is None:
        return no_content()
    return json_response(
        {"formKey": _form_key(task), "tenantId": DEFAULT_TENANT, "bpmnId": form.id,
         "version": form_version(db(), form),
         "schema": json.dumps(form.raw)}
    )  # fmt: skip


@bp.post("/user-tasks/<task_key>/completion")
@v2_call
def complete_user_task(task_key: str) -> Response:
    body = json_body()
    task = _task(task_key)
    task_service.complete_task(db(), current_actor(), task.id, variables_in(body), now())
    return no_content()
