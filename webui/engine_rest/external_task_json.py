"""External tasks as Camunda's ``ExternalTaskDto`` and ``LockedExternalTaskDto``, and their request filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import request
from sqlalchemy.orm import Session

from engine.services.external_tasks.locking import TopicRequest
from engine.store.external_task_queries import SORT_COLUMNS, ExternalTaskFilter
from engine.store.external_tasks import ExternalTask
from engine.store.models import INSTANCE_SUSPENDED, ProcessDefinition
from webui.engine_rest.common import MAX_MILLIS, RestError, flag, integer, row_id, tenants_requested
from webui.engine_rest.ids import activity_instance_id, instance_uuid, maybe_instance_id
from webui.engine_rest.variables import camunda_date, parse_date, to_camunda, utc_bound

SORT_ORDERS = ("asc", "desc")
MAX_ASYNC_TIMEOUT_MS = 1_800_000  # Camunda's limit for asyncResponseTimeout (30 minutes)


def definition_ref(definition: ProcessDefinition) -> str:
    """Camunda's process definition id: ``key:version:unique``."""
    return f"{definition.process_key}:{definition.version}:{definition.id}"


def parse_definition_ref(text: str) -> int | None:
    """The row id in a process definition id (``key:version:id``); None when it is not one of ours."""
    return row_id((text or "").rsplit(":", 1)[-1])


# Definition ids by (row id, process key): a stored version never changes, and every fetched task needs its
# id, so it is read once per process version instead of once per task.
_REFS: dict[tuple[int, str], str] = {}


def _definition_ref(session: Session, definition_id: int, process_key: str = "") -> str | None:
    cached = _REFS.get((definition_id, process_key))
    if cached is not None:
        return cached
    definition = session.get(ProcessDefinition, definition_id)
    if definition is None:
        return None
    ref = definition_ref(definition)
    if len(_REFS) > 10_000:
        _REFS.clear()
    _REFS[(definition_id, definition.process_key)] = ref
    return ref


def task_json(session: Session, row: ExternalTask, *, suspended: bool | None = None) -> dict[str, Any]:
    """``ExternalTaskDto``: the task without variables (``suspended`` given: the instance is not read)."""
    return {
        "activityId": row.element_id,
        "activityInstanceId": activity_instance_id(row.element_id, row.task_id),
        "errorMessage": row.error_message,
        "executionId": row.task_id,
        "id": row.id,
        "lockExpirationTime": camunda_date(row.lock_expires_at) if row.worker_id else None,
        "createTime": camunda_date(row.created_at),
        "processDefinitionId": _definition_ref(session, row.definition_id, row.process_key),
        "processDefinitionKey": row.process_key,
        "processDefinitionVersionTag": None,
        "processInstanceId": instance_uuid(row.instance_id),
        "tenantId": None,
        "retries": row.retries,
        "suspended": row.instance.status == INSTANCE_SUSPENDED if suspended is None else suspended,
        "workerId": row.worker_id,
        "topicName": row.topic,
        "priority": row.priority,
        "businessKey": row.business_key,
    }


def locked_json(session: Session, row: ExternalTask, topic: TopicRequest, extensions: bool) -> dict[str, Any]:
    """``LockedExternalTaskDto``: the task with the variables the worker asked for."""
    body = task_json(session, row, suspended=False)  # a suspended instance's tasks are never fetched
    body["errorDetails"] = row.error_details
    # Local variables (the step's input parameters) shadow process variables of the same name, as in Camunda.
    local = row.local_variables or {}
    visible = local if topic.local_only else {**(row.variables or {}), **local}
    body["variables"] = to_camunda(visible, topic.variables)
    properties = row.properties or {}
    body["extensionProperties"] = {key: str(value) for key, value in properties.items()} if extensions else {}
    return body


