"""Camunda 8 multi-instance bodies (``zeebe:loopCharacteristics``), parallel and sequential.

The body evaluates ``inputCollection`` (FEEL) once when it is entered and creates one inner instance per
item (all at once, or the next when one completes). Each inner instance has the item as ``inputElement``,
``loopCounter`` (1-based) and the output element's variable as locals (see zeebe_scopes). When an inner
instance completes, the body collects its ``outputElement`` at the item's position in ``outputCollection``
and takes over the variables it changed (Camunda's inner instances write to the shared process scope); the
optional ``completionCondition`` (FEEL) ends the body early, cancelling the instances still running.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.bpmn_task_spec import BpmnTaskSpec
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import CodeEventDefinition
from SpiffWorkflow.bpmn.specs.mixins import BpmnSpecMixin
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import IntermediateThrowEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.feel_runtime import evaluate_feel
from engine.bpmn.zeebe_elements import ZeebeElement
from engine.runtime.zeebe_scopes import ITEM_KEY, OUTPUT_KEY, make_scoped, make_scoped_throw, output_element_name

_BODY = "zeebe_body"
_MISSING = object()


class ZeebeMultiInstance(LoopTask, BpmnSpecMixin):
    """The multi-instance body; ``task_spec`` names the inner activity's spec, ``zeebe`` its rules."""

    zeebe: ZeebeElement

    def _update_hook(self, my_task: Any) -> Any:
        BpmnTaskSpec._update_hook(self, my_task)
        loop = self.zeebe.loop
        assert loop is not None  # only specs with a loop get this class
        try:
            items = evaluate_feel(loop.input_collection, my_task.data)
        except Exception as error:
            raise WorkflowTaskException(f"the input collection {loop.input_collection!r}: {error}", my_task) from None
        if not isinstance(items, list):
            raise WorkflowTaskException(
                f"the input collection {loop.input_collection!r} gives {type(items).__name__}, not a list",
                task=my_task,
            )
        my_task.internal_data["merged"] = []
        my_task.internal_data[_BODY] = {"count": len(items), "outputs": [None] * len(items), "next": 0}
        if not items:
            self._finish(my_task)
            return True
        if loop.sequential:
            my_task.internal_data[_BODY]["items"] = items
            self._create(my_task, items[0], 0)
            my_task.internal_data[_BODY]["next"] = 1
        else:
            for index, item in enumerate(items):
                self._create(my_task, item, index)
            my_task.internal_data[_BODY]["next"] = len(items)
        my_task._set_state(TaskState.STARTED)
        return None

    def _create(self, my_task: Any, item: Any, index: int) -> None:
        inner = my_task.workflow.spec.task_specs[self.task_spec]
        if not inner.completed_event.is_connected(self.merge_child):
            inner.completed_event.connect(self.merge_child)
        child = my_task._add_child(inner, TaskState.WAITING)
        child.triggered = True
        child.internal_data[ITEM_KEY] = {"index": index, "item": item}
        child.task_spec._update(child)

    def merge_child(self, workflow: Any, child: Any) -> None:
        my_task = child.parent
        body = my_task.internal_data.get(_BODY)
        if body is None or ITEM_KEY not in child.internal_data:
            return
        index = child.internal_data[ITEM_KEY]["index"]
        body["outputs"][index] = child.internal_data.pop(OUTPUT_KEY, None)
        self._take_over(my_task, child)
        my_task.internal_data["merged"].append(str(child.id))
        loop = self.zeebe.loop
        assert loop is not None
        if loop.completion_condition and evaluate_feel(loop.completion_condition, child.data) is True:
            for other in self._instances(my_task):
                if not other.has_state(TaskState.FINISHED_MASK):
                    other.cancel()
            self._finish(my_task)
        elif len(my_task.internal_data["merged"]) >= body["count"]:
            self._finish(my_task)
        elif loop.sequential:
            position = body["next"]
            body["next"] = position + 1
            self._create(my_task, body["items"][position], position)

    def _take_over(self, my_task: Any, child: Any) -> None:
        """Variables the inner instance set or changed become the body's (the locals are gone already)."""
        skip = {"loopCounter", self.zeebe.loop.input_element if self.zeebe.loop else None}
        skip.add(output_element_name(self.zeebe))
        data = my_task.data
        for name, value in child.data.items():
            if name not in skip and data.get(name, _MISSING) != value:
                data[name] = value

    def _finish(self, my_task: Any) -> None:
        body = my_task.internal_data.pop(_BODY, None) or {"outputs": []}
        loop = self.zeebe.loop
        if loop is not None and loop.output_collection:
            my_task.data[loop.output_collection] = body["outputs"]
        if my_task.state == TaskState.STARTED:
            my_task._set_state(TaskState.READY)


def make_multi_instance(spec: Any, element: ZeebeElement) -> None:
    """Turn a parsed multi-instance body into a Camunda 8 one."""
    spec.__class__ = ZeebeMultiInstance
    spec.zeebe = element


def apply_zeebe_rules(specs: list[Any], elements: dict[tuple[str, str], ZeebeElement]) -> None:
    """Give the parsed specs of a deployment their elements' Camunda 8 variable rules (in place, once)."""
    if not elements:
        return
    for spec in specs:
        for task_spec in list(spec.task_specs.values()):
            definition = getattr(task_spec, "event_definition", None)
            if isinstance(definition, CodeEventDefinition) and isinstance(
                task_spec, (EndEvent, IntermediateThrowEvent)
            ):
                make_scoped_throw(definition)
            element = elements.get((spec.name, getattr(task_spec, "bpmn_id", None) or ""))
            if element is None or task_spec.name.endswith(" [child]"):
                continue
            inner_name = getattr(task_spec, "task_spec", None)
            if element.loop is not None and isinstance(inner_name, str) and inner_name in spec.task_specs:
                make_multi_instance(task_spec, element)
                make_scoped(spec.task_specs[inner_name], element)
            elif element.inputs or element.outputs or element.is_call:
                make_scoped(task_spec, element)
