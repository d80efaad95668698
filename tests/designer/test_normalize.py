"""Vendor dialects and modelling shortcuts: what the normaliser rewrites, and that the result runs right."""

from __future__ import annotations

from lxml import etree

from engine.bpmn.bpmn_xml import load_xml
from engine.bpmn.normalize.pipeline import normalize_resources
from engine.bpmn.resources import Resource
from tests.designer.helpers import check, codes, complete, diagram, find, linear, ready, run

AGENT = 'camunda:candidateGroups="agent"'


def normalized(text: str, **options: bool):  # type: ignore[no-untyped-def]
    [item] = normalize_resources([Resource("n.bpmn", text)], **options)
    return item


def conditional_flow(flow_id: str, source: str, target: str, condition: str) -> str:
    return (
        f'<sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f"<conditionExpression>{condition}</conditionExpression></sequenceFlow>"
    )


def routing(condition_a: str, condition_b: str, language: str = "") -> str:
    lang = f' expressionLanguage="{language}"' if language else ""
    body = (
        f'<startEvent id="start"/><exclusiveGateway id="gw"/><userTask id="a" {AGENT}/><userTask id="b" {AGENT}/>'
        '<sequenceFlow id="f0" sourceRef="start" targetRef="gw"/>'
        + conditional_flow("to_a", "gw", "a", condition_a)
        + conditional_flow("to_b", "gw", "b", condition_b)
    )
    return diagram(body).replace('targetNamespace="', f'{lang} targetNamespace="', 1)


def test_a_file_that_needs_nothing_is_kept_byte_for_byte() -> None:
    text = diagram(linear(f'<userTask id="s1" {AGENT}/>'))
    item = normalized(text)
    assert item.content is item.original and not item.changed


def test_juel_conditions_route_like_camunda() -> None:
    text = routing("#{amount gt 200 and not vip}", "${execution.getVariable(&quot;amount&quot;) le 200 || vip}")
    assert ready(run(text, {"amount": 500, "vip": False})) == ["a"]
    assert ready(run(text, {"amount": 50, "vip": False})) == ["b"]


def test_feel_conditions_of_camunda_8_route() -> None:
    text = routing('= amount &gt; 200 and channel = "email"', "= not(amount &gt; 200)")
    assert ready(run(text, {"amount": 300, "channel": "email"})) == ["a"]
    assert ready(run(text, {"amount": 100, "channel": "phone"})) == ["b"]


def test_xpath_and_feel_names_with_spaces_are_translated_with_warnings() -> None:
    text = routing("bpmn:getDataObject('approved')", 'Vacation Approval = "Denied"', "http://www.w3.org/1999/XPath")
    assert ready(run(text, {"approved": True, "vacation_approval": "x"})) == ["a"]
    assert "vacation_approval" in find(check(text), "renamed-variable").message


def test_untranslatable_juel_is_an_error_naming_the_flow() -> None:
    report = check(routing("${orderService.isValid(order)}", "${true}"))
    diagnostic = find(report, "condition-untranslatable")
    assert report.status == "rejected" and diagnostic.element_id == "to_a" and "Java" in diagnostic.message


def test_zeebe_user_task_service_task_and_feel() -> None:
    zeebe = diagram(
        linear(
            '<userTask id="s1"><extensionElements><zeebe:assignmentDefinition assignee="=owner" '
            'candidateGroups="=[&quot;agent&quot;, &quot;lead&quot;]"/><zeebe:taskSchedule dueDate="P2D"/>'
            "</extensionElements></userTask>",
            '<serviceTask id="s2"><extensionElements><zeebe:taskDefinition type="notify"/><zeebe:taskHeaders>'
            '<zeebe:header key="template" value="ack"/></zeebe:taskHeaders><zeebe:ioMapping>'
            '<zeebe:input source="=customer_email" target="to"/></zeebe:ioMapping></extensionElements></serviceTask>',
        )
    )
    workflow = run(zeebe, {"owner": "anna", "customer_email": "c@example.org"})
    [task] = workflow.human_tasks()
    assert (task.assignee, task.candidate_groups, task.due) == ("anna", ("agent", "lead"), "P2D")
    complete(workflow, "s1")
    [call] = workflow.service_calls()
    assert call.topic == "notify"
    assert (call.properties["template"], call.properties["to"]) == ("ack", "${customer_email}")
    assert call.data["to"] == "c@example.org"  # Camunda 8: an input mapping is a local variable of the job
    # What the engine reads at run time stays (variable mappings); what was translated is gone.
    assert "zeebe:taskDefinition" not in normalized(zeebe).content
    assert "zeebe:assignmentDefinition" not in normalized(zeebe).content


