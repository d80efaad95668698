"""``GET /engine-rest/openapi.json``: the subset of Camunda 7's REST API that complaintflow implements.

Schema and property names are Camunda's (tests compare them with Camunda's published DTOs); the paths are
read from the routes actually registered, so the document cannot list an endpoint that does not exist.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from engine.store.external_task_queries import SORT_COLUMNS
from webui.engine_rest.common import MAX_MILLIS, bp, json_response
from webui.engine_rest.external_task_json import SORT_ORDERS
from webui.engine_rest.openapi_links import add_links

S, N, B, J, A, D = "string", "integer", "boolean", "object", "array", "date-time"  # N: number, J: JSON object

# DTO name -> property -> type (D: a string in Camunda's date format).
SCHEMAS: dict[str, dict[str, str]] = {
    "ExceptionDto": {"type": S, "message": S, "code": N},
    "CountResultDto": {"count": N},
    "VariableValueDto": {"value": J, "type": S, "valueInfo": J},
    "ExternalTaskDto": {
        "activityId": S, "activityInstanceId": S, "errorMessage": S, "executionId": S, "id": S,
        "lockExpirationTime": D, "createTime": D, "processDefinitionId": S, "processDefinitionKey": S,
        "processDefinitionVersionTag": S, "processInstanceId": S, "tenantId": S, "retries": N, "suspended": B,
        "workerId": S, "topicName": S, "priority": N, "businessKey": S,
    },
    "LockedExternalTaskDto": {
        "activityId": S, "activityInstanceId": S, "errorMessage": S, "errorDetails": S, "executionId": S, "id": S,
        "lockExpirationTime": D, "createTime": D, "processDefinitionId": S, "processDefinitionKey": S,
        "processDefinitionVersionTag": S, "processInstanceId": S, "tenantId": S, "retries": N, "suspended": B,
        "workerId": S, "topicName": S, "priority": N, "variables": J, "businessKey": S, "extensionProperties": J,
    },
    "FetchExternalTasksDto": {"workerId": S, "maxTasks": N, "usePriority": B, "asyncResponseTimeout": N, "topics": A},
    "FetchExternalTaskTopicDto": {
        "topicName": S, "lockDuration": N, "variables": A, "localVariables": B, "businessKey": S,
        "processDefinitionId": S, "processDefinitionIdIn": A, "processDefinitionKey": S, "processDefinitionKeyIn": A,
        "processVariables": J, "includeExtensionProperties": B, "deserializeValues": B, "tenantIdIn": A,
        "withoutTenantId": B,
    },
    "CompleteExternalTaskDto": {"workerId": S, "variables": J, "localVariables": J},
    "ExternalTaskFailureDto": {
        "workerId": S, "errorMessage": S, "errorDetails": S, "retries": N, "retryTimeout": N, "variables": J,
        "localVariables": J,
    },
    "ExternalTaskBpmnError": {"workerId": S, "errorCode": S, "errorMessage": S, "variables": J},
    "ExtendLockOnExternalTaskDto": {"workerId": S, "newDuration": N},
    "RetriesDto": {"retries": N},
    "ProcessDefinitionDto": {
        "id": S, "key": S, "category": S, "description": S, "name": S, "version": N, "resource": S,
        "deploymentId": S, "diagram": S, "suspended": B, "tenantId": S, "versionTag": S, "historyTimeToLive": N,
        "startableInTasklist": B,
    },
    "ProcessInstanceDto": {
        "links": A, "id": S, "definitionId": S, "definitionKey": S, "businessKey": S, "caseInstanceId": S,
        "ended": B, "suspended": B, "tenantId": S,
    },
    "ProcessInstanceWithVariablesDto": {
        "links": A, "id": S, "definitionId": S, "definitionKey": S, "businessKey": S, "caseInstanceId": S,
        "ended": B, "suspended": B, "tenantId": S, "variables": J,
    },
    "DeploymentDto": {"links": A, "id": S, "name": S, "source": S, "deploymentTime": D, "tenantId": S},
    "IncidentDto": {
        "id": S, "processDefinitionId": S, "processInstanceId": S, "executionId": S, "incidentTimestamp": D,
        "incidentType": S, "activityId": S, "failedActivityId": S, "causeIncidentId": S, "rootCauseIncidentId": S,
        "configuration": S, "tenantId": S, "incidentMessage": S, "jobDefinitionId": S, "annotation": S,
    },
    "HistoricProcessInstanceDto": {
        "id": S, "businessKey": S, "processDefinitionId": S, "processDefinitionKey": S, "processDefinitionName": S,
        "processDefinitionVersion": N, "startTime": D, "endTime": D, "removalTime": D, "durationInMillis": N,
        "startUserId": S, "startActivityId": S, "deleteReason": S, "rootProcessInstanceId": S,
        "superProcessInstanceId": S, "superCaseInstanceId": S, "caseInstanceId": S, "tenantId": S, "state": S,
        "restartedProcessInstanceId": S,
    },
    "HistoricActivityInstanceDto": {
        "id": S, "parentActivityInstanceId": S, "activityId": S, "activityName": S, "activityType": S,
        "processDefinitionKey": S, "processDefinitionId": S, "processInstanceId": S, "executionId": S, "taskId": S,
        "calledProcessInstanceId": S, "calledCaseInstanceId": S, "assignee": S, "startTime": D, "endTime": D,
        "durationInMillis": N, "canceled": B, "completeScope": B, "tenantId": S, "removalTime": D,
        "rootProcessInstanceId": S,
    },
    "CorrelationMessageDto": {
        "messageName": S, "businessKey": S, "processInstanceId": S, "correlationKeys": J, "processVariables": J,
        "all": B, "resultEnabled": B, "variablesInResultEnabled": B,
    },
    "StartProcessInstanceDto": {"businessKey": S, "variables": J, "withVariablesInReturn": B},
    "TaskDto": {
        "id": S, "name": S, "assignee": S, "owner": S, "created": D, "lastUpdated": D, "due": D, "followUp": D,
        "delegationState": S, "description": S, "executionId": S, "parentTaskId": S, "priority": N,
        "processDefinitionId": S, "processInstanceId": S, "caseExecutionId": S, "caseDefinitionId": S,
        "caseInstanceId": S, "taskDefinitionKey": S, "suspended": B, "formKey": S, "camundaFormRef": J,
        "tenantId": S, "taskState": S,
    },
    "DecisionDefinitionDto": {
        "id": S, "key": S, "category": S, "name": S, "version": N, "resource": S, "deploymentId": S,
        "decisionRequirementsDefinitionId": S, "decisionRequirementsDefinitionKey": S, "tenantId": S,
        "versionTag": S, "historyTimeToLive": N,
    },
    "SignalDto": {"name": S, "variables": J},
    "SuspensionStateDto": {"suspended": B},
    # The query bodies: only the filters complaintflow implements (Camunda's DTOs have many more).
    "ProcessInstanceQueryDto": {
        "processDefinitionKey": S, "processDefinitionId": S, "businessKey": S, "processInstanceIds": A,
        "suspended": B, "active": B, "withIncident": B, "variables": A,
    },
    "TaskQueryDto": {
        "assignee": S, "unassigned": B, "processInstanceId": S, "candidateGroup": S, "taskDefinitionKey": S,
        "processDefinitionKey": S, "dueBefore": S, "dueAfter": S, "processVariables": A, "firstResult": N,
        "maxResults": N,
    },
    "ExternalTaskQueryDto": {
        "externalTaskId": S, "externalTaskIdIn": A, "topicName": S, "workerId": S, "locked": B, "notLocked": B,
        "withRetriesLeft": B, "noRetriesLeft": B, "activityId": S, "activityIdIn": A, "processInstanceId": S,
        "processInstanceIdIn": A, "processDefinitionId": S, "suspended": B, "active": B,
        "priorityHigherThanOrEquals": N, "priorityLowerThanOrEquals": N, "lockExpirationAfter": S,
        "lockExpirationBefore": S, "sorting": A,
    },
}  # fmt: skip
PARTIAL = {"ProcessInstanceQueryDto", "TaskQueryDto", "ExternalTaskQueryDto"}

INT32 = 2**31 - 1  # Camunda's Integer parameters (firstResult, maxResults, maxTasks, retries, priority)
TEXT = {"type": "string", "pattern": "^[^\\u0000]*$"}  # PostgreSQL cannot store NUL, so no request may carry it

# What the server enforces on a request body, stated here so that the document and the checks are one thing.
REQUIRED: dict[str, list[str]] = {
    "FetchExternalTasksDto": ["workerId"],
    "FetchExternalTaskTopicDto": ["topicName", "lockDuration"],
    "CompleteExternalTaskDto": ["workerId"],
    "ExternalTaskFailureDto": ["workerId"],
    "ExternalTaskBpmnError": ["workerId", "errorCode"],
    "ExtendLockOnExternalTaskDto": ["workerId", "newDuration"],
    "RetriesDto": ["retries"],
    "CorrelationMessageDto": ["messageName"],
    "SignalDto": ["name"],
    "SuspensionStateDto": ["suspended"],
}
COMPARATORS = ("eq", "neq", "gt", "gteq", "lt", "lteq", "like")  # Camunda's variable filter operators
DATES = {"dueBefore", "dueAfter", "lockExpirationAfter", "lockExpirationBefore"}  # ISO 8601 or Camunda's format
NON_EMPTY = {"workerId", "topicName", "errorCode", "messageName", "name"}
# (DTO, property) -> bounds of an integer; every other request integer is a Camunda Integer (0 .. 2^31-1).
BOUNDS: dict[tuple[str, str], tuple[int, int]] = {
    ("FetchExternalTaskTopicDto", "lockDuration"): (1, MAX_MILLIS),
    ("ExtendLockOnExternalTaskDto", "newDuration"): (1, MAX_MILLIS),
    ("ExternalTaskFailureDto", "retryTimeout"): (0, MAX_MILLIS),
    ("FetchExternalTasksDto", "asyncResponseTimeout"): (0, 1_800_000),
    ("ExternalTaskQueryDto", "priorityHigherThanOrEquals"): (-INT32 - 1, INT32),
    ("ExternalTaskQueryDto", "priorityLowerThanOrEquals"): (-INT32 - 1, INT32),
}
ITEMS: dict[tuple[str, str], dict[str, Any]] = {
    ("FetchExternalTasksDto", "topics"): {"$ref": "#/components/schemas/FetchExternalTaskTopicDto"},
    ("ProcessInstanceQueryDto", "variables"): {
        "type": "object",
        "required": ["name", "operator"],
        "properties": {"name": TEXT, "operator": {"type": "string", "enum": list(COMPARATORS)}, "value": {}},
    },
    ("TaskQueryDto", "processVariables"): {"type": "object"},
    ("ExternalTaskQueryDto", "sorting"): {
        "type": "object",
        "required": ["sortBy"],
        "properties": {
            "sortBy": {"type": "string", "enum": sorted(SORT_COLUMNS)},
            "sortOrder": {"type": "string", "enum": list(SORT_ORDERS), "nullable": True},
        },
    },
}
# Query parameters: name -> (type, minimum, maximum); the list operations page with firstResult/maxResults.
PAGING = {"firstResult": (N, 0, INT32), "maxResults": (N, 0, INT32)}
QUERY: dict[tuple[str, str], dict[str, tuple[str, int, int]]] = {
    ("/process-definition", "get"): {**PAGING, "version": (N, 1, INT32), "latestVersion": (B, 0, 0)},
    ("/process-instance", "get"): {**PAGING, "suspended": (B, 0, 0), "active": (B, 0, 0)},
    ("/process-instance", "post"): PAGING,
    ("/process-instance/count", "get"): {"suspended": (B, 0, 0), "active": (B, 0, 0)},
    ("/external-task", "get"): {**PAGING, "priorityHigherThanOrEquals": (N, -INT32 - 1, INT32),
                                "priorityLowerThanOrEquals": (N, -INT32 - 1, INT32)},
    ("/external-task", "post"): PAGING,
    ("/task", "get"): PAGING,
    ("/task", "post"): PAGING,
    ("/deployment", "get"): PAGING,
    ("/decision-definition", "get"): {**PAGING, "version": (N, 1, INT32), "latestVersion": (B, 0, 0)},
    ("/decision-definition/count", "get"): {"version": (N, 1, INT32), "latestVersion": (B, 0, 0)},
    ("/incident", "get"): PAGING,
    ("/history/process-instance", "get"): {**PAGING, "finished": (B, 0, 0), "unfinished": (B, 0, 0)},
    ("/history/activity-instance", "get"): {**PAGING, "finished": (B, 0, 0), "unfinished": (B, 0, 0)},
}  # fmt: skip
REQUESTS = set(REQUIRED) | PARTIAL | {"StartProcessInstanceDto"}

_BINARY = {"type": "string", "format": "binary"}
# Camunda's deployment form: named fields plus any number of resource files (each part's file name says what it
# is: .bpmn and .dmn are deployed, other text files such as .form are kept with the deployment).
MULTIPART: dict[tuple[str, str], dict[str, Any]] = {
    ("/deployment/create", "post"): {
        "type": "object",
        "properties": {
            "deployment-name": {"type": "string"},
            "deployment-source": {"type": "string"},
            "enable-duplicate-filtering": {"type": "boolean"},
            "deploy-changed-only": {"type": "boolean"},
            "tenant-id": {"type": "string", "maxLength": 0, "description": "complaintflow has no tenants"},
            "data": _BINARY,
        },
        "additionalProperties": _BINARY,
        "required": ["data"],
    },
}

# (path, method) -> (summary, request schema, response schema, "[]" for a list)
OPERATIONS: dict[tuple[str, str], tuple[str, str | None, str | None]] = {
    ("/external-task/fetchAndLock", "post"): ("Fetch and lock", "FetchExternalTasksDto", "LockedExternalTaskDto[]"),
    ("/external-task/{id}/complete", "post"): ("Complete", "CompleteExternalTaskDto", None),
    ("/external-task/{id}/failure", "post"): ("Handle failure", "ExternalTaskFailureDto", None),
    ("/external-task/{id}/bpmnError", "post"): ("Handle BPMN error", "ExternalTaskBpmnError", None),
    ("/external-task/{id}/extendLock", "post"): ("Extend lock", "ExtendLockOnExternalTaskDto", None),
    ("/external-task/{id}/unlock", "post"): ("Unlock", None, None),
    ("/external-task/{id}/retries", "put"): ("Set retries", "RetriesDto", None),
    ("/external-task/{id}", "get"): ("Get", None, "ExternalTaskDto"),
    ("/external-task", "get"): ("Get list", None, "ExternalTaskDto[]"),
    ("/external-task", "post"): ("Get list (POST)", "ExternalTaskQueryDto", "ExternalTaskDto[]"),
    ("/external-task/count", "get"): ("Get list count", None, "CountResultDto"),
    ("/external-task/count", "post"): ("Get list count (POST)", "ExternalTaskQueryDto", "CountResultDto"),
    ("/process-definition/key/{key}/start", "post"): ("Start", "StartProcessInstanceDto",
                                                      "ProcessInstanceWithVariablesDto"),
    ("/process-definition/{id}/start", "post"): ("Start", "StartProcessInstanceDto", "ProcessInstanceWithVariablesDto"),
    ("/process-definition", "get"): ("Get list", None, "ProcessDefinitionDto[]"),
    ("/process-definition/key/{key}", "get"): ("Get by key", None, "ProcessDefinitionDto"),
    ("/process-definition/{id}", "get"): ("Get", None, "ProcessDefinitionDto"),
    ("/process-instance", "get"): ("Get list", None, "ProcessInstanceDto[]"),
    ("/process-instance", "post"): ("Get list (POST)", "ProcessInstanceQueryDto", "ProcessInstanceDto[]"),
    ("/process-instance/count", "post"): ("Get list count (POST)", "ProcessInstanceQueryDto", "CountResultDto"),
    ("/process-instance/{id}", "get"): ("Get", None, "ProcessInstanceDto"),
    ("/process-instance/{id}", "delete"): ("Delete (cancel)", None, None),
    ("/deployment", "get"): ("Get list", None, "DeploymentDto[]"),
    ("/deployment/{id}", "get"): ("Get", None, "DeploymentDto"),
    ("/message", "post"): ("Correlate", "CorrelationMessageDto", None),
    ("/incident", "get"): ("Get list", None, "IncidentDto[]"),
    ("/history/process-instance", "get"): ("Get list", None, "HistoricProcessInstanceDto[]"),
    ("/history/process-instance/{id}", "get"): ("Get", None, "HistoricProcessInstanceDto"),
    ("/history/activity-instance", "get"): ("Get list", None, "HistoricActivityInstanceDto[]"),
    ("/task", "get"): ("Get list", None, "TaskDto[]"),
    ("/task", "post"): ("Get list (POST)", "TaskQueryDto", "TaskDto[]"),
    ("/task/{id}", "get"): ("Get", None, "TaskDto"),
    ("/decision-definition", "get"): ("Get list", None, "DecisionDefinitionDto[]"),
    ("/decision-definition/count", "get"): ("Get list count", None, "CountResultDto"),
    ("/decision-definition/key/{key}", "get"): ("Get by key", None, "DecisionDefinitionDto"),
    ("/decision-definition/{id}", "get"): ("Get", None, "DecisionDefinitionDto"),
    ("/signal", "post"): ("Throw signal", "SignalDto", None),
    ("/process-instance/{id}/suspended", "put"): ("Activate/suspend", "SuspensionStateDto", None),
}  # fmt: skip


def _property(name: str, prop: str, kind: str) -> dict[str, Any]:
    """One property; answers may carry null wherever Camunda's do, requests treat null as absent."""
    if name == "VariableValueDto" and prop == "value":
        return {"nullable": True}  # any JSON value
    spec: dict[str, Any] = {"type": "string"} if kind == D else {"type": kind}
    if name in REQUESTS:
        if kind == S:
            spec = {**TEXT, **({"minLength": 1} if prop in NON_EMPTY else {})}
            if prop in DATES:
                spec = {"type": "string", "format": "date-time"}
        elif kind == N:
            low, high = BOUNDS.get((name, prop), (0, INT32))
            spec = {"type": "integer", "minimum": low, "maximum": high}
        elif kind == A:
            spec["items"] = ITEMS.get((name, prop), TEXT)
    if prop not in REQUIRED.get(name, ()):
        spec["nullable"] = True
    return spec


