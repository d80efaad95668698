"""A real HTTP request that starts an instance with a hostile script answers within seconds.

Issue 13: ``while True: pass`` in a script task hung the request that started the instance and kept a
worker at full CPU. Served by a threaded server (as in production), the request now answers once the
script's CPU limit is used up, and the instance shows the incident.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

from flask import Flask

from engine.runtime import limits
from tests.conftest import DatabaseUnderTest
from tests.designer.helpers import diagram, linear
from tests.webui.conftest import app, seeded  # noqa: F401 - fixtures of the web UI tests
from tests.webui.live_server import serving
from webui.engine_rest.ids import parse_instance_id

ENDLESS = diagram(
    linear(
        '<scriptTask id="s1" name="Spin" scriptFormat="python"><script>while True: pass</script></scriptTask>',
        '<userTask id="s2" name="Check" camunda:candidateGroups="agent"/>',
    ),
    process_id="endless_script",
)


def _request(base: str, path: str, body: bytes, content_type: str) -> Any:
    token = base64.b64encode(b"designer:demo").decode()
    request = urllib.request.Request(
        base + path, data=body, method="POST",
        headers={"Authorization": f"Basic {token}", "Content-Type": content_type},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{error.code}: {error.read().decode(errors='replace')}") from None


def _multipart(name: str, text: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="deployment-name"\r\n\r\nhostile\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n{text}\r\n--{boundary}--\r\n"
    )
    return body.encode(), f"multipart/form-data; boundary={boundary}"


def test_endless_script_answers_within_seconds_and_shows_the_incident(
    app: Flask,  # noqa: F811
    database: DatabaseUnderTest,
) -> None:
    from engine.store import queries
    from engine.store.models import ProcessInstance

    with serving(app) as base:
        body, content_type = _multipart("endless.bpmn", ENDLESS)
        deployed = _request(base, "/engine-rest/deployment/create", body, content_type)
        [definition_id] = deployed["deployedProcessDefinitions"]
        started = time.monotonic()
        with limits.configured(script_cpu_seconds=1.0):
            path = f"/engine-rest/process-definition/{definition_id}/start"
            answer = _request(base, path, b"{}", "application/json")
        elapsed = time.monotonic() - started
    # The limit is CPU time (1 s here, 2 s by default); on a machine shared by many test runs the wall
    # clock is a multiple of it, so the bound is generous. Before the limits the request never answered.
    assert elapsed < 30, elapsed
    assert answer["ended"] is False
    with database.session() as session:
        instance = session.get(ProcessInstance, parse_instance_id(answer["id"]))
        assert instance is not None and instance.status == "incident"
        incident = queries.open_incident(session, instance.id)
        assert incident is not None and incident.element_id == "s1"
        assert "more than 1 s of CPU time" in incident.message
