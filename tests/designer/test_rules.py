"""Each semantic rule: its code, severity, element, line and hint on a diagram that breaks it."""

from __future__ import annotations

import pytest

from designer_export import REJECTED, Upload, check_uploads
from engine.bpmn.resources import Resource
from tests.designer.helpers import check, codes, diagram, find, linear
from tests.engine.helpers import EXAMPLES

TASK = '<userTask id="s1" name="Answer" camunda:candidateGroups="agent"/>'


def timer_event(value: str, element_id: str = "s1", kind: str = "timeDuration") -> str:
    return (
        f'<intermediateCatchEvent id="{element_id}"><timerEventDefinition><{kind}>{value}</{kind}>'
        "</timerEventDefinition></intermediateCatchEvent>"
    )


GATEWAY = (
    '<startEvent id="start"/><exclusiveGateway id="gw" name="Refund?"/>'
    '<userTask id="yes" camunda:candidateGroups="agent"/><userTask id="no" camunda:candidateGroups="agent"/>'
    '<sequenceFlow id="f0" sourceRef="start" targetRef="gw"/>'
    '<sequenceFlow id="to_yes" name="yes" sourceRef="gw" targetRef="yes">{cond_yes}</sequenceFlow>'
    '<sequenceFlow id="to_no" name="no" sourceRef="gw" targetRef="no">{cond_no}</sequenceFlow>'
)


def located(report, code: str, element_id: str | None = None):  # type: ignore[no-untyped-def]
    diagnostic = find(report, code)
    assert diagnostic.line and diagnostic.line > 0, diagnostic
    assert diagnostic.message and diagnostic.file == "test.bpmn"
    if element_id is not None:
        assert diagnostic.element_id == element_id, diagnostic
        assert diagnostic.element_type
    return diagnostic


def test_the_project_examples_are_deployable() -> None:
    reports = check_uploads(
        [
            Upload(p.name, p.read_bytes())
            for p in (EXAMPLES / "complaint_basic.bpmn", EXAMPLES / "complaint_priority.dmn")
        ]
    )
    assert [r.status for r in reports] == ["deployable", "deployable"], [
        d.text() for r in reports for d in r.diagnostics
    ]


def test_missing_start_event() -> None:
    report = check(diagram(TASK + '<endEvent id="end"/><sequenceFlow id="f" sourceRef="s1" targetRef="end"/>'))
    assert report.status == REJECTED
    assert "start event" in located(report, "no-start-event", "p").message.lower()


def test_gateway_flow_without_condition_names_the_flow() -> None:
    report = check(diagram(GATEWAY.format(cond_yes="", cond_no="")))
    assert report.status == REJECTED
    diagnostic = located(report, "missing-condition")
    assert diagnostic.element_id in ("to_yes", "to_no") and diagnostic.element_type == "sequenceFlow"
    assert "default" in diagnostic.hint


def test_the_one_flow_without_condition_becomes_the_default_with_a_warning() -> None:
    report = check(diagram(GATEWAY.format(cond_yes="<conditionExpression>${refund}</conditionExpression>", cond_no="")))
    located(report, "flow-made-default", "to_no")
    # Nothing in the diagram sets ``refund``: instances would get an incident at the gateway's flow.
    assert report.status == "needs_attention"
    located(report, "condition-variable", "to_yes")


@pytest.mark.parametrize("value", ["PT48H", "P5D", "2026-12-01T09:00:00Z", "R3/PT1H", '"P2D"', "${reminder}"])
def test_valid_timers(value: str) -> None:
    kind = "timeDate" if value.startswith("2026") else "timeCycle" if value.startswith("R") else "timeDuration"
    timer = timer_event(value, kind=kind)
    report = check(diagram(linear(timer)))
    assert "timer-invalid" not in codes(report), [d.text() for d in report.diagnostics]


