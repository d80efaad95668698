"""Camunda 7's REST API under ``/engine-rest``: workers, Camunda Modeler and other Camunda clients, unchanged.

One module per resource registers its routes on the shared blueprint (webui.engine_rest.common). Every
call authenticates (HTTP Basic with a complaintflow user, or a Bearer API token) and the engine's services
check permissions and write the audit entries. docs/camunda7.md describes what is implemented.
"""

from __future__ import annotations

from flask import Flask

from webui.engine_rest import (  # noqa: F401 - each module registers its routes
    decision_definition,
    deployment,
    external_task,
    history,
    message,
    openapi,
    process_definition,
    process_instance,
    signal,
    task,
)
from webui.engine_rest.common import bp
from webui.security import csrf


def init_app(app: Flask) -> None:
    """Register the API; it authenticates every request itself, so the browser CSRF check does not apply."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
