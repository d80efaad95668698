"""A DMN file deployed alone is a new version of its decisions (service, CLI; Camunda Modeler's deploy
dialog in tests/camunda7/test_decision_deploy.py); processes deployed later use the latest version."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from engine.bpmn.resources import Resource
from engine.domain.errors import DeploymentError
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


def _bound(process_id: str, binding: str = "") -> str:
    """A process whose one business rule task runs the dish decision with the given binding attributes."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
             id="defs_{process_id}" targetNamespace="urn:t">
  <process id="{process_id}" isExecutable="true">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="dish_task"/>
    <businessRuleTask id="dish_task" camunda:decisionRef="dish" {binding} camunda:resultVariable="dish"
                      camunda:mapDecisionResult="singleEntry"/>
    <sequenceFlow id="f2" sourceRef="dish_task" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>
"""


def _dish(session: Session, now: datetime, process_id: str) -> str:
    instance = instances.start_instance(session, ADMIN, process_id, {"season": "Winter", "guest count": 2}, now)
    return str(instance.variables["dish"])


def test_decision_ref_binding_version_tag_deployment_and_latest(session: Session, now: datetime) -> None:
    tagged = DMN.replace('id="dish_defs"', 'id="dish_defs" xmlns:camunda="http://camunda.org/schema/1.0/dmn"').replace(
        '<decision id="dish" name="Dish">', '<decision id="dish" name="Dish" camunda:versionTag="classic">'
    )
    deployment.deploy(session, ADMIN, [Resource("dish.dmn", tagged)], now)  # version 1, tagged
    goulash = DMN.replace('"Roastbeef"', '"Goulash"')
    deployment.deploy(session, ADMIN, [Resource("dish.dmn", goulash)], now)  # version 2
    processes = {
        "follows_latest": "",
        "pinned": 'camunda:decisionRefBinding="version" camunda:decisionRefVersion="1"',
        "by_tag": 'camunda:decisionRefBinding="versionTag" camunda:decisionRefVersionTag="classic"',
    }
    for process_id, binding in processes.items():
        deployment.deploy(session, ADMIN, [Resource(f"{process_id}.bpmn", _bound(process_id, binding))], now)
    assert [_dish(session, now, p) for p in processes] == ["Goulash", "Roastbeef", "Roastbeef"]

    # A newer table alone: no process is redeployed; the latest binding takes it when the task runs next,
    # a pinned one and a tag the new table lacks keep theirs.
    pasta = DMN.replace('"Roastbeef"', '"Pasta"')
    results = deployment.deploy(session, ADMIN, [Resource("dish.dmn", pasta)], now)
    assert {r.kind for r in results} == {"decision"}
    assert [_dish(session, now, p) for p in processes] == ["Pasta", "Roastbeef", "Roastbeef"]

    # Bound to the deployment: the DMN file must come with the process, and its table is the one used.
    same = _bound("same_deployment", 'camunda:decisionRefBinding="deployment"')
    with pytest.raises(DeploymentError, match="bound to the deployment"):
        deployment.deploy(session, ADMIN, [Resource("same.bpmn", same)], now)
    soup = DMN.replace('"Roastbeef"', '"Soup"')
    deployment.deploy(session, ADMIN, [Resource("same.bpmn", same), Resource("soup.dmn", soup)], now)
    assert _dish(session, now, "same_deployment") == "Soup"

    for wrong, message in (
        ('camunda:decisionRefBinding="version" camunda:decisionRefVersion="9"', "has no version 9"),
        ('camunda:decisionRefBinding="version" camunda:decisionRefVersion="${v}"', "must be a version number"),
        ('camunda:decisionRefBinding="versionTag" camunda:decisionRefVersionTag="nope"', "tagged 'nope'"),
        ('camunda:decisionRefBinding="sometimes"', "is not one of latest"),
    ):
        with pytest.raises(DeploymentError, match=message):
            deployment.deploy(session, ADMIN, [Resource("wrong.bpmn", _bound("wrong", wrong))], now)


BASE = """<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="a" name="Base" namespace="urn:base">
  <inputData id="amount_in" name="amount"><variable name="amount" typeRef="number"/></inputData>
  <decision id="base_fee" name="base fee"><variable name="base fee" typeRef="number"/>
    <informationRequirement><requiredInput href="#amount_in"/></informationRequirement>
    <literalExpression><text>amount * 0.1</text></literalExpression></decision>
</definitions>"""
TOP = """<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="b" name="Top" namespace="urn:top">
  <import namespace="urn:base" name="base" importType="https://www.omg.org/spec/DMN/20191111/MODEL/"/>
  <decision id="total_fee" name="total fee"><variable name="total fee" typeRef="number"/>
    <informationRequirement><requiredDecision href="urn:base#base_fee"/></informationRequirement>
    <literalExpression><text>base.base fee + 5</text></literalExpression></decision>
</definitions>"""
FEES = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
             xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="urn:t">
  <process id="fees" isExecutable="true"><startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    <businessRuleTask id="t" camunda:decisionRef="total_fee" camunda:resultVariable="fee"
                      camunda:mapDecisionResult="singleEntry"/>
    <sequenceFlow id="f2" sourceRef="t" targetRef="e"/><endEvent id="e"/></process>
</definitions>"""


def test_a_decision_imports_a_dmn_model_deployed_in_another_deployment(session: Session, now: datetime) -> None:
    with pytest.raises(DeploymentError, match="imports the DMN namespace 'urn:base'"):
        deployment.deploy(session, ADMIN, [Resource("top.dmn", TOP), Resource("fees.bpmn", FEES)], now)
    session.rollback()
    deployment.deploy(session, ADMIN, [Resource("base.dmn", BASE)], now)
    deployment.deploy(session, ADMIN, [Resource("top.dmn", TOP)], now)
    deployment.deploy(session, ADMIN, [Resource("fees.bpmn", FEES)], now)
    instance = instances.start_instance(session, ADMIN, "fees", {"amount": 100}, now)
    assert instance.status == "completed" and instance.variables["fee"] == 15
