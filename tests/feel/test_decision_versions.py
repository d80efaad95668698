"""A DMN file deployed alone is a new version of its decisions (service, CLI; Camunda Modeler's deploy
dialog in tests/camunda7/test_decision_deploy.py); processes deployed later use the latest version."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from engine.bpmn.resources import Resource
from engine.services.designer import deployment
from engine.services.designer.decision_versions import latest_decision
from engine.services.instances import lifecycle as instances
from tests.cli.test_cli import Shell
from tests.engine.helpers import ADMIN
from tests.feel.test_decision_tasks import BPMN, DMN


def test_a_dmn_file_alone_is_versioned_and_found_by_a_process_deployed_later(session: Session, now: datetime) -> None:
    [first] = [
        r for r in deployment.deploy(session, ADMIN, [Resource("dish.dmn", DMN)], now) if r.process_key == "dish"
    ]
    assert (first.kind, first.version, first.created) == ("decision", 1, True)
    again = deployment.deploy(session, ADMIN, [Resource("dish.dmn", DMN)], now)
    assert {(r.process_key, r.version, r.created) for r in again} == {("dish", 1, False), ("beverages", 1, False)}
    changed = DMN.replace('"Roastbeef"', '"Goulash"')
    newer = deployment.deploy(session, ADMIN, [Resource("dish.dmn", changed)], now)
    assert {(r.process_key, r.version) for r in newer} == {("dish", 2), ("beverages", 2)}
    decision = latest_decision(session, "dish")
    assert decision is not None and decision.version == 2 and "Goulash" in decision.content
    # The process alone: its decisions come from the latest deployed versions.
    [process] = deployment.deploy(session, ADMIN, [Resource("dinner.bpmn", BPMN)], now)
    assert process.kind == "process"
    instance = instances.start_instance(session, ADMIN, "dinner", {"season": "Winter", "guest count": 2}, now)
    assert instance.variables["dish"] == "Goulash"


@pytest.fixture
def shell(tmp_path: Path) -> Shell:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLAINTFLOW_")}
    env["COMPLAINTFLOW_INSTANCE_PATH"] = str(tmp_path / "instance")
    return Shell(env)


def test_deploy_a_dmn_file_alone_from_the_cli(shell: Shell, tmp_path: Path) -> None:
    path = tmp_path / "dish.dmn"
    path.write_text(DMN)
    shell("init-db")
    output = shell("deploy", str(path))
    assert "decision dish: deployed as version 1" in output and "decision beverages: deployed as version 1" in output
