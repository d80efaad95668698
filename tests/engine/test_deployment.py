"""Deploying BPMN/DMN as versions: checksums, pinning, caching and clear errors."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bpmn.resources import Resource
from engine.domain.errors import DeploymentError, NotFound
from engine.runtime import serialization
from engine.services.casework import tasks
from engine.services.designer import deployment
from engine.services.instances import lifecycle as instances
from engine.store.models import DefinitionResource, ProcessDefinition
from tests.engine.helpers import ADMIN, ANNA, BASIC, DIAGRAMS, EXAMPLES, complaint, deploy_paths, only_task, resources


def test_first_deploy_creates_version_one_with_xml_and_checksum(session: Session, now: datetime) -> None:
    [result] = deploy_paths(session, now, *BASIC)
    assert (result.process_key, result.version, result.created) == ("complaint_basic", 1, True)
    definition = session.get(ProcessDefinition, result.definition_id)
    assert definition is not None and len(definition.checksum) == 64
    assert sorted(r.filename for r in definition.resources) == ["complaint_basic.bpmn", "complaint_priority.dmn"]
    assert definition.name == "Complaint (basic)"


def test_same_content_twice_is_not_a_new_version(session: Session, now: datetime) -> None:
    deploy_paths(session, now, *BASIC)
    [again] = deploy_paths(session, now + timedelta(minutes=5), *BASIC)
    assert (again.version, again.created) == (1, False)
    assert session.scalar(select(func.count()).select_from(ProcessDefinition)) == 1


def test_changed_content_is_a_new_version_and_instances_stay_pinned(session: Session, now: datetime) -> None:
    deploy_paths(session, now, *BASIC)
    old_instance = instances.start_instance(session, ADMIN, "complaint_basic", complaint(), now)
    changed = (EXAMPLES / "complaint_basic.bpmn").read_text().replace('name="Handle complaint"', 'name="Work on it"')
    dmn = resources(EXAMPLES / "complaint_priority.dmn")
    [result] = deployment.deploy(session, ADMIN, [Resource("complaint_basic.bpmn", changed), *dmn], now)
    assert (result.version, result.created) == (2, True)

    new_instance = instances.start_instance(session, ADMIN, "complaint_basic", complaint(complaint_id="C-2"), now)
    assert only_task(session, new_instance.id).title == "Work on it"
    old_task = only_task(session, old_instance.id)
    assert old_task.title == "Handle complaint"
    assert old_instance.definition.version == 1
    tasks.complete_task(
        session, ANNA, old_task.id, {"resolution": "explanation", "refund_amount": 0, "reply": "Here is why."}, now
    )
    assert session.get(type(old_instance), old_instance.id).status == "completed"  # type: ignore[union-attr]


def test_starting_an_older_version_explicitly(session: Session, now: datetime) -> None:
    deploy_paths(session, now, *BASIC)
    with pytest.raises(NotFound, match="version 7"):
        instances.start_instance(session, ADMIN, "complaint_basic", complaint(), now, version=7)
    instance = instances.start_instance(session, ADMIN, "complaint_basic", complaint(), now, version=1)
    assert instance.definition.version == 1


def test_parsed_specs_are_cached_per_version(session: Session, now: datetime, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    deploy_paths(session, now, *BASIC)
    serialization.SPEC_CACHE.clear()
    calls = []
    original = deployment.parse_process

    def counting_parse(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args[1])
        return original(*args, **kwargs)

    monkeypatch.setattr(deployment, "parse_process", counting_parse)
    for number in range(3):
        instances.start_instance(session, ADMIN, "complaint_basic", complaint(complaint_id=f"C-{number}"), now)
    assert calls == ["complaint_basic"]


def test_xml_is_stored_once_per_version_not_per_instance(session: Session, now: datetime) -> None:
    deploy_paths(session, now, *BASIC)
    for number in range(5):
        instances.start_instance(session, ADMIN, "complaint_basic", complaint(complaint_id=f"C-{number}"), now)
    assert session.scalar(select(func.count()).select_from(DefinitionResource)) == 2


def test_malformed_xml_names_file_and_line(session: Session, now: datetime) -> None:
    broken = "<?xml version='1.0'?>\n<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'>\n<oops"
    with pytest.raises(DeploymentError) as error:
        deployment.deploy(session, ADMIN, [Resource("broken.bpmn", broken)], now)
    assert error.value.filename == "broken.bpmn"
    assert error.value.line == 3
    assert "not well-formed XML" in str(error.value)


def test_missing_decision_is_named(session: Session, now: datetime) -> None:
    with pytest.raises(DeploymentError, match="decision 'complaint_priority'"):
        deploy_paths(session, now, EXAMPLES / "complaint_basic.bpmn")


def test_decision_already_deployed_is_found(session: Session, now: datetime) -> None:
    deploy_paths(session, now, *BASIC)
    changed = (EXAMPLES / "complaint_basic.bpmn").read_text().replace("Classify complaint", "Classify")
    [result] = deployment.deploy(session, ADMIN, [Resource("complaint_basic.bpmn", changed)], now)
    assert result.version == 2


def test_new_decision_table_alone_is_a_decision_version_the_process_evaluates_next(
    session: Session, now: datetime
) -> None:
    deploy_paths(session, now, *BASIC)
    dmn = (EXAMPLES / "complaint_priority.dmn").read_text().replace('"P5D"', '"P4D"')
    [result] = deployment.deploy(session, ADMIN, [Resource("complaint_priority.dmn", dmn)], now)
    assert (result.kind, result.process_key, result.version) == ("decision", "complaint_priority", 2)
    assert session.scalar(select(func.count()).select_from(ProcessDefinition)) == 1
    instance = instances.start_instance(session, ADMIN, "complaint_basic", complaint(category="delivery"), now)
    assert instance.variables["handling_due"] == "P4D"


def test_script_syntax_error_is_reported_at_deploy_with_element(session: Session, now: datetime) -> None:
    text = (DIAGRAMS / "script_flow.bpmn").read_text().replace("amount / divisor", "amount / / divisor")
    with pytest.raises(DeploymentError) as error:
        deployment.deploy(session, ADMIN, [Resource("script_flow.bpmn", text)], now)
    assert error.value.element_id == "compute_refund"
    assert "script does not compile" in str(error.value)


def test_condition_syntax_error_is_reported_at_deploy(session: Session, now: datetime) -> None:
    text = (DIAGRAMS / "gateway_flow.bpmn").read_text().replace('channel == "email"', 'channel === "email"')
    with pytest.raises(DeploymentError) as error:
        deployment.deploy(session, ADMIN, [Resource("gateway_flow.bpmn", text)], now)
    assert error.value.element_id == "route_by_channel"
    assert "answer_email" in str(error.value)


def test_missing_start_event_is_reported(session: Session, now: datetime) -> None:
    text = (DIAGRAMS / "unsafe_script.bpmn").read_text().replace('<bpmn:startEvent id="start" />', "")
    with pytest.raises(DeploymentError, match="No start event"):
        deployment.deploy(session, ADMIN, [Resource("unsafe_script.bpmn", text)], now)


def test_upload_checks(now: datetime) -> None:
    with pytest.raises(DeploymentError, match="only .bpmn and .dmn"):
        deployment.decode_upload("notes.txt", b"hello")
    with pytest.raises(DeploymentError, match="not UTF-8"):
        deployment.decode_upload("x.bpmn", b"\xff\xfe\x00<")


def test_external_entities_are_not_resolved(session: Session, now: datetime) -> None:
    evil = (
        "<?xml version='1.0'?><!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
        "<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'>"
        "<bpmn:process id='p' isExecutable='true' name='&x;'><bpmn:startEvent id='s'/></bpmn:process>"
        "</bpmn:definitions>"
    )
    try:
        results = deployment.deploy(session, ADMIN, [Resource("evil.bpmn", evil)], now)
    except DeploymentError:
        return
    assert "root:" not in results[0].name
