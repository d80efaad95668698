"""``POST /v2/process-instances``: start an instance by process id (newest or given version) or definition key."""

from __future__ import annotations

from typing import Any

from flask import Response

from engine.services.instances import lifecycle as instances
from engine.store.models import ProcessDefinition
from webui.camunda8_rest.common import DEFAULT_TENANT, bp, json_body, json_response, number, v2_call, variables_in
from webui.db import db, now
from webui.engine_rest.auth import current_actor
from webui.engine_rest.common import RestError, row_id
from webui.engine_rest.process_definition import may_start


def _definition(body: dict[str, Any]) -> tuple[str, int | None]:
    """The process id and version to start (``None``: the newest)."""
    definition_key = body.get("processDefinitionKey")
    if definition_key is not None:
        text = str(definition_key)
        row_key = row_id(text)
        row = db().get(ProcessDefinition, row_key) if row_key is not None else None
        if row is None:
            raise RestError(404, f"Expected to find process definition with key '{text}', but none found")
        return row.process_key, row.version
    process_id = body.get("processDefinitionId")
    if not isinstance(process_id, str) or not process_id:
        raise RestError(400, "No processDefinitionId or processDefinitionKey provided.")
    version = number(body, "processDefinitionVersion", -1)
    return process_id, None if version is None or version < 0 else version


@bp.post("/process-instances")
@v2_call
def create_process_instance() -> Response:
    body = json_body()
    if body.get("awaitCompletion"):
        # Waiting for the end would hold a request open for as long as a person takes: not offered.
        raise RestError(400, "awaitCompletion is not supported; read the instance when it has ended")
    process_id, version = _definition(body)
    actor = current_actor()
    may_start(actor)
    instance = instances.start_instance(db(), actor, process_id, variables_in(body), now(), version=version)
    return json_response(
        {
            "processDefinitionId": instance.definition.process_key,
            "processDefinitionVersion": instance.definition.version,
            "processDefinitionKey": str(instance.definition_id),
            "processInstanceKey": str(instance.id),
            "tenantId": DEFAULT_TENANT,
            "variables": {},
            "tags": [],
            "businessId": None,
        }
    )
