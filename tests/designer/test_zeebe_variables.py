"""Camunda 8 variable rules on small diagrams: mappings and their scopes, loops, FEEL checks, unsupported extensions."""

from __future__ import annotations

from tests.designer.helpers import check, codes, complete, diagram, find, linear, run

JOB = '<zeebe:taskDefinition type="work"/>'


def _job(task_id: str, extra: str = "") -> str:
    return f'<serviceTask id="{task_id}"><extensionElements>{JOB}{extra}</extensionElements></serviceTask>'


def _finish_jobs(workflow, results: dict[str, dict[str, object]] | None = None) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    seen = []
    while calls := workflow.service_calls():
        for call in calls:
            seen.append(dict(call.data))
            workflow.complete_service_call(call.task_id, (results or {}).get(call.element_id, {}))
            assert workflow.incident is None, workflow.incident
    return seen


def test_inputs_are_local_outputs_propagate_and_a_result_stays_local_with_outputs() -> None:
    mapping = ('<zeebe:ioMapping><zeebe:input source="=amount * 2" target="doubled"/>'
               '<zeebe:input source="=doubled + 1" target="note.size"/>'
               '<zeebe:output source="=receipt + &quot;!&quot;" target="confirmation"/></zeebe:ioMapping>')  # fmt: skip
    workflow = run(diagram(linear(_job("s1", mapping), _job("s2"))), {"amount": 5, "note": {"text": "keep"}})
    [first] = workflow.service_calls()
    assert (first.data["doubled"], first.data["note"]) == (10, {"text": "keep", "size": 11})
    workflow.complete_service_call(first.task_id, {"receipt": "R1"})
    [second] = workflow.service_calls()
    # The locals are gone (the shadowed context is back), the job's own result stayed local, the output is set.
    assert second.data == {"amount": 5, "note": {"text": "keep"}, "confirmation": "R1!"}


def test_parallel_loop_collects_output_elements_in_item_order() -> None:
    loop = ('<multiInstanceLoopCharacteristics><extensionElements><zeebe:loopCharacteristics '
            'inputCollection="=items" inputElement="item" outputCollection="results" '
            'outputElement="=item.n * 10"/></extensionElements></multiInstanceLoopCharacteristics>')  # fmt: skip
    task = f'<serviceTask id="s1"><extensionElements>{JOB}</extensionElements>{loop}</serviceTask>'
    workflow = run(diagram(linear(task, '<userTask id="s2"/>')), {"items": [{"n": 1}, {"n": 2}, {"n": 3}]})
    seen = _finish_jobs(workflow)
    assert sorted((data["item"]["n"], data["loopCounter"]) for data in seen) == [(1, 1), (2, 2), (3, 3)]
    data = workflow.variables()
    assert data["results"] == [10, 20, 30]
    assert "item" not in data and "loopCounter" not in data


def test_sequential_loop_runs_one_item_after_the_other() -> None:
    loop = ('<multiInstanceLoopCharacteristics isSequential="true"><extensionElements><zeebe:loopCharacteristics '
            'inputCollection="=[&quot;a&quot;, &quot;b&quot;]" inputElement="letter"/></extensionElements>'
            '</multiInstanceLoopCharacteristics>')  # fmt: skip
    task = f'<serviceTask id="s1"><extensionElements>{JOB}</extensionElements>{loop}</serviceTask>'
    workflow = run(diagram(linear(task, '<userTask id="s2"/>')))
    order = []
    while calls := workflow.service_calls():
        assert len(calls) == 1
        order.append(calls[0].data["letter"])
        workflow.complete_service_call(calls[0].task_id, {})
    assert order == ["a", "b"]


def test_a_loop_over_something_that_is_not_a_list_is_an_incident() -> None:
    loop = ('<multiInstanceLoopCharacteristics><extensionElements><zeebe:loopCharacteristics '
            'inputCollection="=count" inputElement="x"/></extensionElements>'
            "</multiInstanceLoopCharacteristics>")  # fmt: skip
    task = f'<serviceTask id="s1"><extensionElements>{JOB}</extensionElements>{loop}</serviceTask>'
    workflow = run(diagram(linear(task)), {"count": 3})
    assert workflow.incident is not None and "not a list" in workflow.incident.message


