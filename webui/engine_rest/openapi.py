"""``GET /engine-rest/openapi.json``: the subset of Camunda 7's REST API that complaintflow implements.

Schema and property names are Camunda's (tests compare them with Camunda's published DTOs); the paths are
read from the routes actually registered, so the document cannot list an endpoint that does not exist.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from webui.engine_rest.common import bp, json_response

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
}  # fmt: skip

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
    ("/external-task", "post"): ("Get list (POST)", None, "ExternalTaskDto[]"),
    ("/external-task/count", "get"): ("Get list count", None, "CountResultDto"),
    ("/external-task/count", "post"): ("Get list count (POST)", None, "CountResultDto"),
    ("/process-definition/key/{key}/start", "post"): ("Start", "StartProcessInstanceDto",
                                                      "ProcessInstanceWithVariablesDto"),
    ("/process-definition/{id}/start", "post"): ("Start", "StartProcessInstanceDto", "ProcessInstanceWithVariablesDto"),
    ("/process-definition", "get"): ("Get list", None, "ProcessDefinitionDto[]"),
    ("/process-definition/key/{key}", "get"): ("Get by key", None, "ProcessDefinitionDto"),
    ("/process-definition/{id}", "get"): ("Get", None, "ProcessDefinitionDto"),
    ("/process-instance", "get"): ("Get list", None, "ProcessInstanceDto[]"),
    ("/process-instance", "post"): ("Get list (POST)", None, "ProcessInstanceDto[]"),
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
    ("/task", "post"): ("Get list (POST)", None, "TaskDto[]"),
    ("/task/{id}", "get"): ("Get", None, "TaskDto"),
    ("/decision-definition", "get"): ("Get list", None, "DecisionDefinitionDto[]"),
    ("/signal", "post"): ("Throw signal", "SignalDto", None),
}  # fmt: skip


def _schema(name: str) -> dict[str, Any]:
    properties = {
        prop: ({"type": "string", "format": "date-time"} if kind == D else {"type": kind})
        for prop, kind in SCHEMAS[name].items()
    }
    return {"type": "object", "properties": properties}


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
            if body:
                operation["requestBody"] = {"content": {"application/json": {"schema": _ref(body)}}}
            if answer:
                operation["responses"]["200"] = {"description": "Request successful.",
                                                 "content": {"application/json": {"schema": _ref(answer)}}}  # fmt: skip
            else:
                operation["responses"]["200"] = {"description": "Request successful."}
            error = {"application/json": {"schema": _ref("ExceptionDto")}}
            operation["responses"]["4XX"] = {"description": "Camunda's error format.", "content": error}
            paths.setdefault(path, {})[method] = operation
    return {
        "openapi": "3.0.2",
        "info": {"title": "complaintflow: Camunda 7 REST API subset", "version": "7.21.0"},
        "servers": [{"url": "/engine-rest"}],
        "components": {
            "schemas": {name: _schema(name) for name in SCHEMAS},
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
