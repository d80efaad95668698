"""The stored state of parallel sub-process instances: deltas instead of data copies, reused task texts.

engine.runtime.state_text writes what SpiffWorkflow's own serializer writes, except that a sub-workflow's
root data and its workflow data are deltas. Expanded (decode_state), a state must equal SpiffWorkflow's
own serialization of the same workflow, at every step, and states written in the stock form must still load.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from engine.runtime.serialization import _SERIALIZER, decode_state
from engine.runtime.state_text import DATA_DELTA_KEY, ROOT_DATA_KEY, ROOT_FROM_CALLER
from engine.runtime.workflow import WorkflowRun
from tests.designer.helpers import diagram, run
from tests.engine.round_trip import assert_same_state

JOB = '<extensionElements><zeebe:taskDefinition type="work"/></extensionElements>'
LOOP = (
    '<multiInstanceLoopCharacteristics><extensionElements><zeebe:loopCharacteristics inputCollection="=items" '
    'inputElement="item"/></extensionElements></multiInstanceLoopCharacteristics>'
)
BRANCH = (
    f'<subProcess id="branch">{LOOP}<startEvent id="b_start"/><serviceTask id="first">{JOB}</serviceTask>'
    f'<serviceTask id="second">{JOB}</serviceTask><endEvent id="b_end"/>'
    '<sequenceFlow id="b1" sourceRef="b_start" targetRef="first"/>'
    '<sequenceFlow id="b2" sourceRef="first" targetRef="second"/>'
    '<sequenceFlow id="b3" sourceRef="second" targetRef="b_end"/></subProcess>'
)
PROCESS = diagram(
    '<startEvent id="start"/>'
    f'{BRANCH}<userTask id="after"/><endEvent id="end"/>'
    '<sequenceFlow id="f1" sourceRef="start" targetRef="branch"/>'
    '<sequenceFlow id="f2" sourceRef="branch" targetRef="after"/>'
    '<sequenceFlow id="f3" sourceRef="after" targetRef="end"/>'
)
PAYLOAD = {
    "items": [{"n": n} for n in range(4)],
    "dispute": {"positions": [{"name": f"vendor {n}", "amount": n * 10.5} for n in range(30)]},
}


def _stock(workflow_run: WorkflowRun) -> dict[str, Any]:
    """SpiffWorkflow's own serialization of the instance (every sub-workflow's data in full), as JSON values."""
    registry = _SERIALIZER.registry
    registry._encoder_mode = True
    try:
        state = _SERIALIZER.to_dict(workflow_run.workflow)
        state[_SERIALIZER.VERSION_KEY] = _SERIALIZER.VERSION
        result: dict[str, Any] = json.loads(json.dumps(state, cls=_SERIALIZER._encoder_cls))
    finally:
        registry._encoder_mode = False
    return result


def _raw(state: bytes) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(zlib.decompress(state))
    return result


def _finish_one_job(workflow_run: WorkflowRun) -> None:
    call = workflow_run.service_calls()[0]
    workflow_run.complete_service_call(call.task_id, {"note": f"done {call.element_id}"})
    assert workflow_run.incident is None, workflow_run.incident


def test_each_step_expands_to_spiffworkflows_own_serialization_without_storing_the_copies() -> None:
    workflow_run = run(PROCESS, PAYLOAD)
    steps = 0
    while workflow_run.service_calls():
        state = workflow_run.dump()
        assert decode_state(state) == _stock(workflow_run)
        branches = _raw(state)["subprocesses"].values()
        assert len(branches) == 4
        for branch in branches:
            # The caller's variables are not repeated: the root's delta holds only what differs (the item).
            assert branch[ROOT_DATA_KEY] == ROOT_FROM_CALLER
            root = branch["tasks"][branch["root"]]
            assert root["data"] == {} and "dispute" not in root["delta"]["updates"]
            assert "dispute" not in branch["data"] and DATA_DELTA_KEY in branch
        # The same run saved again (its texts reused) equals a from-scratch save of the restored run.
        again = WorkflowRun.restore(workflow_run.definition, state, workflow_run.now)
        assert _raw(again.dump()) == _raw(workflow_run.dump()) == _raw(state)
        _finish_one_job(workflow_run)
        steps += 1
    assert steps == 8
    assert [task.element_id for task in workflow_run.human_tasks()] == ["after"]
    assert decode_state(workflow_run.dump()) == _stock(workflow_run)


def test_a_state_in_spiffworkflows_own_form_loads_and_saves_in_the_new_form() -> None:
    workflow_run = run(PROCESS, PAYLOAD)
    _finish_one_job(workflow_run)
    stock = _stock(workflow_run)
    old = zlib.compress(json.dumps(stock, separators=(",", ":")).encode("utf-8"))
    restored = WorkflowRun.restore(workflow_run.definition, old, workflow_run.now)
    assert_same_state(restored, workflow_run)
    new = restored.dump()
    assert decode_state(new) == decode_state(old) == stock
    # The payload once (the top workflow's root) instead of once more per branch and per step that ran in it.
    assert zlib.decompress(new).count(b'"dispute":{') == 1 < zlib.decompress(old).count(b'"dispute":{')
    # And it runs on from there like the original.
    while restored.service_calls():
        _finish_one_job(restored)
        _finish_one_job(workflow_run)
    assert restored.variables() == workflow_run.variables()


def test_a_finished_task_changed_in_place_after_a_save_is_written_anew() -> None:
    """A finished task's data changed in place (Camunda 8 variable propagation does that) is written anew."""
    workflow_run = run(PROCESS, PAYLOAD)
    _finish_one_job(workflow_run)
    workflow_run.dump()
    finished = [
        task
        for branch in workflow_run.workflow.subprocesses.values()
        for task in branch.tasks.values()
        if task.task_spec.bpmn_id == "first" and task.state == 64  # COMPLETED
    ]
    assert finished
    finished[0].data["note"] = "changed after the save"  # same keys, same dict: only the value differs
    assert decode_state(workflow_run.dump()) == _stock(workflow_run)