def test_feel_conditions_run_as_feel() -> None:
    flows = (
        '<startEvent id="start"/><exclusiveGateway id="g" default="f3"/>'
        '<userTask id="yes"/><userTask id="no"/><endEvent id="end1"/><endEvent id="end2"/>'
        '<sequenceFlow id="f1" sourceRef="start" targetRef="g"/>'
        '<sequenceFlow id="f2" sourceRef="g" targetRef="yes"><conditionExpression>'
        "=mean(scores.v) &gt; 0 and missing = null</conditionExpression></sequenceFlow>"
        '<sequenceFlow id="f3" sourceRef="g" targetRef="no"/>'
        '<sequenceFlow id="f4" sourceRef="yes" targetRef="end1"/>'
        '<sequenceFlow id="f5" sourceRef="no" targetRef="end2"/>'
    )
    assert [t.element_id for t in run(diagram(flows), {"scores": [{"v": 3}, {"v": -1}]}).human_tasks()] == ["yes"]
    assert [t.element_id for t in run(diagram(flows), {"scores": [{"v": -3}]}).human_tasks()] == ["no"]


def test_feel_syntax_errors_and_unsupported_extensions_are_errors_naming_the_element() -> None:
    broken = _job("s1", '<zeebe:ioMapping><zeebe:output source="=a +* b" target="c"/></zeebe:ioMapping>')
    report = check(diagram(linear(broken)))
    assert find(report, "feel-syntax").element_id == "s1"
    listener = _job("s1", '<zeebe:executionListeners><zeebe:executionListener eventType="start" type="x"/>'
                          "</zeebe:executionListeners>")  # fmt: skip
    assert "listeners-unsupported" in codes(check(diagram(linear(listener))), "error")
    unknown = _job("s1", '<zeebe:adHoc activeElementsCollection="=x"/>')
    assert find(check(diagram(linear(unknown))), "zeebe-unsupported").element_id == "s1"


def test_job_retries_other_than_a_whole_number_are_errors_naming_the_element() -> None:
    for retries in ("=attempts", "0", "two"):
        task = _job("s1").replace('type="work"', f'type="work" retries="{retries}"')
        assert find(check(diagram(linear(task))), "job-retries").element_id == "s1"
    workflow = run(diagram(linear(_job("s1").replace('type="work"', 'type="work" retries="5"'))))
    assert [call.retries for call in workflow.service_calls()] == [5]
    assert [call.retries for call in run(diagram(linear(_job("s1")))).service_calls()] == [3]  # Camunda's default


def _gateway(condition: str, default: bool = True) -> str:
    flag = ' default="f3"' if default else ""
    return diagram(
        f'<startEvent id="start"/><exclusiveGateway id="g"{flag}/>'
        '<userTask id="yes"/><userTask id="no"/><endEvent id="end1"/><endEvent id="end2"/>'
        '<sequenceFlow id="f1" sourceRef="start" targetRef="g"/>'
        f'<sequenceFlow id="f2" sourceRef="g" targetRef="yes"><conditionExpression>{condition}</conditionExpression>'
        '</sequenceFlow><sequenceFlow id="f3" sourceRef="g" targetRef="no">'
        + ("" if default else "<conditionExpression>=false</conditionExpression>")
        + '</sequenceFlow><sequenceFlow id="f4" sourceRef="yes" targetRef="end1"/>'
        '<sequenceFlow id="f5" sourceRef="no" targetRef="end2"/>'
    )


def test_a_condition_that_is_not_a_boolean_is_a_retryable_incident_not_the_default_flow() -> None:
    workflow = run(_gateway("=amount &gt; 100"))  # amount not set: FEEL gives null, Zeebe an incident
    assert workflow.incident is not None and workflow.incident.element_id == "g"
    assert "null" in workflow.incident.message and workflow.human_tasks() == []
    workflow.retry({"amount": 500})  # the cockpit's retry with a corrected variable
    assert workflow.incident is None and [t.element_id for t in workflow.human_tasks()] == ["yes"]
    number = run(_gateway("=amount"), {"amount": 3})
    assert number.incident is not None and "number" in number.incident.message and number.human_tasks() == []
    assert [t.element_id for t in run(_gateway("=amount &gt; 100"), {"amount": 5}).human_tasks()] == ["no"]


def test_no_true_condition_and_no_default_flow_is_an_incident() -> None:
    workflow = run(_gateway("=amount &gt; 100", default=False), {"amount": 5})
    assert workflow.incident is not None and workflow.incident.element_id == "g" and workflow.human_tasks() == []
    workflow.retry({"amount": 500})
    assert [t.element_id for t in workflow.human_tasks()] == ["yes"]


