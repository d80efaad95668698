"""Camunda 8 variable scopes across tokens: parallel branches, multi-instance bodies, sub-processes, calls.

In Zeebe a variable an element sets goes to the nearest scope with a local of that name, else to the
process instance, and every token in that scope sees it at once; SpiffWorkflow alone copies the data per
token and deep-merges the copies at the join (engine.runtime.zeebe_shared).
"""

from __future__ import annotations

from typing import Any

from tests.designer.helpers import diagram, run


def _job(task_id: str, job_type: str = "work", extra: str = "", body: str = "") -> str:
    return (
        f'<serviceTask id="{task_id}"><extensionElements><zeebe:taskDefinition type="{job_type}"/>{extra}'
        f"</extensionElements>{body}</serviceTask>"
    )


def _flows(*pairs: tuple[str, str]) -> str:
    return "".join(f'<sequenceFlow id="f_{a}_{b}" sourceRef="{a}" targetRef="{b}"/>' for a, b in pairs)


PARALLEL = diagram(
    '<startEvent id="start"/><parallelGateway id="fork"/><parallelGateway id="join"/>'
    + _job("a")
    + _job("b")
    + '<userTask id="after"/><endEvent id="end"/>'
    + _flows(("start", "fork"), ("fork", "a"), ("fork", "b"), ("a", "join"), ("b", "join"), ("join", "after"))
    + _flows(("after", "end"))
)


def _calls(workflow: Any) -> dict[str, Any]:
    return {call.element_id: call for call in workflow.service_calls()}


def _complete(workflow: Any, element_id: str, result: dict[str, Any]) -> None:
    workflow.complete_service_call(_calls(workflow)[element_id].task_id, result)
    assert workflow.incident is None, workflow.incident


def test_a_variable_set_on_one_branch_is_seen_by_the_other_at_once_and_after_the_join() -> None:
    for first, second in (("a", "b"), ("b", "a")):
        workflow = run(PARALLEL, {"x": 0, "cfg": {"level": {"old": 1}}})
        _complete(workflow, first, {"x": 1, "cfg": {"level": {"new": 2}}, f"from_{first}": True})
        # The other branch's job, still waiting, has the new values (Zeebe: the process scope, shared).
        waiting = _calls(workflow)[second].data
        assert (waiting["x"], waiting["cfg"], waiting[f"from_{first}"]) == (1, {"level": {"new": 2}}, True)
        _complete(workflow, second, {f"from_{second}": True})
        data = workflow.variables()
        # The branch that did not touch x or cfg arrives with their new values, not its stale copy; the
        # nested context is the one set, not a deep merge of old and new.
        assert (data["x"], data["cfg"], data["from_a"], data["from_b"]) == (1, {"level": {"new": 2}}, True, True)
        assert [task.element_id for task in workflow.human_tasks()] == ["after"]


def test_multi_instance_items_are_local_and_other_variables_reach_the_other_instances() -> None:
    loop = (
        '<multiInstanceLoopCharacteristics><extensionElements><zeebe:loopCharacteristics inputCollection="=items" '
        'inputElement="item" outputCollection="results" outputElement="=item * 10"/></extensionElements>'
        "</multiInstanceLoopCharacteristics>"
    )
    text = diagram(
        '<startEvent id="start"/>' + _job("each", body=loop) + '<userTask id="after"/><endEvent id="end"/>'
        + _flows(("start", "each"), ("each", "after"), ("after", "end"))
    )  # fmt: skip
    workflow = run(text, {"items": [1, 2, 3], "item": "outer"})
    first, second, third = sorted(workflow.service_calls(), key=lambda call: call.data["loopCounter"])
    assert [call.data["item"] for call in (first, second, third)] == [1, 2, 3]
    workflow.complete_service_call(first.task_id, {"seen": "one"})
    others = {call.data["item"]: call.data for call in workflow.service_calls()}
    # The other inner instances see what the first set; their own item and loopCounter stay theirs.
    seen = {item: (data["seen"], data["loopCounter"]) for item, data in others.items()}
    assert seen == {2: ("one", 2), 3: ("one", 3)}
    for call in workflow.service_calls():
        workflow.complete_service_call(call.task_id, {"seen": f"item {call.data['item']}"})
    data = workflow.variables()
    assert data["results"] == [10, 20, 30] and data["item"] == "outer" and "loopCounter" not in data
    assert data["seen"] == "item 3"


