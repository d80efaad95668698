"""The OpenAPI ``links`` of /engine-rest/openapi.json: which answer feeds which next request.

They state how a client goes on from an answer (a started instance is read, suspended, cancelled; a locked
external task is completed by the worker that locked it), and Schemathesis' stateful phase follows them
(tests/camunda7/test_contract.py). A link whose source or target the app does not serve is left out.
"""

from __future__ import annotations

from typing import Any

FIRST, SAME = "$response.body#/0/id", "$response.body#/id"
WORKER = {"workerId": "$request.body#/workerId"}

# (source path, method) -> link name -> (target path, method, parameters, request body or None)
LinkSpec = tuple[str, str, dict[str, str], dict[str, Any] | None]
_INSTANCE: dict[str, LinkSpec] = {
    "GetInstance": ("/process-instance/{id}", "get", {"id": SAME}, None),
    "GetVariables": ("/process-instance/{id}/variables", "get", {"id": SAME}, None),
    "GetHistory": ("/history/process-instance/{id}", "get", {"id": SAME}, None),
    "Suspend": ("/process-instance/{id}/suspended", "put", {"id": SAME}, None),
    "Cancel": ("/process-instance/{id}", "delete", {"id": SAME}, None),
}
_LOCKED = {"id": FIRST}
LINKS: dict[tuple[str, str], dict[str, LinkSpec]] = {
    ("/deployment/create", "post"): {
        "GetDeployment": ("/deployment/{id}", "get", {"id": SAME}, None),
        "GetResources": ("/deployment/{id}/resources", "get", {"id": SAME}, None),
    },
    ("/deployment", "get"): {
        "GetDeployment": ("/deployment/{id}", "get", {"id": FIRST}, None),
        "GetResources": ("/deployment/{id}/resources", "get", {"id": FIRST}, None),
    },
    ("/process-definition", "get"): {
        "Start": ("/process-definition/{id}/start", "post", {"id": FIRST}, None),
        "GetDefinition": ("/process-definition/{id}", "get", {"id": FIRST}, None),
        "GetXml": ("/process-definition/{id}/xml", "get", {"id": FIRST}, None),
    },
    ("/process-definition/key/{key}", "get"): {
        "StartByKey": ("/process-definition/key/{key}/start", "post", {"key": "$response.body#/key"}, None),
    },
    ("/process-definition/{id}/start", "post"): _INSTANCE,
    ("/process-definition/key/{key}/start", "post"): _INSTANCE,
    ("/process-instance", "get"): {"GetInstance": ("/process-instance/{id}", "get", {"id": FIRST}, None)},
    ("/external-task/fetchAndLock", "post"): {
        "Complete": ("/external-task/{id}/complete", "post", _LOCKED, WORKER),
        "Failure": ("/external-task/{id}/failure", "post", _LOCKED, WORKER),
        "BpmnError": ("/external-task/{id}/bpmnError", "post", _LOCKED, WORKER),
        "ExtendLock": ("/external-task/{id}/extendLock", "post", _LOCKED, WORKER),
        "Unlock": ("/external-task/{id}/unlock", "post", _LOCKED, None),
        "GetLocked": ("/external-task/{id}", "get", _LOCKED, None),
    },
    ("/external-task", "get"): {"GetExternalTask": ("/external-task/{id}", "get", {"id": FIRST}, None)},
    ("/task", "get"): {
        "GetTask": ("/task/{id}", "get", {"id": FIRST}, None),
        "Claim": ("/task/{id}/claim", "post", {"id": FIRST}, None),
        "FormVariables": ("/task/{id}/form-variables", "get", {"id": FIRST}, None),
        "Complete": ("/task/{id}/complete", "post", {"id": FIRST}, None),
    },
}  # fmt: skip


def _reference(path: str, method: str) -> str:
    """A JSON pointer to the operation in this document (``/`` in a path is ``~1``)."""
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


def add_links(paths: dict[str, Any]) -> None:
    """Put the links into the 200 answers of ``paths`` (the document's paths, changed in place)."""
    for (path, method), links in LINKS.items():
        source = paths.get(path, {}).get(method)
        if source is None:
            continue
        found: dict[str, Any] = {}
        for name, (target, target_method, parameters, body) in links.items():
            if target_method not in paths.get(target, {}):
                continue
            link: dict[str, Any] = {"operationRef": _reference(target, target_method), "parameters": parameters}
            if body is not None:
                link["requestBody"] = body
            found[name] = link
        if found:
            source["responses"]["200"]["links"] = found


__all__ = ["LINKS", "add_links"]