def component_schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {prop: _property(name, prop, kind) for prop, kind in SCHEMAS[name].items()},
    }
    if REQUIRED.get(name):
        schema["required"] = REQUIRED[name]
    return schema


def _parameter(place: str, name: str, kind: str = S, low: int = 0, high: int = 0) -> dict[str, Any]:
    schema: dict[str, Any] = dict(TEXT)
    if kind == N:
        schema = {"type": "integer", "minimum": low, "maximum": high}
    elif kind == B:
        schema = {"type": "boolean"}
    return {"name": name, "in": place, "required": place == "path", "schema": schema}


def _ref(name: str) -> dict[str, Any]:
    if name.endswith("[]"):
        return {"type": "array", "items": {"$ref": f"#/components/schemas/{name[:-2]}"}}
    return {"$ref": f"#/components/schemas/{name}"}


def _implemented() -> dict[str, set[str]]:
    """Path -> methods of the /engine-rest routes registered in the app (OpenAPI path syntax)."""
    routes: dict[str, set[str]] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("engine_rest.") or not rule.rule.startswith("/engine-rest/"):
            continue
        path = rule.rule[len("/engine-rest") :].replace("<", "{").replace(">", "}")
        for old, new in (("{task_id}", "{id}"), ("{ref}", "{id}")):
            path = path.replace(old, new)
        routes.setdefault(path, set()).update(m.lower() for m in rule.methods or () if m not in ("HEAD", "OPTIONS"))
    return routes


