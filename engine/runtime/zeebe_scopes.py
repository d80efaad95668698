"""Camunda 8 variable scopes on SpiffWorkflow's per-token data.

SpiffWorkflow copies the data along each token; Camunda 8 has scopes: an element's input mappings create
local variables that vanish when it completes, its output mappings are evaluated in its scope and
propagated outwards, and with output mappings a job's or decision's own result stays local. Each task of
an element with such rules gets these hooks (the spec's class is extended once, at parse time):

* entering (before a job is offered, a sub-process or called process starts): the multi-instance item,
  ``loopCounter`` and output element become locals, then each input mapping in order (a later one can read
  an earlier one's target); the shadowed values are kept in the task's internal data;
* leaving: outputs are evaluated over everything the element sees, the locals are dropped (shadowed values
  come back), with output mappings the variables the element created are dropped too, then the outputs are
  set. A multi-instance inner instance also evaluates its output element here for the body to collect.
"""

from __future__ import annotations

from copy import copy, deepcopy
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask

from engine.bpmn.feel_runtime import evaluate_feel, feel_source
from engine.bpmn.zeebe_elements import ZeebeElement

SCOPE_KEY = "zeebe_scope"
ITEM_KEY = "zeebe_item"
OUTPUT_KEY = "zeebe_output"


def _evaluate(task: Any, what: str, source: str, data: dict[str, Any]) -> Any:
    try:
        return evaluate_feel(source, data)
    except Exception as error:  # a FEEL parse error slipped past the check: an incident on the element
        raise WorkflowTaskException(f"the {what} {source!r} cannot be evaluated: {error}", task=task) from None


def set_path(data: dict[str, Any], target: str, value: Any) -> None:
    """``a.b.c`` sets a nested entry, creating or copying the contexts on the way (as Camunda does)."""
    first, *rest = target.split(".")
    if not rest:
        data[first] = value
        return
    current = data.get(first)
    root = dict(current) if isinstance(current, dict) else {}
    data[first] = root
    for part in rest[:-1]:
        nested = root.get(part)
        root[part] = dict(nested) if isinstance(nested, dict) else {}
        root = root[part]
    root[rest[-1]] = value


def output_element_name(element: ZeebeElement) -> str | None:
    """The variable an output element names (``=x`` or ``=x.y``): Camunda makes it a local (null) first."""
    loop = element.loop
    if loop is None or not loop.output_element:
        return None
    source = feel_source(loop.output_element)
    first = source.split(".")[0]
    return first if first.isidentifier() and first != loop.input_element else None


def enter(spec: Any, task: Any) -> None:
    """Create the element's locals in its task's data (once per task)."""
    if SCOPE_KEY in task.internal_data:
        return
    element: ZeebeElement = spec.zeebe
    data = task.data
    shadowed: dict[str, list[Any]] = {}

    def local(name: str) -> None:
        if name not in shadowed:
            shadowed[name] = [name in data, data.get(name)]

    item = task.internal_data.get(ITEM_KEY)
    if item is not None and element.loop is not None:
        local("loopCounter")
        data["loopCounter"] = item["index"] + 1
        if element.loop.input_element:
            local(element.loop.input_element)
            data[element.loop.input_element] = deepcopy(item["item"])
        output_name = output_element_name(element)
        if output_name:
            local(output_name)
            data[output_name] = None
    for target, source in element.inputs:
        value = _evaluate(task, f"input mapping to {target!r}", source, data)
        local(target.split(".")[0])
        set_path(data, target, value)
    keys = sorted(data) if element.outputs else None
    task.internal_data[SCOPE_KEY] = {"shadowed": shadowed, "keys": keys}