def test_zeebe_embedded_form_stays_linked_and_its_unsupported_components_are_named() -> None:
    form = (
        '{"components": [{"type": "textfield", "key": "reply", "label": "Reply", "validate": {"required": true}},'
        ' {"type": "select", "key": "outcome", "values": [{"label": "Refund", "value": "refund"}]},'
        ' {"type": "text", "text": "Read carefully"}, {"type": "iframe", "id": "frame"},'
        ' {"type": "textfield", "key": "x", "conditional": {"hide": "=a >"}}]}'
    )
    task_xml = (
        f'<userTask id="s1" {AGENT}><extensionElements><zeebe:formDefinition formKey="camunda-forms:bpmn:form1"/>'
        "</extensionElements></userTask>"
    )
    text = diagram(
        f'<extensionElements><zeebe:userTaskForm id="form1">{form}</zeebe:userTaskForm></extensionElements>'
        + linear(task_xml)
    )
    # The page renders the form as drawn (engine.bpmn.camunda_forms): no formData translation, the link stays.
    [task] = run(text.replace(', {"type": "textfield", "key": "x", "conditional": {"hide": "=a >"}}', "")).human_tasks()
    assert not task.form
    content = normalized(text).content
    assert "zeebe:formDefinition" in content and "zeebe:userTaskForm" in content
    found = check(text)
    shown = find(found, "form-component-not-shown")
    assert (shown.severity, shown.element_id, "frame" in shown.message) == ("warning", "s1", True)
    feel = find(found, "form-feel")
    assert (feel.severity, feel.element_id, "'x'" in feel.message) == ("error", "s1", True)
    with_filepicker = text.replace('{"type": "iframe", "id": "frame"}', '{"type": "filepicker", "key": "upload"}')
    unsupported = find(check(with_filepicker), "form-component-unsupported")
    assert (unsupported.severity, unsupported.element_id, "upload" in unsupported.message) == ("error", "s1", True)


def test_camunda_eclipse_plugin_activiti_namespace_is_read_as_camunda() -> None:
    text = diagram(linear('<userTask id="s1" activiti:assignee="anna"/>')).replace(
        "<definitions ", '<definitions xmlns:activiti="http://activiti.org/bpmn" ', 1
    )
    [task] = run(text).human_tasks()
    assert task.assignee == "anna"


def test_vendor_decoration_and_data_stores_are_dropped_with_their_shapes() -> None:
    body = (
        linear(
            f'<userTask id="s1" {AGENT}><extensionElements>'
            '<signavio:signavioMetaData metaKey="bgcolor" metaValue="#fff"/></extensionElements>'
            '<dataOutputAssociation id="out"><targetRef>store_ref</targetRef></dataOutputAssociation></userTask>'
        )
        + '<dataStoreReference id="store_ref" dataStoreRef="store"/>'
        + '<textAnnotation id="note"><text>hi</text></textAnnotation>'
    )
    layout = (
        '<bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="pl" bpmnElement="p">'
        '<bpmndi:BPMNShape id="shape_note" bpmnElement="note"><dc:Bounds x="1" y="1" width="5" height="5"/>'
        "</bpmndi:BPMNShape>"
        '<bpmndi:BPMNShape id="shape_s1" bpmnElement="s1"><dc:Bounds x="1" y="1" width="5" height="5"/>'
        "</bpmndi:BPMNShape>"
        "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"
    )
    text = diagram(body, before='<dataStore id="store" name="CRM"/>', after=layout).replace(
        "<definitions ", '<definitions xmlns:signavio="http://www.signavio.com" ', 1
    )
    item = normalized(text)
    root = load_xml(item.content)
    ids = {node.get("id") for node in root.iter() if isinstance(node.tag, str)}
    assert {"store", "store_ref", "note", "out", "shape_note"}.isdisjoint(ids) and {"s1", "shape_s1"} <= ids
    assert "<signavio:" not in item.content
    report = check(text)
    assert report.status == "deployable" and {"dropped-dataStore", "vendor-extension"} <= codes(report, "info")