SUBPROCESS = diagram(
    '<startEvent id="start"/><parallelGateway id="fork"/><parallelGateway id="join"/>'
    '<subProcess id="sub"><extensionElements><zeebe:ioMapping><zeebe:input source="=&quot;inside&quot;" '
    'target="where"/></zeebe:ioMapping></extensionElements><startEvent id="sub_start"/>'
    + _job("inner")
    + '<endEvent id="sub_end"/>'
    + _flows(("sub_start", "inner"), ("inner", "sub_end"))
    + "</subProcess>"
    + _job("outer")
    + '<userTask id="after"/><endEvent id="end"/>'
    + _flows(("start", "fork"), ("fork", "sub"), ("fork", "outer"), ("sub", "join"), ("outer", "join"))
    + _flows(("join", "after"), ("after", "end"))
)


def test_a_sub_process_writes_to_its_local_and_everything_else_to_the_process() -> None:
    workflow = run(SUBPROCESS, {"where": "process"})
    calls = _calls(workflow)
    assert (calls["inner"].data["where"], calls["outer"].data["where"]) == ("inside", "process")
    _complete(workflow, "inner", {"where": "changed inside", "found": 42})
    # The sub-process's local took the change; the new variable reached the process (the other branch).
    assert (_calls(workflow)["outer"].data["where"], _calls(workflow)["outer"].data["found"]) == ("process", 42)
    _complete(workflow, "outer", {"where": "changed outside"})
    data = workflow.variables()
    assert (data["where"], data["found"]) == ("changed outside", 42)


def test_a_change_outside_reaches_a_sub_process_but_not_over_its_local() -> None:
    workflow = run(SUBPROCESS, {"where": "process"})
    _complete(workflow, "outer", {"where": "new outside", "flag": True})
    inner = _calls(workflow)["inner"].data
    assert (inner["where"], inner["flag"]) == ("inside", True)  # the local shadows, the rest arrives
    _complete(workflow, "inner", {})
    assert workflow.variables()["where"] == "new outside"  # the shadowed outer value came back, the newest


CALLED = (
    '<process id="child" isExecutable="true"><startEvent id="c_start"/>'
    + _job("child_job")
    + '<userTask id="c_wait"/><endEvent id="c_end"/>'
    + _flows(("c_start", "child_job"), ("child_job", "c_wait"), ("c_wait", "c_end"))
    + "</process>"
)


def _calling(propagate_child: str) -> str:
    call = (
        '<callActivity id="call" calledElement="child"><extensionElements><zeebe:calledElement processId="child" '
        f'propagateAllChildVariables="{propagate_child}"/></extensionElements></callActivity>'
    )
    return diagram(
        '<startEvent id="start"/><parallelGateway id="fork"/><parallelGateway id="join"/>'
        + call
        + _job("outer")
        + '<userTask id="after"/><endEvent id="end"/>'
        + _flows(("start", "fork"), ("fork", "call"), ("fork", "outer"), ("call", "join"), ("outer", "join"))
        + _flows(("join", "after"), ("after", "end")),
        after=CALLED,
    )


def test_a_called_process_is_its_own_scope_until_it_ends() -> None:
    for propagate, expected in (("true", "from child"), ("false", None)):
        workflow = run(_calling(propagate))
        _complete(workflow, "child_job", {"note": "from child"})
        assert "note" not in _calls(workflow)["outer"].data  # the child's variables stay in the child
        [wait] = workflow.human_tasks()
        workflow.complete_task(wait.task_id, {})
        # The call ended: its variables come back (propagateAllChildVariables) to every token at once.
        assert _calls(workflow)["outer"].data.get("note") == expected
        _complete(workflow, "outer", {"outer_done": True})
        data = workflow.variables()
        assert data.get("note") == expected and data["outer_done"] is True


def test_a_called_process_without_the_parents_variables_sees_only_its_input_mappings() -> None:
    call = (
        '<callActivity id="call" calledElement="child"><extensionElements><zeebe:calledElement processId="child" '
        'propagateAllParentVariables="false"/><zeebe:ioMapping><zeebe:input source="=amount * 2" target="doubled"/>'
        "</zeebe:ioMapping></extensionElements></callActivity>"
    )
    text = diagram(
        '<startEvent id="start"/>' + call + '<userTask id="after"/><endEvent id="end"/>'
        + _flows(("start", "call"), ("call", "after"), ("after", "end")),
        after=CALLED,
    )  # fmt: skip
    workflow = run(text, {"amount": 4, "secret": "parent only"})
    assert _calls(workflow)["child_job"].data == {"doubled": 8}
    _complete(workflow, "child_job", {"paid": True})
    [wait] = workflow.human_tasks()
    workflow.complete_task(wait.task_id, {})
    data = workflow.variables()
    # The child's variables came back (propagateAllChildVariables defaults to true), its input stayed local.
    assert (data["paid"], data["secret"], "doubled" in data) == (True, "parent only", False)
