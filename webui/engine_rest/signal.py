"""``POST /engine-rest/signal``: broadcast a signal to the instances waiting for it (answers 204, as Camunda)."""

from __future__ import annotations

from flask import Response

from engine.services.instances.signals import broadcast_signal
from webui.db import db, now
from webui.engine_rest.auth import current_actor, rest_call
from webui.engine_rest.common import RestError, bp, json_body, no_content
from webui.engine_rest.process_definition import may_start
from webui.engine_rest.variables import from_camunda


@bp.post("/signal")
@rest_call
def throw_signal() -> Response:
    body = json_body()
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise RestError(400, "No signal name given")
    if body.get("executionId"):
        raise RestError(400, "signals to one execution are not supported: send a message instead")
    may_start(current_actor())
    broadcast_signal(db(), current_actor(), name, now(), from_camunda(body.get("variables")))
    return no_content()