def document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path, methods in sorted(_implemented().items()):
        for method in sorted(methods):
            summary, body, answer = OPERATIONS.get((path, method), ("", None, None))
            operation: dict[str, Any] = {"summary": summary or f"{method.upper()} {path}", "responses": {}}
            parameters = [_parameter("path", part[1:-1]) for part in path.split("/") if part.startswith("{")]
            parameters += [_parameter("query", name, *spec) for name, spec in QUERY.get((path, method), {}).items()]
            if parameters:
                operation["parameters"] = parameters
            if (path, method) in MULTIPART:
                operation["requestBody"] = {
                    "required": True,
                    "content": {"multipart/form-data": {"schema": MULTIPART[(path, method)]}},
                }
            elif body:
                operation["requestBody"] = {
                    "required": bool(REQUIRED.get(body)),
                    "content": {"application/json": {"schema": _ref(body)}},
                }
            if answer:
                operation["responses"]["200"] = {"description": "Request successful.",
                                                 "content": {"application/json": {"schema": _ref(answer)}}}  # fmt: skip
            else:
                operation["responses"]["200"] = {"description": "Request successful."}
                operation["responses"]["204"] = {"description": "Request successful, no content."}
            error = {"application/json": {"schema": _ref("ExceptionDto")}}
            operation["responses"]["4XX"] = {"description": "Camunda's error format.", "content": error}
            paths.setdefault(path, {})[method] = operation
    add_links(paths)
    return {
        "openapi": "3.0.2",
        "info": {"title": "complaintflow: Camunda 7 REST API subset", "version": "7.21.0"},
        "servers": [{"url": "/engine-rest"}],
        "components": {
            "schemas": {name: component_schema(name) for name in SCHEMAS},
            "securitySchemes": {
                "basic": {"type": "http", "scheme": "basic"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },  # fmt: skip
        },
        "security": [{"basic": []}, {"bearer": []}],
        "paths": paths,
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    """The document (no authentication needed, like Camunda's own)."""
    return json_response(document())
