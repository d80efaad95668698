"""``/engine-rest/external-task``: what Camunda 7's external-task workers call.

fetchAndLock long-polls when ``asyncResponseTimeout`` is given: it answers as soon as a task of the topics
becomes fetchable (woken by engine.store.external_task_signal), or with ``[]`` when the time is up.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from engine.services.external_tasks import locking, outcomes
from engine.store.external_task_queries import count_external_tasks, find_external_tasks, topic_names
from engine.store.external_tasks import EXTERNAL_INCIDENT, EXTERNAL_OPEN, ExternalTask
from webui.db import db, now
from webui.engine_rest.auth import current_actor, rest_call
from webui.engine_rest.common import MAX_MILLIS, RestError, bp, flag, integer, json_body, json_response, no_content
from webui.engine_rest.external_task_json import (
    MAX_ASYNC_TIMEOUT_MS,
    locked_json,
    query_args,
    query_filter,
    sorting,
    task_json,
    topic_requests,
)
from webui.engine_rest.variables import from_camunda


def _worker(body: dict[str, Any]) -> str:
    worker = body.get("workerId")
    if not isinstance(worker, str) or not worker:
        raise RestError(400, "workerId is required")
    return worker


@bp.post("/external-task/fetchAndLock")
@rest_call
def fetch_and_lock() -> Response:
    body = json_body()
    worker = _worker(body)
    topics, extensions = topic_requests(body)
    max_tasks = integer(body.get("maxTasks"), "maxTasks", 10, minimum=0) or 0
    timeout = integer(body.get("asyncResponseTimeout"), "asyncResponseTimeout", None, minimum=0)
    if timeout is not None and timeout > MAX_ASYNC_TIMEOUT_MS:
        limit = f"{MAX_ASYNC_TIMEOUT_MS} milliseconds"
        raise RestError(400, f"The asynchronous response timeout cannot be set to a value greater than {limit}")
    use_priority = flag(body.get("usePriority", False))
    session, actor = db(), current_actor()
    if timeout:
        clock = current_app.config["CLOCK"]
        found = locking.fetch_and_lock_waiting(
            session, actor, worker, topics, max_tasks, clock, timeout, use_priority=use_priority
        )
    else:
        found = locking.fetch_and_lock(session, actor, worker, topics, max_tasks, now(), use_priority=use_priority)
    return json_response([locked_json(session, row, topic, row.topic in extensions) for row, topic in found])


def _row(task_id: str) -> ExternalTask:
    row = db().get(ExternalTask, task_id)
    if row is None or row.status not in (EXTERNAL_OPEN, EXTERNAL_INCIDENT):
        raise RestError(404, f"External task with id {task_id} does not exist")
    return row


@bp.get("/external-task/<task_id>")
@rest_call
def get_task(task_id: str) -> Response:
    locking.check_reader(current_actor())
    return json_response(task_json(db(), _row(task_id)))


@bp.get("/external-task/<task_id>/errorDetails")
@rest_call
def error_details(task_id: str) -> Response:
    locking.check_reader(current_actor())
    response = Response(_row(task_id).error_details or "", status=200)
    response.headers["Content-Type"] = "text/plain"
    return response


@bp.post("/external-task/<task_id>/complete")
@rest_call
def complete(task_id: str) -> Response:
    body = json_body()
    variables = from_camunda(body.get("variables"))
    local = from_camunda(body.get("localVariables"), "localVariables")
    outcomes.complete(db(), current_actor(), task_id, _worker(body), variables, now(), local_variables=local)
    return no_content()


@bp.post("/external-task/<task_id>/failure")
@rest_call
def failure(task_id: str) -> Response:
    body = json_body()
    retries = integer(body.get("retries"), "retries", 0) or 0
    if retries < 0:
        raise RestError(400, "retries must not be negative")
    outcomes.failure(
        db(),
        current_actor(),
        task_id,
        _worker(body),
        now(),
        error_message=body.get("errorMessage"),
        error_details=body.get("errorDetails"),
        retries=retries,
        retry_timeout_ms=integer(body.get("retryTimeout"), "retryTimeout", 0, minimum=0, maximum=MAX_MILLIS) or 0,
    )
    return no_content()


@bp.post("/external-task/<task_id>/bpmnError")
@rest_call
def bpmn_error(task_id: str) -> Response:
    body = json_body()
    code = body.get("errorCode")
    if not isinstance(code, str) or not code:
        raise RestError(400, "errorCode is required")
    outcomes.bpmn_error(
        db(),
        current_actor(),
        task_id,
        _worker(body),
        code,
        now(),
        error_message=body.get("errorMessage"),
        variables=from_camunda(body.get("variables")),
    )
    return no_content()


@bp.post("/external-task/<task_id>/extendLock")
@rest_call
def extend_lock(task_id: str) -> Response:
    body = json_body()
    duration = integer(body.get("newDuration"), "newDuration", None, maximum=MAX_MILLIS)
    if duration is None or duration <= 0:
        raise RestError(400, "newDuration must be a positive number of milliseconds")
    locking.extend_lock(db(), current_actor(), task_id, _worker(body), duration, now())
    return no_content()


@bp.post("/external-task/<task_id>/unlock")
@rest_call
def unlock(task_id: str) -> Response:
    locking.unlock(db(), current_actor(), task_id, now())
    return no_content()


@bp.put("/external-task/<task_id>/retries")
@rest_call
def set_retries(task_id: str) -> Response:
    body = json_body()
    retries = integer(body.get("retries"), "retries", None)
    if retries is None:
        raise RestError(400, "retries is required")
    outcomes.set_retries(db(), current_actor(), task_id, retries, now())
    return no_content()


def _query(params: dict[str, Any], first: Any, limit: Any) -> Response:
    locking.check_reader(current_actor())
    rows = find_external_tasks(
        db(),
        query_filter(params),
        now(),
        sort=sorting(params),
        first=integer(first, "firstResult", 0, minimum=0) or 0,
        limit=integer(limit, "maxResults", None, minimum=0),
    )
    return json_response([task_json(db(), row) for row in rows])


@bp.get("/external-task")
@rest_call
def list_tasks() -> Response:
    params = query_args()
    return _query(params, params.get("firstResult"), params.get("maxResults"))


@bp.post("/external-task")
@rest_call
def query_tasks() -> Response:
    from flask import request

    return _query(json_body(), request.args.get("firstResult"), request.args.get("maxResults"))


@bp.get("/external-task/count")
@rest_call
def count_get() -> Response:
    locking.check_reader(current_actor())
    return json_response({"count": count_external_tasks(db(), query_filter(query_args()), now())})


@bp.post("/external-task/count")
@rest_call
def count_post() -> Response:
    locking.check_reader(current_actor())
    return json_response({"count": count_external_tasks(db(), query_filter(json_body()), now())})


@bp.get("/external-task/topic-names")
@rest_call
def topics() -> Response:
    locking.check_reader(current_actor())
    args = query_args()
    locked = True if flag(args.get("withLockedTasks")) else False if flag(args.get("withUnlockedTasks")) else None
    return json_response(topic_names(db(), locked=locked, now=now()))
