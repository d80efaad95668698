"""Running one process instance: start, complete a human task, deliver a message, fire timers, retry.

A :class:`WorkflowRun` wraps a SpiffWorkflow ``BpmnWorkflow``. Every operation runs the engine on until
it needs a person, a timer or a message; an error in a script, condition or expression does not escape:
the failing task stays in SpiffWorkflow's ERROR state and the run reports an :class:`IncidentInfo`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.bpmn_xml import LOCAL_INPUT_PREFIX
from engine.domain.errors import InvalidState, NotFound
from engine.domain.messages import msg
from engine.runtime.calls import CalledProcesses, CallingWorkflow
from engine.runtime.clock import engine_time
from engine.runtime.forms import form_fields
from engine.runtime.incidents import incident_from
from engine.runtime.jobs import job_retries
from engine.runtime.messages import message_event
from engine.runtime.model import (
    IncidentInfo,
    MessageWait,
    PendingTimer,
    ReadyHumanTask,
    ServiceCall,
    Snapshot,
    VisitChange,
)
from engine.runtime.scripting import RestrictedScriptEngine, make_script_engine
from engine.runtime.serialization import ParsedDefinition, dump_workflow, load_workflow
from engine.runtime.stepping import (
    LoopStopped,
    StepGuard,
    event_definitions,
    is_completed,
    loop_entry,
    run_steps,
    timer_due,
)
from engine.runtime.task_index import drop_orphan_subworkflows, tasks_in
from engine.runtime.visits import changes_since, task_states

_ENGINE: RestrictedScriptEngine | None = None


def script_engine() -> RestrictedScriptEngine:
    """One shared restricted engine: it holds no per-instance state, only compiled-code caches."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = make_script_engine()
    return _ENGINE