@pytest.mark.parametrize("value", ["P1X", "PT", "48 hours please", "R3/P1Q"])
def test_invalid_timer_values(value: str) -> None:
    report = check(diagram(linear(timer_event(value))))
    assert report.status == REJECTED
    assert "PT48H" in located(report, "timer-invalid", "s1").hint or "compile" in find(report, "timer-invalid").message


def test_timer_reading_a_variable_nothing_sets_is_a_warning() -> None:
    report = check(diagram(linear(timer_event("${wait_for}"))))
    assert report.status == "deployable_with_warnings"
    assert "wait_for" in located(report, "timer-variable", "s1").message
    form = (
        '<userTask id="s1" camunda:candidateGroups="a"><extensionElements><camunda:formData>'
        '<camunda:formField id="wait_for" type="string"/></camunda:formData></extensionElements></userTask>'
    )
    assert "timer-variable" not in codes(check(diagram(linear(form, timer_event("${wait_for}", "s2")))))


def test_user_task_without_lane_assignee_or_group() -> None:
    report = check(diagram(linear('<userTask id="s1" name="Answer"/>')))
    assert report.status == "deployable_with_warnings"
    located(report, "unassigned-task", "s1")
    lane = '<laneSet id="ls"><lane id="l1" name="Agents"><flowNodeRef>s1</flowNodeRef></lane></laneSet>'
    assert "unassigned-task" not in codes(check(diagram(linear('<userTask id="s1"/>', prefix=lane))))


def test_called_process_must_be_uploaded_or_deployed() -> None:
    call = '<callActivity id="s1" calledElement="refund_subprocess"/>'
    report = check(diagram(linear(call)))
    assert report.status == REJECTED
    assert "refund_subprocess" in located(report, "unknown-called-process", "s1").message
    sub = diagram(linear(TASK), process_id="refund_subprocess")
    deployed = [Resource("sub.bpmn", sub)]
    assert check(diagram(linear(call)), deployed=deployed).status == "deployable"
    both = check_uploads([Upload("main.bpmn", diagram(linear(call)).encode()), Upload("sub.bpmn", sub.encode())])
    assert [r.status for r in both] == ["deployable", "deployable"]


def test_called_process_must_be_executable_and_not_the_caller() -> None:
    call = '<callActivity id="s1" calledElement="{}"/>'
    descriptive = diagram(linear(TASK), process_id="sub", executable=False)
    report = check(diagram(linear(call.format("sub"))), deployed=[Resource("sub.bpmn", descriptive)])
    located(report, "called-process-not-executable", "s1")
    located(check(diagram(linear(call.format("p")))), "recursive-call", "s1")


def test_decision_must_exist() -> None:
    task = '<businessRuleTask id="s1" camunda:decisionRef="priority_table"/>'
    report = check(diagram(linear(task)))
    assert report.status == REJECTED
    assert "priority_table" in located(report, "unknown-decision", "s1").message
    dmn = (EXAMPLES / "complaint_priority.dmn").read_text()
    known = check(
        diagram(linear(task.replace("priority_table", "complaint_priority"))), deployed=[Resource("t.dmn", dmn)]
    )
    assert "unknown-decision" not in codes(known)


@pytest.mark.parametrize("script", ["import os", "x = ().__class__", "x = = 1", "x = open('/etc/passwd')"])
def test_scripts_must_compile_in_the_restricted_language(script: str) -> None:
    task = f'<scriptTask id="s1" scriptFormat="python"><script>{script}</script></scriptTask>'
    report = check(diagram(linear(task)))
    assert report.status == REJECTED, [d.text() for d in report.diagnostics]
    assert {"script-invalid", "engine-parser"} & codes(report, "error")


def test_conditions_must_compile() -> None:
    report = check(
        diagram(
            GATEWAY.format(
                cond_yes="<conditionExpression>amount &gt;&gt;&gt; 2</conditionExpression>",
                cond_no="<conditionExpression>True</conditionExpression>",
            )
        )
    )
    assert report.status == REJECTED
    located(report, "condition-invalid", "to_yes")


