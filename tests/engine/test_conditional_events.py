"""A conditional boundary event whose condition reads data the activity has not produced yet waits for it
(Camunda's order-handling example: ``${invoiceId != null}`` on a sub-process); it used to be an incident the
moment the activity started, although the check called the diagram deployable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.bpmn.resources import Resource
from engine.services.designer import deployment
from engine.services.instances import lifecycle as instances
from tests.engine.helpers import ADMIN, open_tasks

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
             xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="urn:t">
  <process id="orders" isExecutable="true">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <subProcess id="work">
      <startEvent id="inner_start"/>
      <sequenceFlow id="i1" sourceRef="inner_start" targetRef="create_invoice"/>
      <userTask id="create_invoice" name="Create invoice"/>
      <sequenceFlow id="i2" sourceRef="create_invoice" targetRef="inner_end"/>
      <endEvent id="inner_end"/>
    </subProcess>
    <sequenceFlow id="f2" sourceRef="work" targetRef="done"/>
    <endEvent id="done"/>
    <boundaryEvent id="archive_ready" attachedToRef="work">
      <conditionalEventDefinition>
        <condition xsi:type="tFormalExpression">${invoiceId != null}</condition>
      </conditionalEventDefinition>
    </boundaryEvent>
    <sequenceFlow id="f3" sourceRef="archive_ready" targetRef="archive"/>
    <userTask id="archive" name="Archive invoice"/>
    <sequenceFlow id="f4" sourceRef="archive" targetRef="archived"/>
    <endEvent id="archived"/>
  </process>
</definitions>
"""


def test_a_condition_on_data_not_set_yet_waits_instead_of_an_incident(session: Session, now: datetime) -> None:
    deployment.deploy(session, ADMIN, [Resource("orders.bpmn", BPMN)], now)
    instance = instances.start_instance(session, ADMIN, "orders", {}, now)
    assert instance.status != "incident"
    assert [task.element_id for task in open_tasks(session, instance.id)] == ["create_invoice"]


def test_the_condition_fires_once_the_data_makes_it_true(session: Session, now: datetime) -> None:
    deployment.deploy(session, ADMIN, [Resource("orders.bpmn", BPMN)], now)
    instance = instances.start_instance(session, ADMIN, "orders", {"invoiceId": "INV-1"}, now)
    assert instance.status != "incident"
    assert [task.element_id for task in open_tasks(session, instance.id)] == ["archive"]


def test_any_other_error_in_the_condition_is_still_an_incident(session: Session, now: datetime) -> None:
    broken = BPMN.replace("${invoiceId != null}", "${invoiceId / 0 &gt; 1}")
    deployment.deploy(session, ADMIN, [Resource("orders.bpmn", broken)], now)
    instance = instances.start_instance(session, ADMIN, "orders", {"invoiceId": 5}, now)
    assert instance.status == "incident"
