"""Serializer configuration and the spec/instance split.

The spec is stored once per process version (as its XML); each instance row holds only the
instance part of SpiffWorkflow's serialization, compact JSON compressed with zlib. On load the spec
objects come from an in-process cache keyed by the version id, which also skips re-parsing.
"""

from __future__ import annotations

import json
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from threading import Lock
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import SubWorkflowConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    TaskConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.serializer.event_definition import MessageEventDefinitionConverter
from SpiffWorkflow.task import Task

from engine.runtime.calls import BoundCallActivity, CalledProcesses, CallingWorkflow
from engine.runtime.decisions import DecisionTask, DecisionTaskConverter
from engine.runtime.messages import MergingMessageEventDefinition
from engine.runtime.state_text import StateWriter, expand_state, restore_root_data, restore_workflow_data


# The parser flavour (ComplaintflowParser, a CamundaParser) and this config belong together.
class InstanceOnlyWorkflowConverter(BpmnWorkflowConverter):
    """Serializes a workflow without its specs, which are stored once per process version.

    The stock converter turns the whole spec into a dict on every save, only for us to drop it again:
    that was most of the cost of saving a small instance.
    """

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct.update(self.top_fields(workflow))
        return dct

    def top_fields(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        """The fields a top workflow has beyond those of every workflow (tasks and sub-workflows aside)."""
        dct = {"bpmn_events": self.registry.convert(workflow.bpmn_events)}
        bound = workflow.bound_versions() if isinstance(workflow, CallingWorkflow) else {}
        if bound:  # absent otherwise: states written before call-time binding look the same
            dct["called_versions"] = {str(task_id): key for task_id, key in sorted(bound.items(), key=str)}
        return dct

    def from_dict(self, dct: dict[str, Any]) -> CallingWorkflow:
        """BpmnWorkflowConverter.from_dict, building a CallingWorkflow that knows its bound calls first."""
        spec = self.registry.restore(dct.pop("spec"))
        subprocess_specs = self.mapping_from_dict(dct.pop("subprocess_specs", {}))
        workflow = CallingWorkflow(spec, subprocess_specs, deserializing=True, calls=dct.pop("calls", None))
        for task_id, key in dct.pop("called_versions", {}).items():
            workflow.bind(UUID(task_id), key)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class ScopedSubWorkflowConverter(BpmnSubWorkflowConverter):
    """A sub-workflow's spec comes from its scope: the called version it runs, else its caller's copy.

    Its data and its root task's data may be stored as deltas (engine.runtime.state_text).
    """

    def from_dict(self, dct: dict[str, Any], task: Any, top_workflow: Any) -> BpmnSubWorkflow:
        if isinstance(top_workflow, CallingWorkflow):
            spec = top_workflow.spec_for(task)
        else:
            spec = top_workflow.subprocess_specs.get(task.task_spec.spec)
        subprocess = self.target_class(spec, task.id, top_workflow, deserializing=True)
        tasks = {}
        for key, value in dct["tasks"].items():
            delta = value.get("delta")
            restored = self.registry.restore(value, workflow=subprocess)
            if key == dct["root"]:  # before its children: their data is a delta to the root's
                restore_root_data(dct, restored, delta, task, self.registry.restore)
            tasks[UUID(key)] = restored
        subprocess.tasks = tasks
        subprocess.task_tree = subprocess.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(subprocess, dct)
        restore_workflow_data(dct, subprocess, self.registry.restore)
        return subprocess  # type: ignore[no-any-return]


class StableTaskConverter(TaskConverter):
    """Task converter whose output does not depend on the order of keys in the parent's data.

    A task stores its data as a delta to its parent; the deleted keys come out in the parent's key order,
    which differs after a restore (restored data is rebuilt with updates appended). Sorted, the same
    state always serializes the same way (an escalation branch that drops variables showed it).
    """

    def to_dict(self, task: Task) -> dict[str, Any]:
        dct: dict[str, Any] = super().to_dict(task)
        if dct.get("delta", {}).get("deletions"):
            dct["delta"]["deletions"] = sorted(dct["delta"]["deletions"], key=str)
        # Camunda 8 scopes drop and restore locals, which moves keys to the end of a task's data; restored,
        # the same data comes back in the parent's order. Sorted updates serialize the same either way.
        updates = dct.get("delta", {}).get("updates")
        if isinstance(updates, dict) and len(updates) > 1:
            dct["delta"]["updates"] = {key: updates[key] for key in sorted(updates, key=str)}
        return dct


_CONFIG = dict(CAMUNDA_CONFIG)
_CONFIG[Task] = StableTaskConverter
_CONFIG[MergingMessageEventDefinition] = MessageEventDefinitionConverter
_CONFIG[BpmnWorkflow] = InstanceOnlyWorkflowConverter
_CONFIG[BpmnSubWorkflow] = ScopedSubWorkflowConverter
_CONFIG[DecisionTask] = DecisionTaskConverter
_CONFIG[BoundCallActivity] = SubWorkflowConverter
_REGISTRY = BpmnWorkflowSerializer.configure(_CONFIG)
# Stored states name the workflow "BpmnWorkflow"; they come back as CallingWorkflows (registered last).
_TOP_CONVERTER = InstanceOnlyWorkflowConverter(CallingWorkflow, _REGISTRY, typename="BpmnWorkflow")
_SERIALIZER = BpmnWorkflowSerializer(_REGISTRY)
SERIALIZER_VERSION = _SERIALIZER.VERSION


def _event_kinds(specs: list[Any]) -> set[str]:
    kinds = set()
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, ServiceTask):
                kinds.add("service")
            definition = getattr(task_spec, "event_definition", None)
            children = getattr(definition, "event_definitions", None) or [definition]
            for child in children:
                if isinstance(child, TimerEventDefinition):
                    kinds.add("timer")
                elif isinstance(child, MessageEventDefinition):
                    kinds.add("message")
    return kinds