def test_user_task_attributes_assignment_schedule_priority_and_properties() -> None:
    task = (
        '<userTask id="s1"><extensionElements><zeebe:userTask/><zeebe:assignmentDefinition assignee="=owner" '
        'candidateUsers="anna, ben"/><zeebe:taskSchedule dueDate="=due"/><zeebe:priorityDefinition priority="80"/>'
        '<zeebe:properties><zeebe:property name="excludedUsers" value="carl"/></zeebe:properties>'
        "</extensionElements></userTask>"
    )
    report = check(diagram(linear(task)))
    assert not codes(report, "error") and "zeebe-dropped" in codes(report, "info")  # zeebe:userTask: no effect
    [ready] = run(diagram(linear(task)), {"owner": "anna", "due": "2026-12-01T12:00:00Z"}).human_tasks()
    assert (ready.assignee, ready.candidate_users, ready.due) == ("anna", ("anna", "ben"), "2026-12-01T12:00:00Z")
    assert (ready.priority, ready.excluded_users) == ("80", ("carl",))
    follow_up = task.replace('dueDate="=due"', 'dueDate="=due" followUpDate="=due"')
    assert find(check(diagram(linear(follow_up))), "follow-up-date").element_id == "s1"


def test_mappings_on_a_user_task_and_a_message_catch_event() -> None:
    mapping = ('<zeebe:ioMapping><zeebe:input source="=amount * 2" target="proposal"/>'
               '<zeebe:output source="=decision" target="result"/></zeebe:ioMapping>')  # fmt: skip
    catch = (
        '<intermediateCatchEvent id="s2"><extensionElements><zeebe:ioMapping><zeebe:output source="=text" '
        'target="answer"/></zeebe:ioMapping></extensionElements><messageEventDefinition messageRef="m"/>'
        "</intermediateCatchEvent>"
    )
    text = diagram(
        linear(
            f'<userTask id="s1"><extensionElements>{mapping}</extensionElements></userTask>',
            catch,
            '<userTask id="s3"/>',
        ),
        after='<message id="m" name="reply"/>',
    )
    workflow = run(text, {"amount": 5})
    [task] = workflow.human_tasks()
    assert workflow.variables()["proposal"] == 10  # the input is the task's local, seen by its form
    complete(workflow, "s1", {"decision": "refund"})
    data = workflow.variables()
    # The form's value stayed local to the task (it has output mappings); the output and no local remain.
    assert (data.get("result"), "decision" in data, "proposal" in data) == ("refund", False, False)
    workflow.send_message("reply", {"text": "thanks", "extra": 1})
    data = workflow.variables()
    assert (data["answer"], "text" in data, "extra" in data) == ("thanks", False, False)


def test_script_tasks_and_message_throw_and_end_events_with_a_job_wait_for_a_worker() -> None:
    definition = '<extensionElements><zeebe:taskDefinition type="send"/></extensionElements>'
    steps = {
        "scriptTask": f'<scriptTask id="s1">{definition}</scriptTask>',
        "intermediateThrowEvent": f'<intermediateThrowEvent id="s1">{definition}<messageEventDefinition/>'
        "</intermediateThrowEvent>",
        "sendTask": f'<sendTask id="s1">{definition}</sendTask>',
    }
    for kind, step in steps.items():
        workflow = run(diagram(linear(step, '<userTask id="s2"/>')))
        [call] = workflow.service_calls()  # a job, not a script run or a message thrown into nowhere
        assert (call.topic, call.element_id, workflow.human_tasks()) == ("send", "s1", []), kind
        workflow.complete_service_call(call.task_id, {})
        assert [task.element_id for task in workflow.human_tasks()] == ["s2"], kind
    end = diagram(
        f'<startEvent id="start"/><endEvent id="done">{definition}<messageEventDefinition/></endEvent>'
        '<sequenceFlow id="f1" sourceRef="start" targetRef="done"/>'
    )
    workflow = run(end)
    [call] = workflow.service_calls()
    assert call.element_id == "done" and not workflow.snapshot().completed  # the end waits for its job
    workflow.complete_service_call(call.task_id, {})
    assert workflow.snapshot().completed


def test_a_feel_script_task_runs_its_expression_as_feel() -> None:
    script = (
        '<scriptTask id="s1"><extensionElements><zeebe:script expression="=if amount &gt; 100 then &quot;high&quot; '
        'else amount + missing" resultVariable="level"/></extensionElements></scriptTask>'
    )
    text = diagram(linear(script, '<userTask id="s2"/>'))
    assert run(text, {"amount": 500}).variables()["level"] == "high"
    assert run(text, {"amount": 5}).variables()["level"] is None  # FEEL: a number plus null is null, no error
    broken = script.replace("=if amount", "=if (amount")
    assert find(check(diagram(linear(broken))), "script-untranslatable").element_id == "s1"


def test_a_jobs_extension_properties_are_no_custom_headers() -> None:
    extra = '<zeebe:taskHeaders><zeebe:header key="template" value="ack"/></zeebe:taskHeaders>'
    extra += '<zeebe:properties><zeebe:property name="owner" value="billing team"/></zeebe:properties>'
    [call] = run(diagram(linear(_job("s1", extra)))).service_calls()
    assert call.properties == {"template": "ack"}  # the worker's customHeaders: the task headers only