def _names(value: Any, what: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return tuple(part for part in value.split(",") if part)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RestError(400, f"{what} must be a list of names")
    return tuple(value)


def topic_requests(body: dict[str, Any]) -> tuple[list[TopicRequest], set[str]]:
    """fetchAndLock's ``topics``; returns them and the topics that asked for extension properties."""
    raw = body.get("topics")
    if raw is None:
        return [], set()
    if not isinstance(raw, list):
        raise RestError(400, "topics must be a list")
    topics, extensions = [], set()
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("topicName"), str) or not entry["topicName"]:
            raise RestError(400, "every topic needs a topicName")
        duration = integer(entry.get("lockDuration"), "lockDuration", None, minimum=1, maximum=MAX_MILLIS)
        if duration is None:
            raise RestError(400, f"lockDuration is required for topic {entry['topicName']!r}")
        ids = list(_names(entry.get("processDefinitionIdIn"), "processDefinitionIdIn") or ())
        ids += [entry["processDefinitionId"]] if entry.get("processDefinitionId") else []
        keys = list(_names(entry.get("processDefinitionKeyIn"), "processDefinitionKeyIn") or ())
        keys += [entry["processDefinitionKey"]] if entry.get("processDefinitionKey") else []
        wanted = entry.get("processVariables") or {}
        if not isinstance(wanted, dict):
            raise RestError(400, "processVariables must be an object")
        topics.append(
            TopicRequest(
                topic=entry["topicName"],
                lock_duration_ms=duration,
                business_key=entry.get("businessKey"),
                definition_ids=tuple(parse_definition_ref(ref) or -1 for ref in ids),
                definition_keys=tuple(keys),
                variables=_names(entry.get("variables"), "variables"),
                process_variables=wanted,
                local_only=flag(entry.get("localVariables", False)),
            )
        )
        if tenants_requested(entry):
            topics.pop()  # only tasks of those tenants: there are none
            continue
        if flag(entry.get("includeExtensionProperties", False)):
            extensions.add(entry["topicName"])
    return topics, extensions


def _bool_filter(params: dict[str, Any], yes: str, no: str) -> bool | None:
    if flag(params.get(yes, False)):
        return True
    if flag(params.get(no, False)):
        return False
    return None


def query_filter(params: dict[str, Any]) -> ExternalTaskFilter:
    """The filters of ``GET /external-task`` (query string) or ``POST /external-task`` (JSON body)."""
    ids = _names(params.get("externalTaskIdIn"), "externalTaskIdIn")
    if params.get("externalTaskId"):
        ids = (*(ids or ()), str(params["externalTaskId"]))
    if tenants_requested(params):
        ids = ()  # no task belongs to a tenant
    instances = [maybe_instance_id(ref) for ref in _names(params.get("processInstanceIdIn"), "ids") or ()]
    if params.get("processInstanceId"):
        instances.append(maybe_instance_id(str(params["processInstanceId"])))
    activities = _names(params.get("activityIdIn"), "activityIdIn")
    if params.get("activityId"):
        activities = (*(activities or ()), str(params["activityId"]))
    definition = params.get("processDefinitionId")
    return ExternalTaskFilter(
        ids=ids,
        topic=params.get("topicName"),
        worker_id=params.get("workerId"),
        locked=_bool_filter(params, "locked", "notLocked"),
        retries_left=_bool_filter(params, "withRetriesLeft", "noRetriesLeft"),
        activity_ids=activities,
        instance_ids=tuple(i for i in instances if i is not None) if instances else None,
        definition_id=(parse_definition_ref(definition) or -1) if definition else None,
        suspended=_bool_filter(params, "suspended", "active"),
        priority_at_least=integer(params.get("priorityHigherThanOrEquals"), "priorityHigherThanOrEquals"),
        priority_at_most=integer(params.get("priorityLowerThanOrEquals"), "priorityLowerThanOrEquals"),
        lock_expires_after=_bound(params, "lockExpirationAfter"),
        lock_expires_before=_bound(params, "lockExpirationBefore"),
    )


def _bound(params: dict[str, Any], name: str) -> datetime | None:
    return utc_bound(parse_date(params[name], name)) if params.get(name) else None


def sorting(params: dict[str, Any]) -> list[tuple[str, bool]]:
    """``sortBy``/``sortOrder`` (query string) or ``sorting`` (JSON body) as (column, descending) pairs."""
    pairs = []
    entries: list[Any] = params["sorting"] if isinstance(params.get("sorting"), list) else []
    if params.get("sortBy"):
        entries = [{"sortBy": params.get("sortBy"), "sortOrder": params.get("sortOrder")}]
    for entry in entries:
        name = entry.get("sortBy") if isinstance(entry, dict) else None
        if name not in SORT_COLUMNS:
            raise RestError(400, f"Cannot set query parameter 'sortBy' to value '{name}'")
        order = entry.get("sortOrder") or "asc"
        if order not in SORT_ORDERS:  # exactly these, as Camunda
            raise RestError(400, f"Cannot set query parameter 'sortOrder' to value '{order}'")
        pairs.append((name, order == "desc"))
    return pairs


def query_args() -> dict[str, Any]:
    """The query string as a dict (the last value of a repeated parameter)."""
    return {key: request.args.get(key) for key in request.args}
