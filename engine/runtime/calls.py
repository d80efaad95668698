"""Call activities bind to a version of the called process when they start, as in Camunda.

Camunda's ``camunda:calledElementBinding`` (Camunda 8: ``zeebe:calledElement bindingType``) says which
version a call activity runs: ``latest`` (the default: the newest version deployed when the call starts),
``deployment`` (the version deployed together with the caller: the copy stored with the caller's version),
``version`` (``camunda:calledElementVersion``) or ``versionTag`` (``camunda:calledElementVersionTag``, or
``zeebe:calledElement versionTag``). The version is looked up when the call activity starts, through a
:class:`CalledProcesses` the use case hands in (it reads the deployed versions); a called process that is
not deployed then is an incident at the call activity. A call that started keeps its version: the top
workflow notes, per call activity task, the key of the version it runs (``called_versions``), and the
serialized state carries that map, so a restored instance finds every sub-workflow's spec again.

Sub-workflows inside a called version (its embedded sub-processes, its own calls bound to its deployment)
take their specs from that version, not from the caller's copy: each workflow has a *scope*, the parsed
version its specs come from. The same :class:`CalledProcesses` answers business rule tasks bound to the
latest version of a decision (engine.runtime.decisions), which look it up each time they run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.defaults import CallActivity
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.camunda.parser.task_spec import CallActivityParser  # Camunda's: multi-instance collections

from engine.bpmn.bpmn_xml import CAMUNDA_NS, ZEEBE_NS

BINDINGS = ("latest", "deployment", "version", "versionTag")


@dataclass(frozen=True)
class CallBinding:
    """Which version of the called process a call activity runs."""

    binding: str = "latest"  # one of BINDINGS
    value: str = ""  # the version number or the version tag

    def describe(self, process_id: str) -> str:
        if self.binding == "version":
            return f"version {self.value} of the called process {process_id!r}"
        if self.binding == "versionTag":
            return f"a version tagged {self.value!r} of the called process {process_id!r}"
        return f"the called process {process_id!r}"


class ParsedVersion(Protocol):
    """What the runtime needs of a parsed process version (engine.runtime.serialization.ParsedDefinition)."""

    @property
    def spec(self) -> Any: ...
    @property
    def subprocess_specs(self) -> dict[str, Any]: ...


class CalledProcesses(Protocol):
    """The deployed versions, as the use case running the instance sees them (its database session)."""

    def resolve(self, process_id: str, binding: CallBinding) -> str | None:
        """The key of the version a call starting now runs; None when no such version is deployed."""

    def definition(self, key: str) -> ParsedVersion:
        """The parsed version behind a key ``resolve`` gave (raises NotFound when it was removed)."""

    def decision(self, decision_id: str, binding: str, tag: str) -> tuple[str, str, list[tuple[str, str]]] | None:
        """A business rule task's FEEL DMN file as deployed now: (text, file name, imported files); None
        keeps the file deployed with the process (no deployed version, or one the FEEL engine does not run)."""


def binding_of(node: Any) -> CallBinding:
    """The binding a ``callActivity`` element declares (Camunda 7 attributes or Camunda 8's extension)."""
    binding = (node.get(f"{{{CAMUNDA_NS}}}calledElementBinding") or "").strip()
    if binding:
        key = "calledElementVersion" if binding == "version" else "calledElementVersionTag"
        return CallBinding(binding, (node.get(f"{{{CAMUNDA_NS}}}{key}") or "").strip())
    for called in node.iter(f"{{{ZEEBE_NS}}}calledElement"):
        zeebe = (called.get("bindingType") or "").strip()
        if zeebe:
            return CallBinding(zeebe, (called.get("versionTag") or "").strip())
    return CallBinding()


class BoundCallActivity(CallActivity):
    """A call activity that resolves its called process's version when it starts."""

    binding: CallBinding = CallBinding()

    def start_workflow(self, my_task: Any) -> None:
        top = my_task.workflow.top_workflow
        if not isinstance(top, CallingWorkflow):
            super().start_workflow(my_task)
            return
        if top.calls is None or self.binding.binding == "deployment":
            # The copy stored with the caller's version (also what runs without the deployed versions at hand).
            if self.spec not in top.specs_in(my_task.workflow):
                my_task.error()
                raise WorkflowTaskException(f"{self.binding.describe(self.spec)} is not deployed", task=my_task)
        else:
            key = top.calls.resolve(self.spec, self.binding)
            if key is None:
                my_task.error()
                raise WorkflowTaskException(f"{self.binding.describe(self.spec)} is not deployed", task=my_task)
            top.bind(my_task.id, key)
        subworkflow = top.create_subprocess(my_task, self.spec)
        subworkflow.completed_event.connect(self._on_subworkflow_completed, my_task)
        self.copy_data(my_task, subworkflow)
        start = subworkflow.get_next_task(spec_name="Start")
        start.run()


class BindingCallActivityParser(CallActivityParser):
    """Reads the call activity's binding onto its spec."""

    def create_task(self) -> Any:
        spec = super().create_task()
        spec.binding = binding_of(self.node)
        return spec


class CallingWorkflow(BpmnWorkflow):
    """A BpmnWorkflow whose call activities run the version they were bound to when they started."""

    def __init__(self, spec: Any, subprocess_specs: Any = None, script_engine: Any = None, **kwargs: Any) -> None:
        self.calls: CalledProcesses | None = kwargs.pop("calls", None)
        # Call activity task id -> key of the called version its sub-workflow runs (only bound calls).
        self.called_versions: dict[UUID, str] = {}
        super().__init__(spec, subprocess_specs, script_engine, **kwargs)

    def bind(self, task_id: UUID, key: str) -> None:
        """Note the version a call runs; its specs join the known ones (SpiffWorkflow checks names there)."""
        self.called_versions[task_id] = key
        for name, spec in self._version(key).subprocess_specs.items():
            self.subprocess_specs.setdefault(name, spec)

    def _version(self, key: str) -> ParsedVersion:
        if self.calls is None:
            raise LookupError(f"the instance runs the called version {key!r}, but no deployed versions are at hand")
        return self.calls.definition(key)

    def specs_in(self, workflow: Any) -> dict[str, Any]:
        """The sub-process specs visible in ``workflow`` (the top or a sub-workflow): its scope's."""
        while isinstance(workflow, BpmnSubWorkflow):
            key = self.called_versions.get(workflow.parent_task_id)
            if key is not None:
                return self._version(key).subprocess_specs
            workflow = workflow.parent_workflow
        return self._root_specs

    @property  # type: ignore[override]
    def subprocess_specs(self) -> dict[str, Any]:
        return self._known_specs

    @subprocess_specs.setter
    def subprocess_specs(self, specs: dict[str, Any]) -> None:
        # The caller's own specs stay apart: specs of called versions only join the names SpiffWorkflow checks.
        self._root_specs = specs
        self._known_specs = dict(specs)

    def spec_for(self, task: Any) -> Any:
        """The spec of the sub-workflow that ``task`` (a call activity or sub-process task) runs."""
        key = self.called_versions.get(task.id)
        if key is not None:
            return self._version(key).spec
        return self.specs_in(task.workflow).get(task.task_spec.spec)

    def create_subprocess(self, my_task: Any, spec_name: str) -> Any:
        subprocess = BpmnSubWorkflow(self.spec_for(my_task), parent_task_id=my_task.id, top_workflow=self)
        self.subprocesses[my_task.id] = subprocess
        return subprocess

    def bound_versions(self) -> dict[UUID, str]:
        """The bound calls whose sub-workflow still exists (a reset or an orphan drop removes some)."""
        return {task_id: key for task_id, key in self.called_versions.items() if task_id in self.subprocesses}

    def all_specs(self) -> list[Any]:
        """Every spec the instance can run: its version's and those of the called versions it runs."""
        specs = [self.spec, *self._root_specs.values()]
        for key in set(self.bound_versions().values()):
            version = self._version(key)
            specs += [version.spec, *version.subprocess_specs.values()]
        return specs

    def uses(self, flag: str) -> bool:
        """True when a called version this instance runs has timers/messages/service tasks (``has_*``)."""
        return any(getattr(self._version(key), flag) for key in set(self.bound_versions().values()))

    def in_called_version(self, subworkflow: Any) -> bool:
        """True when ``subworkflow`` runs in a called version (not the caller's copy): migrating the caller
        leaves it alone, as Camunda leaves a called instance alone."""
        workflow = subworkflow
        while isinstance(workflow, BpmnSubWorkflow):
            if workflow.parent_task_id in self.called_versions:
                return True
            workflow = workflow.parent_workflow
        return False