def leave(spec: Any, task: Any) -> None:
    """Evaluate the outputs, drop the locals (and with outputs what the element created), set the outputs."""
    element: ZeebeElement = spec.zeebe
    state = task.internal_data.pop(SCOPE_KEY, None) or {"shadowed": {}, "keys": None}
    data = task.data
    values = [(t, _evaluate(task, f"output mapping to {t!r}", s, data)) for t, s in element.outputs]
    if ITEM_KEY in task.internal_data and element.loop is not None and element.loop.output_element:
        task.internal_data[OUTPUT_KEY] = _evaluate(task, "output element", element.loop.output_element, data)
    if state["keys"] is not None:
        before = set(state["keys"])
        for name in [name for name in data if name not in before]:
            del data[name]
    for name, (had, old) in state["shadowed"].items():
        if had:
            data[name] = old
        else:
            data.pop(name, None)
    for target, value in values:
        set_path(data, target, value)


class ZeebeScoped:
    """Mixin for any task spec whose element has Camunda 8 variable rules (``self.zeebe``)."""

    zeebe: ZeebeElement

    def _update_hook(self, my_task: Any) -> Any:
        if isinstance(self, SubWorkflowTask):
            return super()._update_hook(my_task)  # type: ignore[misc]  # copy_data enters the scope
        result = super()._update_hook(my_task)  # type: ignore[misc]
        enter(self, my_task)
        return result

    def _on_complete_hook(self, my_task: Any) -> None:
        leave(self, my_task)
        super()._on_complete_hook(my_task)  # type: ignore[misc]

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        enter(self, my_task)
        if self.zeebe.propagate_parent:
            super().copy_data(my_task, subworkflow)  # type: ignore[misc]
            return
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True, spec_name="Start")
        names = self.zeebe.local_names
        start.set_data(**deepcopy({name: my_task.data[name] for name in names if name in my_task.data}))

    def update_data(self, my_task: Any, subworkflow: Any) -> None:
        if not self.zeebe.is_call:
            super().update_data(my_task, subworkflow)  # type: ignore[misc]
            return
        # A called process: its variables come back when propagateAllChildVariables (default) says so,
        # and are visible to the output mappings either way (with outputs they stay local, see leave()).
        if self.zeebe.propagate_child or self.zeebe.outputs:
            my_task.data.update(deepcopy(subworkflow.last_task.data))


_SCOPED: dict[type, type] = {}


def scoped_class(cls: type) -> type:
    """The spec class extended with the scope hooks (one class per original class)."""
    if cls not in _SCOPED:
        _SCOPED[cls] = type(cls.__name__, (ZeebeScoped, cls), {"__module__": cls.__module__})
    return _SCOPED[cls]


def make_scoped(spec: Any, element: ZeebeElement) -> None:
    """Give one task spec its element's rules."""
    if not isinstance(spec, ZeebeScoped):
        spec.__class__ = scoped_class(type(spec))
    spec.zeebe = element


def without_enclosing_locals(task: Any) -> dict[str, Any]:
    """A copy of the task's data without the locals of the scopes around it (sub-processes, inner instances).

    An escalation or error thrown inside a scope carries the thrower's data to the catching boundary event;
    the scope's locals end with the scope in Camunda, so they must not ride along. The catcher's own data
    still has the values outside (a shadowed variable keeps its outer value there).
    """
    data = deepcopy(task.data)
    workflow = task.workflow
    while getattr(workflow, "parent_workflow", None) is not None:
        parent = workflow.parent_workflow.get_task_from_id(workflow.parent_task_id)
        if parent is None:
            break
        for name in (parent.internal_data.get(SCOPE_KEY) or {}).get("shadowed", {}):
            data.pop(name, None)
        workflow = parent.workflow
    return data


class ScopedThrow:
    """Mixin for escalation and error definitions thrown in a Camunda 8 model (see without_enclosing_locals)."""

    _plain: type

    def throw(self, my_task: Any) -> None:
        # Catchers compare definitions by exact class: the event carries a copy of the original class.
        definition = copy(self)
        definition.__class__ = self._plain
        event = BpmnEvent(definition, payload=without_enclosing_locals(my_task))
        my_task.workflow.top_workflow.catch(event)


_THROWS: dict[type, type] = {}


def make_scoped_throw(definition: Any) -> None:
    cls = type(definition)
    if cls not in _THROWS:
        _THROWS[cls] = type(cls.__name__, (ScopedThrow, cls), {"__module__": cls.__module__, "_plain": cls})
    definition.__class__ = _THROWS[cls]
