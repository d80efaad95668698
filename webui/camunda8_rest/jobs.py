"""``/v2/jobs``: Camunda 8 job workers activate, complete and fail jobs, or throw BPMN errors from them.

A job is an external-task row (engine.store.external_tasks) whose topic is the job type, so Camunda 7 and
Camunda 8 workers share one mechanism: activation is fetch-and-lock (the job's ``timeout`` is the lock),
long polling waits on the same wake-ups, and the outcomes run through the same services, checked and
audited. The job key is the number inside the row's id (engine.services.external_tasks.sync.job_key).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Response, current_app
from sqlalchemy.orm import Session

from engine.services.external_tasks import locking, outcomes
from engine.services.external_tasks.sync import JOB_KEY_LIMIT, job_key
from engine.store.external_tasks import EXTERNAL_OPEN, ExternalTask
from engine.store.models import ProcessDefinition
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
    variables_out,
)
from webui.db import db, now
from webui.engine_rest.auth import current_actor
from webui.engine_rest.common import MAX_MILLIS, RestError

DEFAULT_REQUEST_TIMEOUT_MS = 10_000  # the gateway's long-polling default when requestTimeout is 0 or absent
MAX_REQUEST_TIMEOUT_MS = 1_800_000
DEFAULT_RETRIES = 3  # zeebe:taskDefinition's default; a row counts retries only after a failure


def _epoch_ms(moment: datetime | None) -> int:
    if moment is None:
        return 0
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1000)


def _headers(properties: dict[str, Any] | None) -> dict[str, str]:
    return {str(name): value if isinstance(value, str) else str(value) for name, value in (properties or {}).items()}


def job_json(session: Session, row: ExternalTask, worker: str, fetch: tuple[str, ...] | None) -> dict[str, Any]:
    """``ActivatedJobResult``."""
    definition = session.get(ProcessDefinition, row.definition_id)  # once per request (identity map)
    values = variables_out(row.variables or {})
    if fetch is not None:
        values = {name: values[name] for name in fetch if name in values}
    job = str(job_key(row.id))
    return {
        "type": row.topic,
        "processDefinitionId": row.process_key,
        "processDefinitionVersion": definition.version if definition is not None else 0,
        "processDefinitionKey": str(row.definition_id),
        "elementId": row.element_id,
        # One row per activation of the element: the job key also names that element instance.
        "elementInstanceKey": job,
        "customHeaders": _headers(row.properties),
        "worker": worker,
        "retries": row.retries if row.retries is not None else DEFAULT_RETRIES,
        "deadline": _epoch_ms(row.lock_expires_at),
        "variables": values,
        "tenantId": DEFAULT_TENANT,
        "physicalTenantId": DEFAULT_TENANT,
        "jobKey": job,
        "processInstanceKey": str(row.instance_id),
        "rootProcessInstanceKey": str(row.instance_id),
        "kind": "BPMN_ELEMENT",
        "listenerEventType": "UNSPECIFIED",
        "userTask": None,
        "tags": [],
        "businessId": None,
        "priority": row.priority,
    }


def _fetch_variables(body: dict[str, Any]) -> tuple[str, ...] | None:
    names = body.get("fetchVariable")
    if names is None or names == []:
        return None  # Camunda 8: no list means every variable
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise RestError(400, "fetchVariable must be a list of variable names")
    return tuple(names)


@bp.post("/jobs/activation")
@v2_call
def activate_jobs() -> Response:
    body = json_body()
    job_type = body.get("type")
    if not isinstance(job_type, str) or not job_type.strip():
        raise RestError(400, "No type provided.")
    timeout = number(body, "timeout", required=True, maximum=MAX_MILLIS) or 0
    if timeout < 1:
        raise RestError(400, f"Expected to handle request Activate Jobs with timeout > 0, but timeout was {timeout}")
    wanted = number(body, "maxJobsToActivate", required=True) or 0
    if wanted < 1:
        raise RestError(400, f"maxJobsToActivate must be at least 1, but was {wanted}")
    worker = body.get("worker") or "default"
    if not isinstance(worker, str):
        raise RestError(400, "worker must be a string")
    fetch = _fetch_variables(body)
    wait = number(body, "requestTimeout", 0, maximum=MAX_MILLIS) or 0
    if wait == 0:
        wait = DEFAULT_REQUEST_TIMEOUT_MS
    wait = min(wait, MAX_REQUEST_TIMEOUT_MS)
    topics = [locking.TopicRequest(topic=job_type, lock_duration_ms=timeout, variables=fetch)]
    session, actor = db(), current_actor()
    if wait > 0:
        clock = current_app.config["CLOCK"]
        found = locking.fetch_and_lock_waiting(session, actor, worker, topics, wanted, clock, wait)
    else:  # a negative requestTimeout turns long polling off
        found = locking.fetch_and_lock(session, actor, worker, topics, wanted, now())
    return json_response({"jobs": [job_json(session, row, worker, fetch) for row, _ in found]})


def _activated(job: str) -> ExternalTask:
    """The open row of a job key; a job no worker has activated cannot be reported on (409)."""
    number_ = key(job, "Job")
    if number_ > JOB_KEY_LIMIT:
        raise RestError(404, f"Job with key '{job}' not found")
    row = db().get(ExternalTask, str(uuid.UUID(int=number_)))
    if row is None or row.status != EXTERNAL_OPEN:
        raise RestError(404, f"Job with key '{job}' not found")
    if not row.worker_id:
        raise RestError(409, f"Job with key '{job}' is not activated by a worker")
    return row


@bp.post("/jobs/<job>/completion")
@v2_call
def complete_job(job: str) -> Response:
    body = json_body()
    row = _activated(job)
    outcomes.complete(db(), current_actor(), row.id, row.worker_id or "", variables_in(body), now())
    return no_content()


@bp.post("/jobs/<job>/failure")
@v2_call
def fail_job(job: str) -> Response:
    body = json_body()
    row = _activated(job)
    retries = number(body, "retries", 0) or 0
    if retries < 0:
        raise RestError(400, "retries must not be negative")
    back_off = number(body, "retryBackOff", 0, maximum=MAX_MILLIS) or 0
    if back_off < 0:
        raise RestError(400, "retryBackOff must not be negative")
    message = body.get("errorMessage")
    outcomes.failure(
        db(),
        current_actor(),
        row.id,
        row.worker_id or "",
        now(),
        error_message=message if isinstance(message, str) else None,
        retries=retries,
        retry_timeout_ms=back_off,
    )
    return no_content()


@bp.post("/jobs/<job>/error")
@v2_call
def throw_job_error(job: str) -> Response:
    body = json_body()
    code = body.get("errorCode")
    if not isinstance(code, str) or not code.strip():
        raise RestError(400, "No errorCode provided.")
    row = _activated(job)
    message = body.get("errorMessage")
    outcomes.bpmn_error(
        db(),
        current_actor(),
        row.id,
        row.worker_id or "",
        code,
        now(),
        error_message=message if isinstance(message, str) else None,
        variables=variables_in(body),
    )
    return no_content()
