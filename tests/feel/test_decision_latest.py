"""A decision deployed alone reaches processes deployed before it at their next evaluation (Camunda's default
``decisionRefBinding="latest"``), also instances already running; bound ones keep their table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bpmn.resources import Resource
from engine.services.casework import tasks
from engine.services.designer import deployment
from engine.services.instances import lifecycle as instances
from engine.services.instances.run_cache import RUN_CACHE
from engine.store.models import ProcessDefinition, ProcessInstance
from tests.engine.helpers import ADMIN, ANNA, only_task
from tests.feel.test_decision_tasks import DMN


def waiting(process_id: str, binding: str = "") -> Resource:
    """A user task first, then the dish decision: a running instance evaluates it later."""
    return Resource(
        f"{process_id}.bpmn",
        f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
             id="defs_{process_id}" targetNamespace="urn:t">
  <process id="{process_id}" isExecutable="true">
    <startEvent id="start"/>
    <userTask id="prepare" name="Prepare" camunda:candidateGroups="agent"/>
    <businessRuleTask id="dish_task" camunda:decisionRef="dish" {binding} camunda:resultVariable="dish"
                      camunda:mapDecisionResult="singleEntry"/>
    <userTask id="serve" name="Serve" camunda:candidateGroups="agent"/>
    <endEvent id="end"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="prepare"/>
    <sequenceFlow id="f2" sourceRef="prepare" targetRef="dish_task"/>
    <sequenceFlow id="f3" sourceRef="dish_task" targetRef="serve"/>
    <sequenceFlow id="f4" sourceRef="serve" targetRef="end"/>
  </process>
</definitions>
""",
    )


DATA = {"season": "Winter", "guest count": 2}


def dish_after_prepare(session: Session, instance: ProcessInstance, now: datetime) -> str:
    tasks.complete_task(session, ANNA, only_task(session, instance.id).id, {}, now)
    session.refresh(instance)
    assert only_task(session, instance.id).element_id == "serve"
    return str(instance.variables["dish"])


def test_a_decision_deployed_alone_changes_the_next_evaluation(session: Session, now: datetime) -> None:
    processes = {
        "follows_latest": "",
        "same_deployment": 'camunda:decisionRefBinding="deployment"',
        "pinned": 'camunda:decisionRefBinding="version" camunda:decisionRefVersion="1"',
    }
    deployment.deploy(session, ADMIN, [Resource("dish.dmn", DMN), *(waiting(p, b) for p, b in processes.items())], now)
    running = {p: instances.start_instance(session, ADMIN, p, DATA, now) for p in processes}

    results = deployment.deploy(session, ADMIN, [Resource("dish.dmn", DMN.replace('"Roastbeef"', '"Goulash"'))], now)
    assert {(r.kind, r.process_key, r.version) for r in results} == {
        ("decision", "dish", 2),
        ("decision", "beverages", 2),
    }
    assert session.scalar(select(func.count()).select_from(ProcessDefinition)) == 3  # no process redeployed

    # Instances started before the new table evaluate it next time (restored from the database, not the cache).
    RUN_CACHE.clear()
    dishes = {p: dish_after_prepare(session, instance, now) for p, instance in running.items()}
    assert dishes == {"follows_latest": "Goulash", "same_deployment": "Roastbeef", "pinned": "Roastbeef"}
    fresh = instances.start_instance(session, ADMIN, "follows_latest", DATA, now)
    assert dish_after_prepare(session, fresh, now) == "Goulash"


def test_a_version_tag_binding_takes_the_newest_tagged_table_when_it_runs(session: Session, now: datetime) -> None:
    def tagged(dish: str, tag: str) -> Resource:
        text = DMN.replace('id="dish_defs"', 'id="dish_defs" xmlns:camunda="http://camunda.org/schema/1.0/dmn"')
        text = text.replace('name="Dish">', f'name="Dish" camunda:versionTag="{tag}">', 1)
        return Resource("dish.dmn", text.replace('"Roastbeef"', f'"{dish}"'))

    deployment.deploy(session, ADMIN, [tagged("Roastbeef", "classic")], now)
    binding = 'camunda:decisionRefBinding="versionTag" camunda:decisionRefVersionTag="classic"'
    deployment.deploy(session, ADMIN, [waiting("by_tag", binding)], now)
    instance = instances.start_instance(session, ADMIN, "by_tag", DATA, now)
    deployment.deploy(session, ADMIN, [tagged("Pasta", "modern")], now)
    deployment.deploy(session, ADMIN, [tagged("Goulash", "classic")], now)
    deployment.deploy(session, ADMIN, [tagged("Soup", "modern")], now)
    assert dish_after_prepare(session, instance, now) == "Goulash"