def test_unreachable_elements_are_reported() -> None:
    report = check(diagram(linear(TASK) + '<userTask id="orphan" camunda:candidateGroups="a"/>'))
    assert report.status == "deployable_with_warnings"
    located(report, "unreachable", "orphan")


def test_duplicate_ids_and_dangling_flows() -> None:
    body = (
        linear(TASK)
        + '<userTask id="s1" camunda:candidateGroups="a"/><sequenceFlow id="bad" sourceRef="s1" targetRef="nowhere"/>'
    )
    report = check(diagram(body))
    assert report.status == REJECTED
    located(report, "duplicate-id", "s1")
    assert find(report, "dangling-flow").element_id == "bad"


def test_schema_violation_is_located() -> None:
    report = check(diagram(linear('<userTask id="s1" camunda:candidateGroups="a" startQuantity="many"/>')))
    assert report.status == REJECTED
    diagnostic = located(report, "schema", "s1")
    assert "startQuantity" in diagnostic.message


def test_broken_diagram_layout_is_only_a_warning() -> None:
    layout = (
        '<bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="pl" bpmnElement="p">'
        '<bpmndi:BPMNEdge id="e" bpmnElement="f0"/></bpmndi:BPMNPlane></bpmndi:BPMNDiagram>'
    )
    report = check(diagram(linear(TASK), after=layout))
    assert report.status == "deployable_with_warnings"
    assert find(report, "schema-diagram").element_id == "e"


def test_descriptive_file_is_rejected_with_a_hint_to_deploy_as_executable() -> None:
    report = check(diagram(linear(TASK), executable=False))
    assert report.status == REJECTED
    assert "--as-executable" in located(report, "no-executable-process").hint
    assert check(diagram(linear(TASK), executable=False), as_executable=True).status != REJECTED


def test_a_process_id_in_two_uploaded_files_is_an_error() -> None:
    text = diagram(linear(TASK)).encode()
    reports = check_uploads([Upload("a.bpmn", text), Upload("b.bpmn", text)])
    assert [r.status for r in reports] == [REJECTED, REJECTED]
    assert "a.bpmn, b.bpmn" in find(reports[1], "duplicate-process").message


def test_unknown_topic_is_a_warning_when_topics_are_known() -> None:
    task = '<serviceTask id="s1" camunda:topic="fax_customer"/>'
    report = check(diagram(linear(task)), known_topics={"notify"})
    assert report.status == "needs_attention"
    assert "notify" in located(report, "unknown-topic", "s1").hint
    # Marked external, the same task waits for a worker: a normal state, listed as such.
    external = check(diagram(linear(task.replace("<serviceTask", '<serviceTask camunda:type="external"'))),
                     known_topics={"notify"})  # fmt: skip
    assert external.status == "deployable"
    assert "waits for a worker on topic 'fax_customer'" in located(external, "external-task", "s1").message
    assert "unknown-topic" not in codes(
        check(diagram(linear(task.replace("fax_customer", "notify"))), known_topics={"notify"})
    )


@pytest.mark.parametrize("as_executable", [False, True])
@pytest.mark.parametrize("kind", ["serviceTask", "sendTask", "businessRuleTask", "scriptTask"])
def test_a_task_without_implementation_says_so_in_plain_words(kind: str, as_executable: bool) -> None:
    """The issue's "has no an implementation": every message about a missing implementation reads right."""
    report = check(diagram(linear(f'<{kind} id="s1" name="Pay"/>')), as_executable=as_executable)
    texts = [d.text() for d in report.diagnostics if d.element_id == "s1"]
    assert texts, [d.text() for d in report.diagnostics]
    assert all(" no an " not in text and " a implementation" not in text for text in texts), texts
    if kind != "scriptTask":
        assert any(f"{kind} has no implementation" in t or f"{kind} has no decision" in t for t in texts), texts
