"""Business rule tasks on the FEEL decision engine: a DRG with literal expressions (as Camunda
Modeler draws it), Camunda's result mappings, the Python tables that keep working, and
``complaintflow dmn evaluate``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from complaintflow.cli import main
from engine.bpmn.normalize.pipeline import DiagramRejected
from engine.bpmn.resources import Resource
from engine.domain.errors import DeploymentError
from engine.services.designer import deployment
from engine.services.instances import lifecycle as instances
from tests.engine.helpers import ADMIN

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dish_defs" name="Dish" namespace="urn:dish">
  <inputData id="season_input" name="season"><variable name="season" typeRef="string"/></inputData>
  <inputData id="guests_input" name="guest count"><variable name="guest count" typeRef="number"/></inputData>
  <decision id="dish" name="Dish">
    <variable name="Dish" typeRef="string"/>
    <informationRequirement><requiredDecision href="#beverages"/></informationRequirement>
    <informationRequirement><requiredInput href="#season_input"/></informationRequirement>
    <literalExpression><text>if season = "Winter" then "Roastbeef" else "Salad"</text></literalExpression>
  </decision>
  <decision id="beverages" name="Beverages">
    <variable name="Beverages"/>
    <informationRequirement><requiredInput href="#guests_input"/></informationRequirement>
    <decisionTable id="beverages_table" hitPolicy="COLLECT">
      <input id="b_in"><inputExpression typeRef="number"><text>guest count</text></inputExpression></input>
      <output id="b_out" name="beverage" typeRef="string"/>
      <rule id="water"><inputEntry id="w1"><text>-</text></inputEntry>
        <outputEntry id="w2"><text>"Water"</text></outputEntry></rule>
      <rule id="wine"><inputEntry id="v1"><text>&gt; 4</text></inputEntry>
        <outputEntry id="v2"><text>"Wine"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
             id="defs" targetNamespace="urn:t">
  <process id="dinner" isExecutable="true">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="dish_task"/>
    <businessRuleTask id="dish_task" camunda:decisionRef="dish" camunda:resultVariable="dish"
                      camunda:mapDecisionResult="singleEntry"/>
    <sequenceFlow id="f2" sourceRef="dish_task" targetRef="drinks_task"/>
    <businessRuleTask id="drinks_task" camunda:decisionRef="beverages" camunda:resultVariable="drinks"
                      camunda:mapDecisionResult="collectEntries"/>
    <sequenceFlow id="f3" sourceRef="drinks_task" targetRef="all_task"/>
    <businessRuleTask id="all_task" camunda:decisionRef="beverages" camunda:resultVariable="rows"/>
    <sequenceFlow id="f4" sourceRef="all_task" targetRef="plain_task"/>
    <businessRuleTask id="plain_task" camunda:decisionRef="dish"/>
    <sequenceFlow id="f5" sourceRef="plain_task" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>
"""


def _deploy(session: Session, now: datetime, dmn: str = DMN) -> None:
    deployment.deploy(session, ADMIN, [Resource("dinner.bpmn", BPMN), Resource("dish.dmn", dmn)], now)


def test_a_drg_with_literal_expressions_runs_with_camunda_result_mappings(session: Session, now: datetime) -> None:
    _deploy(session, now)
    instance = instances.start_instance(session, ADMIN, "dinner", {"season": "Winter", "guest count": 6}, now)
    assert instance.status == "completed"
    variables = instance.variables
    assert variables["dish"] == "Roastbeef"
    assert variables["drinks"] == ["Water", "Wine"]
    assert variables["rows"] == [{"beverage": "Water"}, {"beverage": "Wine"}]
    assert variables["Dish"] == "Roastbeef"  # no result variable: the output is a variable of its own


def test_single_entry_with_two_matching_rules_is_an_incident(session: Session, now: datetime) -> None:
    bpmn_rows = BPMN.replace('mapDecisionResult="collectEntries"', 'mapDecisionResult="singleEntry"')
    deployment.deploy(session, ADMIN, [Resource("dinner.bpmn", bpmn_rows), Resource("dish.dmn", DMN)], now)
    instance = instances.start_instance(session, ADMIN, "dinner", {"season": "Summer", "guest count": 6}, now)
    assert instance.status == "incident"


def test_a_feel_error_in_the_dmn_is_refused_at_deploy_with_its_line(session: Session, now: datetime) -> None:
    broken = DMN.replace('if season = "Winter" then "Roastbeef" else "Salad"', 'if season = then "Roastbeef"')
    with pytest.raises((DiagramRejected, DeploymentError)) as raised:
        _deploy(session, now, broken)
    assert "line 9" in str(raised.value) or any(d.line == 9 for d in getattr(raised.value, "diagnostics", []))


def test_the_shipped_classification_table_on_the_feel_engine() -> None:
    path = Path(__file__).resolve().parents[2] / "processes" / "complaint_classification.dmn"
    data = {"category": "", "amount": 2500, "customer_segment": "private", "channel": "email", "severe": False}
    result = CliRunner().invoke(
        main, ["dmn", "evaluate", str(path), "--decision", "complaint_classification", "--data", json.dumps(data)]
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["result"]["category"] == "billing" and printed["result"]["priority"] == "high"
    assert printed["matched_rules"] == [{"table": "table_complaint_classification", "rules": ["rule_large_amount"]}]


def test_dmn_evaluate_names_a_missing_decision(tmp_path: Path) -> None:
    path = tmp_path / "dish.dmn"
    path.write_text(DMN)
    result = CliRunner().invoke(main, ["dmn", "evaluate", str(path), "--decision", "nope"])
    assert result.exit_code == 1 and "no decision 'nope'" in result.output
    result = CliRunner().invoke(
        main, ["dmn", "evaluate", str(path), "--decision", "dish", "--data", '{"season": "Winter", "guest count": 2}']
    )
    assert json.loads(result.output)["result"] == "Roastbeef"


MENU = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="menu_defs" name="Menu" namespace="urn:menu">
  <decision id="menu" name="Menu">
    <decisionTable id="menu_table" hitPolicy="FIRST">
      <input id="m_in"><inputExpression typeRef="string"><text>season</text></inputExpression></input>
      <output id="m_dish" name="dish" typeRef="string"/>
      <output id="m_drink" name="drink" typeRef="string"/>
      <rule id="winter"><inputEntry id="mw1"><text>"Winter"</text></inputEntry>
        <outputEntry id="mw2"><text>"Stew"</text></outputEntry>
        <outputEntry id="mw3"><text>"Tea"</text></outputEntry></rule>
      <rule id="other"><inputEntry id="mo1"><text>-</text></inputEntry>
        <outputEntry id="mo2"><text>"Salad"</text></outputEntry>
        <outputEntry id="mo3"><text>"Water"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


def test_single_result_stores_the_outputs_of_the_one_matched_rule(session: Session, now: datetime) -> None:
    bpmn = BPMN.replace(
        'camunda:decisionRef="dish" camunda:resultVariable="dish"',
        'camunda:decisionRef="menu" camunda:resultVariable="menu"',
    ).replace('mapDecisionResult="singleEntry"', 'mapDecisionResult="singleResult"')
    resources = [Resource("dinner.bpmn", bpmn), Resource("dish.dmn", DMN), Resource("menu.dmn", MENU)]
    deployment.deploy(session, ADMIN, resources, now)
    instance = instances.start_instance(session, ADMIN, "dinner", {"season": "Winter", "guest count": 2}, now)
    assert instance.status == "completed"
    assert instance.variables["menu"] == {"dish": "Stew", "drink": "Tea"}
    assert instance.variables["drinks"] == ["Water"]