def _split(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(str(item).strip() for item in value if str(item).strip())
    return tuple(part.strip() for part in str(value).split(",") if part.strip())


class WorkflowRun:
    """One instance in memory, between loading it from and saving it to the database."""

    def __init__(self, workflow: CallingWorkflow, now: datetime, definition: ParsedDefinition) -> None:
        self.workflow = workflow
        self.now = now
        self.definition = definition
        self.incident: IncidentInfo | None = None
        # Element executions of this unit of work (a loop without a wait state is stopped, not completed).
        self.guard = StepGuard()
        # Task states as loaded: what changed since is reported once per save (element visits, the heatmap).
        self._visit_baseline: dict[str, int] = task_states(workflow)
        # False only for a new instance not saved yet: no database row can mirror any of its tasks, so the
        # first save need not look for existing ones.
        self.stored = True

    # -- life cycle ---------------------------------------------------------------------------------
    @classmethod
    def start(
        cls, definition: ParsedDefinition, data: dict[str, Any], now: datetime, calls: CalledProcesses | None = None
    ) -> WorkflowRun:
        """Create an instance with the complaint's data and run it until it waits (engine time ``now``).

        ``calls`` binds call activities to the deployed versions when they start (without it: the caller's copy).
        """
        workflow = CallingWorkflow(definition.spec, definition.subprocess_specs, script_engine(), calls=calls)
        workflow.task_tree.set_data(**data)
        run = cls(workflow, now, definition)
        run._visit_baseline = {}  # a new instance: everything it reaches is a new visit
        run.stored = False
        run.advance()
        return run

    @classmethod
    def restore(
        cls, definition: ParsedDefinition, state: bytes, now: datetime, calls: CalledProcesses | None = None
    ) -> WorkflowRun:
        """Load a stored instance (the spec comes from the per-version cache, not from the row)."""
        workflow = load_workflow(definition, state, calls)
        workflow.script_engine = script_engine()
        return cls(workflow, now, definition)

    def dump(self) -> bytes:
        """The instance state for the database, without the spec."""
        drop_orphan_subworkflows(self.workflow)
        return dump_workflow(self.workflow)

    def unchanged_since_save(self) -> bool:
        """True while no task changed state since the last :meth:`visit_changes` (which every save calls).

        The run cache keeps a saved run only if this holds when its transaction commits: a run changed
        after its state was dumped no longer matches the stored bytes.
        """
        return task_states(self.workflow) == self._visit_baseline

    def resume_at(self, now: datetime, calls: CalledProcesses | None = None) -> None:
        """Make a run kept in memory since its last save look freshly restored, at engine time ``now``.

        Same as :meth:`restore` would give: the stored state carries neither the engine time nor an
        incident (that lives on the instance row until the next advance), and the visit baseline is
        already the state that was saved.
        """
        self.now = now
        self.incident = None
        self.guard = StepGuard()
        self.workflow.calls = calls  # this unit of work's view of the deployed versions

    def needs(self, flag: str) -> bool:
        """``has_timers``/``has_messages``/``has_service_tasks`` of the version or of a called version it runs."""
        return bool(getattr(self.definition, flag)) or self.workflow.uses(flag)

    def advance(self) -> None:
        """Fire due timers, then run automatic steps until a person, a timer or a message is needed."""
        try:
            run_steps(self.workflow, self.now, self.guard)
            self.incident = None
        except LoopStopped as stopped:
            self.incident = stopped.incident
        except (SpiffWorkflowException, Exception) as error:  # noqa: B014 - any designer error is an incident
            self.incident = incident_from(error, self.workflow)

    # -- actions ------------------------------------------------------------------------------------
    def _task(self, task_id: str) -> Any:
        try:
            task = self.workflow.get_task_from_id(UUID(task_id))
        except (ValueError, KeyError, TypeError):
            task = None
        if task is None:
            raise NotFound(msg("notfound.task_in_instance", task_id=task_id))
        return task

    def is_ready(self, task_id: str) -> bool:
        """True while the human task can still be completed (a due interrupting timer cancels it)."""
        return self._task(task_id).state == TaskState.READY

    def complete_task(self, task_id: str, values: dict[str, Any]) -> None:
        """Complete a READY human task with validated form values and run on."""
        task = self._task(task_id)
        if task.state != TaskState.READY or not task.task_spec.manual:
            raise InvalidState(msg("task.not_ready", task_id=task_id, state=TaskState.get_name(task.state)))
        # set_data is a plain update; SpiffWorkflow's add_data_from_form deep-merges lists wrongly.
        task.set_data(**values)
        with engine_time(self.now):
            task.run()
        self.advance()

    def fire_timers(self) -> None:
        """Run timers that are due now (the scheduler's entry point)."""
        self.advance()

    def waiting_message_names(self) -> set[str]:
        return {wait.message_name for wait in self.message_waits()}

    def send_message(self, name: str, payload: dict[str, Any], task_ids: set[str] | None = None) -> None:
        """Deliver a named message to the event that waits for it; raises InvalidState if none does.

        ``task_ids`` narrows delivery to those waiting tasks (the subscriptions whose correlation key
        matched): the instances of a multi-instance sub-process wait for the same message under their own keys.
        """
        definition, targets = None, []
        for task in self.workflow.event_manager.tasks.values():
            for candidate in event_definitions(task.task_spec.event_definition):
                if isinstance(candidate, MessageEventDefinition) and candidate.name == name:
                    definition = candidate
                    if task_ids is not None and str(task.id) in task_ids:
                        targets.append(task)
        if definition is None or (task_ids is not None and not targets):
            raise InvalidState(msg("instance.not_waiting_for_message", name=name))
        with engine_time(self.now):
            event = message_event(definition, payload)
            if task_ids is None:
                self.workflow.send_event(event)
            for task in targets:
                task.task_spec.catch(task, event)
                task.task_spec._update(task)
        self.advance()

    def retry(self, data: dict[str, Any] | None = None) -> None:
        """Run the failed step again, optionally after changing variables it reads."""
        failed = self.workflow.get_tasks(state=TaskState.ERROR)
        if not failed:
            raise InvalidState(msg("instance.no_failed_step"))
        for task in failed:
            # A stopped loop runs again from where it was entered: the failed step itself is too deep.
            entry = loop_entry(task)
            target = entry if entry is not None and _exists(self.workflow, entry) else task.id
            with engine_time(self.now):
                self.workflow.reset_from_task_id(target)
            # reset_from_task_id(data=...) lets the parent's values win; patch the reset task itself.
            if data:
                self.workflow.get_task_from_id(target).set_data(**data)
        self.advance()

    def service_calls(self) -> list[ServiceCall]:
        """Service tasks the engine started and left for the application to complete."""
        calls = []
        started = tasks_in(self.workflow, TaskState.STARTED, ServiceTask)
        for task in sorted(started, key=lambda task: task.last_state_change):
            spec = task.task_spec
            properties = dict(getattr(spec, "extensions", None) or {})
            priority = self._resolve(task, properties.pop("taskPriority", None))
            retries = job_retries(properties)
            inputs = [name for name in properties if name.startswith(LOCAL_INPUT_PREFIX)]
            local_data = {name[len(LOCAL_INPUT_PREFIX) :]: self._resolve(task, properties.pop(name)) for name in inputs}
            calls.append(
                ServiceCall(
                    task_id=str(task.id),
                    element_id=spec.bpmn_id,
                    title=spec.bpmn_name or spec.bpmn_id,
                    topic=properties.pop("topic", None),
                    properties=properties,
                    data=dict(task.data),
                    local_data=local_data,
                    external=properties.pop("type", None) == "external",
                    priority=_integer(priority),
                    retries=retries,
                )
            )
        return calls

    def complete_service_call(self, task_id: str, result: dict[str, Any]) -> None:
        """Finish a service task with its result variables and run on."""
        task = self._task(task_id)
        if task.state != TaskState.STARTED:
            raise InvalidState(msg("instance.service_task_not_waiting", task_id=task_id))
        task.set_data(**result)
        with engine_time(self.now):
            task.complete()
        self.advance()

    def share_variables(self, values: dict[str, Any]) -> None:
        """Set variables on every active branch too, not only on the current token (Camunda's process scope).

        SpiffWorkflow copies data per token: what a boundary-timer branch sets (an escalation's new priority)
        would otherwise never reach the user task it is attached to, nor the steps after it.
        """
        for task in self.workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
            task.set_data(**values)
        self.workflow.data.update(values)

    def change_variables(self, values: dict[str, Any], deletions: list[str]) -> None:
        """Set and remove variables on every active branch (an operator's or integration's change)."""
        self.share_variables(values)
        for task in self.workflow.get_tasks(state=TaskState.ERROR):
            task.set_data(**values)  # a failed step retried after the change reads the new values
        active = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
        for task in self.workflow.get_tasks(state=active):
            for name in deletions:
                task.data.pop(name, None)
        for name in deletions:
            self.workflow.data.pop(name, None)

    def fail_service_call(self, task_id: str, message: str) -> None:
        """Mark a service task failed: the instance gets an incident on it and can be retried."""
        task = self._task(task_id)
        task.error()
        spec = task.task_spec
        self.incident = IncidentInfo(spec.bpmn_id, spec.bpmn_name, message, str(task.id))

    def cancel(self) -> None:
        """End the instance early: every unfinished task is cancelled (a manager's decision, not an error)."""
        with engine_time(self.now):
            self.workflow.cancel()
        self.incident = None

    def visit_changes(self) -> list[VisitChange]:
        """Elements entered and left since the last call (or since loading); each change is reported once."""
        changes, self._visit_baseline = changes_since(self.workflow, self._visit_baseline)
        return changes

    # -- what the database materialises ---------------------------------------------------------------
    def human_tasks(self) -> list[ReadyHumanTask]:
        result = []
        for task in self.workflow.get_tasks(state=TaskState.READY, manual=True):
            spec = task.task_spec
            extensions = dict(getattr(spec, "extensions", None) or {})
            result.append(
                ReadyHumanTask(
                    task_id=str(task.id),
                    element_id=spec.bpmn_id,
                    title=spec.bpmn_name or spec.bpmn_id,
                    process_id=task.workflow.spec.name,
                    lane=spec.lane,
                    documentation=spec.documentation,
                    assignee=_first(self._resolve(task, extensions.get("assignee"))),
                    candidate_groups=_split(self._resolve(task, extensions.get("candidateGroups"))),
                    candidate_users=_split(self._resolve(task, extensions.get("candidateUsers"))),
                    due=self._resolve(task, extensions.get("dueDate")),
                    priority=self._resolve(task, extensions.get("priority")),
                    form=tuple(form_fields(spec)),
                    # A camunda:property: Camunda has no attribute for "anyone but", which four-eyes needs.
                    excluded_users=_split(self._resolve(task, extensions.get("excludedUsers"))),
                )
            )
        return result

    def _resolve(self, task: Any, value: Any) -> Any:
        """Evaluate a ``${...}`` attribute against task data; plain values pass through."""
        if not isinstance(value, str) or not value.strip().startswith("${"):
            return value
        try:
            return self.workflow.script_engine.evaluate(task, value)
        except Exception:
            # A missing variable leaves the attribute unset rather than blocking the instance.
            return None

    def timers(self) -> list[PendingTimer]:
        result = []
        for task in self.workflow.event_manager.tasks.values():
            for definition in event_definitions(task.task_spec.event_definition):
                if not isinstance(definition, TimerEventDefinition):
                    continue
                result.append(
                    PendingTimer(
                        task_id=str(task.id),
                        element_id=task.task_spec.bpmn_id,
                        due_at=timer_due(task, definition),
                        interrupting=getattr(task.task_spec, "cancel_activity", None),
                    )
                )
        # The event manager's order changes when an instance is restored; callers compare lists.
        return sorted(result, key=lambda timer: (timer.element_id, timer.task_id))

    def message_waits(self) -> list[MessageWait]:
        result = []
        for task in self.workflow.event_manager.tasks.values():
            for definition in event_definitions(task.task_spec.event_definition):
                if isinstance(definition, MessageEventDefinition):
                    result.append(MessageWait(str(task.id), task.task_spec.bpmn_id, definition.name, task.data))
        return sorted(result, key=lambda wait: (wait.element_id, wait.task_id))  # restore reorders them

    def variables(self) -> dict[str, Any]:
        """The instance's current data: the final data once completed, else the newest active task's."""
        if is_completed(self.workflow):
            return dict(self.workflow.data)
        active = tasks_in(self.workflow, TaskState.READY | TaskState.WAITING | TaskState.ERROR)
        # Internal joins (a finished boundary-event branch waiting at the end) carry no data of their own.
        active = [task for task in active if task.task_spec.bpmn_id is not None] or active
        if not active:
            return dict(self.workflow.data)
        newest = max(active, key=lambda task: task.last_state_change)
        return dict(newest.data)

    def snapshot(self) -> Snapshot:
        return Snapshot(
            completed=is_completed(self.workflow),
            human_tasks=tuple(self.human_tasks()),
            timers=tuple(self.timers()),
            message_waits=tuple(self.message_waits()),
            incident=self.incident,
            data=self.variables(),
        )


def _exists(workflow: BpmnWorkflow, task_id: UUID) -> bool:
    return task_id in workflow.tasks or any(task_id in sub.tasks for sub in workflow.subprocesses.values())


def _integer(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _first(value: Any) -> str | None:
    values = _split(value)
    return values[0] if values else None
