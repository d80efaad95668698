"""Camunda 8's Orchestration Cluster REST API (``/v2``): job workers and clients written for Camunda 8.

One module per resource registers its routes on the shared blueprint (webui.camunda8_rest.common). Jobs
are the same external-task rows Camunda 7 workers fetch at /engine-rest, and callers authenticate the
same way (Basic with a complaintflow user, or a Bearer API token). docs/camunda8.md lists what exists.
"""

from __future__ import annotations

from flask import Flask

from webui.camunda8_rest import (  # noqa: F401 - each module registers its routes
    cluster,
    deployments,
    jobs,
    messages,
    process_instances,
    user_tasks,
)
from webui.camunda8_rest.common import bp
from webui.security import csrf


def init_app(app: Flask) -> None:
    """Register the API; it authenticates every request itself, so the browser CSRF check does not apply."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
