"""/engine-rest/openapi.json: every documented path is a route, and the schemas carry Camunda's property names."""

from __future__ import annotations

import json
from pathlib import Path

from tests.camunda7.conftest import Rest
from webui.engine_rest.openapi import PARTIAL

# Property names per DTO, read from Camunda 7's published OpenAPI templates (names and types only).
CAMUNDA = json.loads((Path(__file__).resolve().parent / "camunda_dto_shapes.json").read_text())
# Camunda properties we leave out on purpose: tenants (deployments with one are refused; tenantIdIn in
# fetchAndLock and list queries matches nothing), sorting, and filters with no meaning here.
NOT_IMPLEMENTED = {
    "FetchExternalTaskTopicDto": {"processDefinitionVersionTag"},
    "StartProcessInstanceDto": {"skipIoMappings", "skipCustomListeners", "startInstructions", "caseInstanceId"},
    "CorrelationMessageDto": {
        "localCorrelationKeys",
        "processVariablesLocal",
        "processVariablesToTriggeredScope",
        "tenantId",
        "withoutTenantId",
    },  # fmt: skip
    "ExceptionDto": set(),
    "SignalDto": {"executionId", "tenantId", "withoutTenantId"},
}


def test_document_matches_routes_and_camunda_names(rest: Rest) -> None:
    response = rest.get("/openapi.json", headers={})
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    document = response.json
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path, method in [("/external-task/fetchAndLock", "post"), ("/external-task/{id}/complete", "post"),
                         ("/process-definition/key/{key}/start", "post"), ("/deployment/create", "post"),
                         ("/message", "post"), ("/history/process-instance", "get")]:  # fmt: skip
        assert method in paths[path], path
    schemas = document["components"]["schemas"]
    for name, properties in schemas.items():
        if name in PARTIAL:  # query bodies: only the filters we implement, checked by the contract tests
            continue
        ours = set(properties["properties"])
        camunda = set(CAMUNDA[name]) - NOT_IMPLEMENTED.get(name, set())
        assert ours <= set(CAMUNDA[name]), (name, ours - set(CAMUNDA[name]))
        assert camunda <= ours, (name, camunda - ours)
        for prop, spec in properties["properties"].items():
            expected = CAMUNDA[name][prop]
            if expected in ("string", "integer", "boolean", "array", "object"):
                assert spec["type"] == expected or (expected == "integer" and spec["type"] == "integer"), (name, prop)
    assert paths["/task/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "TaskDto"
    )
    fetch = paths["/external-task/fetchAndLock"]["post"]
    assert fetch["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"].endswith(
        "LockedExternalTaskDto"
    )
