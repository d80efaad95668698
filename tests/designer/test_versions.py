"""Versions, exact export, readable diffs, instance diagrams, element templates and instance migration."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from designer_export import api as designer_api
from designer_export.templates import ACTIONS, element_templates
from engine.bpmn.resources import Resource
from engine.domain.errors import InvalidState, NotFound, PermissionDenied
from engine.services.casework import tasks
from engine.services.designer import deployment, migration
from engine.services.instances import lifecycle as instances
from engine.store import queries
from engine.store.models import AuditEntry, HumanTask, ProcessInstance
from tests.designer.helpers import diagram
from tests.engine.helpers import ADMIN, ANNA

USER = 'camunda:candidateGroups="agent"'


def chain(*steps: tuple[str, str]) -> str:
    """start -> steps -> end; each step is (element xml, id)."""
    ids = ["start", *(step_id for _, step_id in steps), "end"]
    flows = "".join(
        f'<sequenceFlow id="f_{a}_{b}" sourceRef="{a}" targetRef="{b}"/>' for a, b in zip(ids, ids[1:], strict=False)
    )
    return diagram('<startEvent id="start"/><endEvent id="end"/>' + "".join(xml for xml, _ in steps) + flows)


def user(element_id: str, name: str = "") -> tuple[str, str]:
    return f'<userTask id="{element_id}" name="{name or element_id}" {USER}/>', element_id


def deploy(session: Session, now: datetime, text: str, **options: bool) -> int:
    [result] = deployment.deploy(session, ADMIN, [Resource("p.bpmn", text)], now, **options)
    return result.version


def open_rows(session: Session, instance_id: int) -> list[HumanTask]:
    return list(queries.list_tasks(session, queries.TaskFilter(instance_id=instance_id)))


def test_versions_list_and_exact_export(session: Session, now: datetime) -> None:
    descriptive = chain(user("a")).replace('isExecutable="true"', 'isExecutable="false"')
    deploy(session, now, descriptive, as_executable=True)
    deploy(session, now + timedelta(hours=1), chain(user("a"), user("b")))
    rows = designer_api.list_versions(session, "p")
    assert [(r.version, r.normalized, r.files) for r in rows] == [(2, False, ("p.bpmn",)), (1, True, ("p.bpmn",))]
    assert designer_api.download(session, "p", 1) == [("p.bpmn", descriptive)]
    [(_, runnable)] = designer_api.download(session, "p", 1, as_uploaded=False)
    assert 'isExecutable="true"' in runnable
    with pytest.raises(NotFound, match="version 9"):
        designer_api.download(session, "p", 9)


def test_diff_names_added_removed_and_changed_elements(session: Session, now: datetime) -> None:
    deploy(session, now, chain(user("a", "Answer"), user("b")))
    changed = chain(user("a", "Answer the customer"), user("c")).replace(USER, 'camunda:candidateGroups="lead"', 1)
    deploy(session, now, changed)
    result = designer_api.diff(session, "p", 1, 2)
    assert [e.element_id for e in result.added] == ["c", "f_a_c", "f_c_end"]
    assert [e.element_id for e in result.removed] == ["b", "f_a_b", "f_b_end"]
    [change] = result.changed
    assert change.element_id == "a"
    assert "name: 'Answer' -> 'Answer the customer'" in change.changes
    assert "camunda:candidateGroups: 'agent' -> 'lead'" in change.changes
    assert "+ userTask 'c'" in result.text() and json.dumps(result.to_dict())
    assert designer_api.diff(session, "p", 1, 1).unchanged


def test_instance_diagram_marks_where_the_instance_stands(session: Session, now: datetime) -> None:
    text = chain(user("a"), user("b")).replace(
        "</definitions>",
        '<bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="pl" bpmnElement="p">'
        + "".join(
            f'<bpmndi:BPMNShape id="sh_{i}" bpmnElement="{i}"><dc:Bounds x="{n * 150}" y="50" width="100" height="80"/>'
            "</bpmndi:BPMNShape>"
            for n, i in enumerate(["start", "a", "b", "end"])
        )
        + '<bpmndi:BPMNEdge id="e1" bpmnElement="f_start_a"><di:waypoint x="100" y="90"/><di:waypoint x="150" y="90"/>'
        "</bpmndi:BPMNEdge></bpmndi:BPMNPlane></bpmndi:BPMNDiagram></definitions>",
    )
    deploy(session, now, text)
    instance = instances.start_instance(session, ADMIN, "p", {}, now)
    svg = etree.fromstring(designer_api.instance_svg(session, instance.id, now).encode())
    groups = {g.get("data-element-id"): g.get("class") for g in svg.iter("{http://www.w3.org/2000/svg}g")}
    assert groups == {"start": "element completed", "a": "element active", "b": "element", "end": "element"}
    assert svg.find(".//{http://www.w3.org/2000/svg}polyline") is not None


def test_element_templates_cover_every_system_action() -> None:
    handlers = designer_api.system_actions()
    assert {action.topic for action in ACTIONS} <= set(handlers), "the catalogue describes a topic nobody handles"
    published = json.loads(designer_api.element_templates_json())
    assert {t["id"].removeprefix("org.complaintflow.") for t in published} == set(handlers)
    plain = element_templates({"fax": "Send a fax."})
    assert plain[-1]["id"] == "org.complaintflow.fax" and plain[-1]["description"] == "Send a fax."
    notify = next(t for t in element_templates() if t["id"] == "org.complaintflow.notify")
    bindings = {p["binding"]["name"]: p for p in notify["properties"]}
    assert bindings["camunda:topic"]["value"] == "notify" and bindings["camunda:type"]["value"] == "external"
    assert bindings["to"]["constraints"] == {"notEmpty": True}
    assert all(t["appliesTo"] == ["bpmn:ServiceTask"] for t in published)


def test_dry_run_lists_who_can_move_and_why_not(session: Session, now: datetime) -> None:
    deploy(session, now, chain(user("a"), user("b")))
    at_a = instances.start_instance(session, ADMIN, "p", {}, now)
    at_b = instances.start_instance(session, ADMIN, "p", {}, now)
    [row] = open_rows(session, at_b.id)
    tasks.complete_task(session, ANNA, row.id, {}, now)
    deploy(session, now, chain(user("b"), user("c")))
    plans = {p.instance_id: p for p in migration.plan_migration(session, "p", now)}
    assert not plans[at_a.id].can_move
    assert "waits at 'a'" in plans[at_a.id].reasons[0]
    assert not plans[at_b.id].can_move and "has passed 'a'" in plans[at_b.id].reasons[0]
    deploy(
        session,
        now,
        chain(
            user("a"), ('<scriptTask id="s" scriptFormat="python"><script>x = refund * 2</script></scriptTask>', "s")
        ),
    )
    [plan, _] = migration.plan_migration(session, "p", now, to_version=3, instance_ids=[at_a.id, at_b.id])
    assert plan.instance_id == at_a.id and "reads 'refund'" in plan.reasons[-1]


def test_migration_moves_one_instance_atomically_and_audited(session: Session, now: datetime) -> None:
    deploy(session, now, chain(user("a", "Answer"), user("b")))
    instance = instances.start_instance(session, ADMIN, "p", {"x": 1}, now)
    [before] = open_rows(session, instance.id)
    tasks.claim_task(session, ANNA, before.id, now)
    deploy(session, now, chain(user("a", "Answer the customer"), user("c"), user("b")))
    with pytest.raises(PermissionDenied):
        migration.migrate_instance(session, ANNA, instance.id, now)
    moved = migration.migrate_instance(session, ADMIN, instance.id, now)
    assert (moved.from_version, moved.to_version, moved.active_elements) == (1, 2, ("a",))
    [row] = open_rows(session, instance.id)
    assert (row.id, row.assignee, row.title) == (before.id, "anna", "Answer the customer")
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "instance_migrated")).one()
    assert (audit.before, audit.after) == ({"process_key": "p", "version": 1}, {"process_key": "p", "version": 2})
    tasks.complete_task(session, ANNA, row.id, {}, now)
    assert [r.element_id for r in open_rows(session, instance.id)] == ["c"]
    with pytest.raises(InvalidState, match="already runs on version 2"):
        migration.migrate_instance(session, ADMIN, instance.id, now)


def test_a_refused_move_changes_nothing(session: Session, now: datetime) -> None:
    deploy(session, now, chain(user("a"), user("b")))
    instance = instances.start_instance(session, ADMIN, "p", {}, now)
    state = instance.state
    deploy(session, now, chain(user("b"), user("c")))
    with pytest.raises(InvalidState, match="waits at 'a'"):
        migration.migrate_instance(session, ADMIN, instance.id, now)
    session.expire_all()
    reloaded = session.get(ProcessInstance, instance.id)
    assert reloaded is not None and reloaded.definition.version == 1 and reloaded.state == state
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "instance_migrated")).first() is None


def test_bulk_migration_reports_progress(session: Session, now: datetime) -> None:
    deploy(session, now, chain(user("a")))
    started = [instances.start_instance(session, ADMIN, "p", {}, now).id for _ in range(3)]
    [first_row] = open_rows(session, started[0])
    tasks.complete_task(session, ANNA, first_row.id, {}, now)  # completed: not a candidate any more
    deploy(session, now, chain(user("a"), user("b")))
    seen: list[tuple[int, int, int]] = []
    result = migration.migrate_instances(
        session, ADMIN, "p", now, progress=lambda p: seen.append((p.done, p.moved, p.remaining))
    )
    assert (result.total, result.moved, result.failed) == (2, 2, {})
    assert seen == [(1, 1, 1), (2, 2, 0)] and result.rate > 0
    versions = {i.id: i.definition.version for i in session.scalars(select(ProcessInstance))}
    assert versions == {started[0]: 1, started[1]: 2, started[2]: 2}