@dataclass(frozen=True)
class ParsedDefinition:
    """Parsed specs of one deployed process version: the process and everything it calls.

    ``has_timers``/``has_messages``/``has_service_tasks`` let the storage layer skip timer, message and
    external-task bookkeeping (a query each per step) for processes that cannot wait on them.
    """

    spec: Any
    subprocess_specs: dict[str, Any]
    has_timers: bool = field(init=False)
    has_messages: bool = field(init=False)
    has_service_tasks: bool = field(init=False)

    def __post_init__(self) -> None:
        kinds = _event_kinds([self.spec, *self.subprocess_specs.values()])
        object.__setattr__(self, "has_timers", "timer" in kinds)
        object.__setattr__(self, "has_messages", "message" in kinds)
        object.__setattr__(self, "has_service_tasks", "service" in kinds)


def dump_workflow(workflow: BpmnWorkflow) -> bytes:
    """Instance-only serialization (no spec), as compressed JSON (written by engine.runtime.state_text)."""
    registry = _SERIALIZER.registry
    registry._encoder_mode = True
    try:
        extra = _TOP_CONVERTER.top_fields(workflow)
        extra["typename"] = registry.typenames[type(workflow)]
        extra[_SERIALIZER.VERSION_KEY] = _SERIALIZER.VERSION
        text = StateWriter(registry, _SERIALIZER._encoder_cls).text(workflow, extra)
    finally:
        registry._encoder_mode = False
    return zlib.compress(text.encode("utf-8"), 1)


def decode_state(state: bytes) -> dict[str, Any]:
    """The stored instance JSON as a dict, sub-workflow data in full (for inspection, comparison, migrations)."""
    return expand_state(_decode(state))


def _decode(state: bytes) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(zlib.decompress(state))
    return result


def load_workflow(definition: ParsedDefinition, state: bytes, calls: CalledProcesses | None = None) -> CallingWorkflow:
    """Rebuild a workflow from its stored state and the cached specs of its version.

    ``calls`` finds the called versions the instance's call activities were bound to (and binds new calls).
    """
    data = _decode(state)
    _SERIALIZER.migrate(data)
    # registry.restore passes objects it does not know through unchanged: the cached specs are reused.
    data["spec"] = definition.spec
    data["subprocess_specs"] = dict(definition.subprocess_specs)
    data["calls"] = calls
    workflow: CallingWorkflow = _SERIALIZER.from_dict(data)
    return workflow


class SpecCache:
    """A small LRU of parsed definitions keyed by the version's content checksum; thread-safe.

    The checksum, not the row id, is the key: the same id means different content in different databases.
    """

    def __init__(self, capacity: int = 128) -> None:
        self._capacity = capacity
        self._items: OrderedDict[str, ParsedDefinition] = OrderedDict()
        self._lock = Lock()

    def get(self, key: str, load: Callable[[], ParsedDefinition]) -> ParsedDefinition:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        parsed = load()
        with self._lock:
            self._items[key] = parsed
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
        return parsed

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


SPEC_CACHE = SpecCache()
