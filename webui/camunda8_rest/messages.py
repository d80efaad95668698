"""``/v2/messages``: publish or correlate a message to the instances waiting for it.

A waiting message catch event or receive task subscribes under its correlation key (``zeebe:subscription``, else the
instance's business key). Camunda 8 buffers a message nobody waits for yet (``timeToLive``); complaintflow does not,
and says so with 404 rather than dropping the message silently.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Response

from engine.services.instances.correlation import correlate
from webui.camunda8_rest.common import DEFAULT_TENANT, bp, json_body, json_response, v2_call, variables_in
from webui.db import db, now
from webui.engine_rest.auth import current_actor
from webui.engine_rest.common import RestError
from webui.engine_rest.process_definition import may_start


def _deliver(body: dict[str, Any], *, to_all: bool) -> list[int]:
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise RestError(400, "No name provided.")
    key = body.get("correlationKey")
    if key is not None and not isinstance(key, str):
        raise RestError(400, "correlationKey must be a string")
    actor = current_actor()
    may_start(actor)  # the same integrations that start instances may move them on
    return correlate(db(), actor, name, now(), business_key=key or None, payload=variables_in(body), to_all=to_all)


def _message_key() -> str:
    return str(secrets.randbelow(2**63 - 1) + 1)


@bp.post("/messages/publication")
@v2_call
def publish_message() -> Response:
    _deliver(json_body(), to_all=True)
    return json_response({"tenantId": DEFAULT_TENANT, "messageKey": _message_key()})


@bp.post("/messages/correlation")
@v2_call
def correlate_message() -> Response:
    [instance_id] = _deliver(json_body(), to_all=False)
    return json_response(
        {"tenantId": DEFAULT_TENANT, "messageKey": _message_key(), "processInstanceKey": str(instance_id)}
    )
