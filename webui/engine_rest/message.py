"""``POST /engine-rest/message``: correlate a message to waiting instances (catch events, receive tasks)."""

from __future__ import annotations

from typing import Any

from flask import Response

from engine.services.instances.correlation import correlate
from engine.store.models import ProcessInstance
from webui.db import db, now
from webui.engine_rest.auth import current_actor, rest_call
from webui.engine_rest.common import RestError, bp, flag, json_body, json_response, no_content
from webui.engine_rest.ids import parse_instance_id
from webui.engine_rest.process_definition import may_start
from webui.engine_rest.process_instance import instance_json
from webui.engine_rest.variables import from_camunda, to_camunda


@bp.post("/message")
@rest_call
def correlate_message() -> Response:
    body = json_body()
    name = body.get("messageName")
    if not isinstance(name, str) or not name:
        raise RestError(400, "messageName is required")
    may_start(current_actor())  # the same integrations that start instances may move them on
    instance_ref = body.get("processInstanceId")
    ids = correlate(
        db(),
        current_actor(),
        name,
        now(),
        business_key=body.get("businessKey"),
        instance_id=parse_instance_id(instance_ref) if instance_ref else None,
        correlation_values=from_camunda(body.get("correlationKeys"), "correlationKeys"),
        payload=from_camunda(body.get("processVariables"), "processVariables"),
        to_all=flag(body.get("all", False)),
    )
    if not flag(body.get("resultEnabled", False)):
        return no_content()
    with_variables = flag(body.get("variablesInResultEnabled", False))
    results: list[dict[str, Any]] = []
    for instance_id in ids:
        instance = db().get(ProcessInstance, instance_id)
        if instance is None:
            continue
        results.append(
            {
                "resultType": "Execution",
                "execution": {"id": instance_json(instance)["id"], "processInstanceId": instance_json(instance)["id"],
                              "ended": instance_json(instance)["ended"], "tenantId": None},
                "processInstance": None,
                "variables": to_camunda(instance.variables or {}) if with_variables else None,
            }
        )  # fmt: skip
    return json_response(results)