def test_link_events_are_joined_so_the_process_goes_on() -> None:
    body = (
        f'<startEvent id="start"/><userTask id="a" {AGENT}/><intermediateThrowEvent id="go">'
        '<linkEventDefinition name="next"/></intermediateThrowEvent><intermediateCatchEvent id="land">'
        f'<linkEventDefinition name="next"/></intermediateCatchEvent><userTask id="b" {AGENT}/><endEvent id="end"/>'
        '<sequenceFlow id="f1" sourceRef="start" targetRef="a"/><sequenceFlow id="f2" sourceRef="a" targetRef="go"/>'
        '<sequenceFlow id="f3" sourceRef="land" targetRef="b"/><sequenceFlow id="f4" sourceRef="b" targetRef="end"/>'
    )
    workflow = run(diagram(body))
    complete(workflow, "a")
    assert ready(workflow) == ["b"], "SpiffWorkflow alone would end the process at the link throw event"


def test_implicit_splits_become_gateways() -> None:
    parallel = (
        f'<startEvent id="start"/><userTask id="a" {AGENT}/><userTask id="b" {AGENT}/>'
        '<sequenceFlow id="f1" sourceRef="start" targetRef="a"/><sequenceFlow id="f2" sourceRef="start" targetRef="b"/>'
    )
    assert ready(run(diagram(parallel))) == ["a", "b"]
    conditional = (
        f'<startEvent id="start"/><task id="t"/><userTask id="a" {AGENT}/><userTask id="b" {AGENT}/>'
        '<sequenceFlow id="f0" sourceRef="start" targetRef="t"/>'
        + conditional_flow("f1", "t", "a", "${vip}")
        + conditional_flow("f2", "t", "b", "${!vip}")
    )
    workflow = run(diagram(conditional), {"vip": True})
    complete(workflow, "t")
    assert ready(workflow) == ["a"]


def test_java_delegates_become_topics_with_their_fields() -> None:
    task = (
        '<serviceTask id="s1" camunda:class="com.acme.MailDelegate"><extensionElements>'
        '<camunda:field name="template" stringValue="ack"/></extensionElements></serviceTask>'
    )
    report = check(diagram(linear(task)))
    assert report.status == "needs_attention"
    assert "com.acme.MailDelegate" in find(report, "java-implementation").message
    [call] = run(diagram(linear(task))).service_calls()
    assert (call.topic, call.properties["template"]) == ("com.acme.MailDelegate", "ack")


def test_scripts_in_other_languages() -> None:
    groovy = (
        '<scriptTask id="s1" scriptFormat="groovy"><script>execution.setVariable("score", 5);</script></scriptTask>'
    )
    workflow = run(diagram(linear(groovy, f'<userTask id="s2" {AGENT}/>')))
    assert workflow.variables()["score"] == 5
    javascript = '<scriptTask id="s1" scriptFormat="javascript"><script>var x = S(car).prop("p");</script></scriptTask>'
    assert find(check(diagram(linear(javascript))), "script-language").element_id == "s1"


def test_timer_without_time_reads_its_label() -> None:
    timer = '<intermediateCatchEvent id="s1" name="Timeout (7 days)"><timerEventDefinition/></intermediateCatchEvent>'
    report = check(diagram(linear(timer)))
    assert "P7D" in find(report, "timer-from-label").message
    [pending] = run(diagram(linear(timer))).timers()
    assert pending.due_at is not None and (pending.due_at.day, pending.due_at.month) == (30, 11)
    blank = check(diagram(linear('<intermediateCatchEvent id="s1"><timerEventDefinition/></intermediateCatchEvent>')))
    assert blank.status == "rejected" and find(blank, "timer-incomplete").element_id == "s1"


def test_nameless_and_dangling_messages() -> None:
    catch = (
        '<intermediateCatchEvent id="s1" name="Documents arrive"><messageEventDefinition {ref}/>'
        "</intermediateCatchEvent>"
    )
    report = check(diagram(linear(catch.format(ref=""))))
    assert "Documents arrive" in find(report, "message-added").message
    assert run(diagram(linear(catch.format(ref="")))).waiting_message_names() == {"Documents arrive"}
    dangling = check(diagram(linear(catch.format(ref='messageRef="nope"'))))
    assert dangling.status == "rejected" and find(dangling, "dangling-message").element_id == "s1"


def test_compensation_is_refused() -> None:
    report = check(
        diagram(linear('<intermediateThrowEvent id="s1"><compensateEventDefinition/></intermediateThrowEvent>'))
    )
    assert report.status == "rejected" and find(report, "compensation").element_id == "s1"


