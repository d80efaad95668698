"""Camunda 8 business rule tasks: zeebe:calledDecision resultVariable holds the decision's value (one output: the
value; a COLLECT table with one output: the list), and with output mappings the result stays local."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.bpmn.resources import Resource
from engine.services.designer import deployment
from engine.services.instances import lifecycle as instances
from tests.engine.helpers import ADMIN
from tests.feel.test_decision_tasks import DMN

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
             id="defs" targetNamespace="urn:t">
  <process id="dinner8" isExecutable="true">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="dish_task"/>
    <businessRuleTask id="dish_task"><extensionElements>
      <zeebe:calledDecision decisionId="dish" resultVariable="dish"/></extensionElements></businessRuleTask>
    <sequenceFlow id="f2" sourceRef="dish_task" targetRef="drinks_task"/>
    <businessRuleTask id="drinks_task"><extensionElements>
      <zeebe:calledDecision decisionId="beverages" resultVariable="drinks"/>
      <zeebe:ioMapping><zeebe:output source="=count(drinks)" target="drink_count"/></zeebe:ioMapping>
    </extensionElements></businessRuleTask>
    <sequenceFlow id="f3" sourceRef="drinks_task" targetRef="serve"/>
    <userTask id="serve"/>
    <sequenceFlow id="f4" sourceRef="serve" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>
"""


def test_result_variable_holds_the_decision_value_and_stays_local_with_outputs(session: Session, now: datetime) -> None:
    deployment.deploy(session, ADMIN, [Resource("dinner8.bpmn", BPMN), Resource("dish.dmn", DMN)], now)
    instance = instances.start_instance(session, ADMIN, "dinner8", {"season": "Winter", "guest count": 5}, now)
    variables = instance.variables
    # dish: a literal expression, its value; beverages: COLLECT with one output, the list of values (Water for
    # everyone, Wine above 4 guests); drinks stays local to its task, which has an output mapping.
    assert variables["dish"] == "Roastbeef" and variables["drink_count"] == 2 and "drinks" not in variables
