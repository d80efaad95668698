"""/engine-rest/decision-definition lists every deployed decision version (a DMN file deployed alone too),
answers one by key (the newest) or id, and evaluates the newest version (Camunda 7.21 shapes)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from engine.bpmn.resources import Resource
from engine.services.designer import deployment
from tests.camunda7.conftest import Rest
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import ADMIN, BASIC, EXAMPLES, deploy_paths

SHAPES = json.loads((Path(__file__).resolve().parent / "camunda_dto_shapes.json").read_text())
BILLING = {"variables": {"category": {"value": "billing", "type": "String"}, "amount": {"value": 5, "type": "Integer"}}}


def test_every_version_listed_by_key_and_id_and_the_newest_evaluated(
    rest: Rest, database: DatabaseUnderTest, now: datetime
) -> None:
    dmn = (EXAMPLES / "complaint_priority.dmn").read_text()
    with database.session() as session:
        deploy_paths(session, now, *BASIC)
        newer = Resource("complaint_priority.dmn", dmn.replace('<text>"normal"</text>', '<text>"urgent"</text>'))
        [alone] = deployment.deploy(session, ADMIN, [newer], now)
        assert (alone.kind, alone.version) == ("decision", 2)

    listed = rest.get("/decision-definition").json
    assert [(d["key"], d["version"]) for d in listed] == [("complaint_priority", 1), ("complaint_priority", 2)]
    assert all(set(d) == set(SHAPES["DecisionDefinitionDto"]) for d in listed)
    assert len({d["id"] for d in listed}) == 2 and all(d["resource"] == "complaint_priority.dmn" for d in listed)
    assert rest.get("/decision-definition/count").json == {"count": 2}
    assert rest.get("/decision-definition?latestVersion=true").json == [listed[1]]
    assert rest.get("/decision-definition?version=1").json == [listed[0]]
    assert rest.get("/decision-definition/key/complaint_priority").json == listed[1]
    assert rest.get(f"/decision-definition/{listed[0]['id']}").json == listed[0]
    assert rest.get("/decision-definition/key/nope").status_code == 404
    assert rest.get("/decision-definition/nope:1:x").status_code == 404

    [row] = rest.post("/decision-definition/key/complaint_priority/evaluate", BILLING).json
    assert row["priority"] == {"type": "String", "value": "urgent", "valueInfo": {}}