def test_a_descriptive_pool_beside_the_executable_one_is_left_out() -> None:
    other = (
        '<process id="customer" isExecutable="false"><startEvent id="c_start"/>'
        '<businessRuleTask id="c_rule"/><sequenceFlow id="c_f" sourceRef="c_start" targetRef="c_rule"/></process>'
    )
    text = diagram(linear(f'<userTask id="s1" {AGENT}/>'), after=other)
    report = check(text)
    assert report.status == "deployable" and "not-deployed" in codes(report, "info")
    assert etree.QName(load_xml(normalized(text).content).find("{*}process")).localname == "process"


def test_dmn_limits_of_python_tables_are_named() -> None:
    # Tables in the older Python dialect run on SpiffWorkflow's decision engine: one table per file.
    two = (
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="n" '
        'expressionLanguage="python">'
        '<decision id="one"><decisionTable id="t1" hitPolicy="PRIORITY"><input id="i"><inputExpression id="e">'
        '<text>x</text></inputExpression></input><output id="o" name="y"/></decisionTable></decision>'
        '<decision id="two"><literalExpression id="l"><text>1</text></literalExpression></decision></definitions>'
    )
    report = check(two, "rules.dmn")
    assert report.status == "rejected"
    assert find(report, "several-decisions").element_id == "two"
    assert find(report, "hit-policy").element_id == "t1"
    assert find(report, "not-a-decision-table").element_id == "two"


def test_a_feel_drg_with_literal_expressions_and_priority_tables_is_accepted() -> None:
    drg = (
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="n">'
        '<decision id="one"><decisionTable id="t1" hitPolicy="PRIORITY"><input id="i"><inputExpression id="e">'
        '<text>x</text></inputExpression></input><output id="o" name="y"/></decisionTable></decision>'
        '<decision id="two"><literalExpression id="l"><text>1</text></literalExpression></decision></definitions>'
    )
    assert check(drg, "rules.dmn").status != "rejected"


FEEL_TABLE = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="n">
  <decision id="size" name="Size">
    <decisionTable id="t" hitPolicy="FIRST">
      <input id="i1"><inputExpression id="e1" typeRef="number"><text>amount</text></inputExpression></input>
      <input id="i2"><inputExpression id="e2" typeRef="string"><text>channel</text></inputExpression></input>
      <output id="o" name="size" typeRef="string"/>
      <rule id="r1"><inputEntry id="a1"><text>[0..100]</text></inputEntry>
        <inputEntry id="b1"><text>-</text></inputEntry><outputEntry id="c1"><text>"small"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="a2"><text>]100..1000]</text></inputEntry>
        <inputEntry id="b2"><text>"email","web"</text></inputEntry>
        <outputEntry id="c2"><text>"medium online"</text></outputEntry></rule>
      <rule id="r3"><inputEntry id="a3"><text>]100..1000]</text></inputEntry>
        <inputEntry id="b3"><text>not("email","web")</text></inputEntry>
        <outputEntry id="c3"><text>"medium offline"</text></outputEntry></rule>
      <rule id="r4"><inputEntry id="a4"><text>&gt; 1000</text></inputEntry>
        <inputEntry id="b4"><text>-</text></inputEntry><outputEntry id="c4"><text>"large"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


def test_feel_tests_in_decision_tables_evaluate_right() -> None:
    from datetime import UTC, datetime

    from engine.bpmn.normalize.pipeline import blocking
    from engine.runtime.parser import parse_process
    from engine.runtime.serialization import ParsedDefinition
    from engine.runtime.workflow import WorkflowRun

    process = diagram(linear('<businessRuleTask id="s1" camunda:decisionRef="size"/>', f'<userTask id="s2" {AGENT}/>'))
    files = normalize_resources([Resource("p.bpmn", process), Resource("size.dmn", FEEL_TABLE)])
    # FEEL files are evaluated as they are, by the FEEL decision engine: no translation.
    assert not blocking(files) and files[1].resource.content == FEEL_TABLE
    spec, subprocesses = parse_process([f.resource for f in files], "p")
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    for amount, channel, expected in [(50, "phone", "small"), (500, "web", "medium online"),
                                      (500, "phone", "medium offline"), (5000, "email", "large")]:  # fmt: skip
        workflow = WorkflowRun.start(ParsedDefinition(spec, subprocesses), {"amount": amount, "channel": channel}, now)
        assert workflow.variables()["size"] == expected, (amount, channel)
    unreadable = check(FEEL_TABLE.replace("[0..100]", "between 0 and 100"), "size.dmn")
    assert unreadable.status == "rejected"
    problem = find(unreadable, "dmn-feel")
    assert problem.line == 8 and problem.element_id == "a1" and "between" in problem.message
