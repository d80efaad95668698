"""Serializer round-trip checks: every state a test stores, and every instance a test leaves behind."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.runtime.serialization import decode_state
from engine.runtime.workflow import WorkflowRun
from engine.services.designer.deployment import parsed_definition
from engine.services.instances.called_versions import DeployedVersions
from engine.store.models import ProcessInstance


def assert_same_state(first: WorkflowRun, second: WorkflowRun) -> None:
    """Two runs are indistinguishable for everything the engine materialises."""
    one, two = first.snapshot(), second.snapshot()
    assert one.completed == two.completed
    assert one.human_tasks == two.human_tasks
    assert one.timers == two.timers
    assert one.message_waits == two.message_waits
    assert one.data == two.data
    assert first.service_calls() == second.service_calls()


def checked_dump(original_dump):  # type: ignore[no-untyped-def]
    """Wrap WorkflowRun.dump so that each dumped state is restored and compared before it is stored."""

    def dump(run: WorkflowRun) -> bytes:
        state: bytes = original_dump(run)
        restored = WorkflowRun.restore(run.definition, state, run.now, run.workflow.calls)
        assert_same_state(run, restored)
        assert decode_state(original_dump(restored)) == decode_state(state)
        return state

    return dump


def assert_round_trips(session: Session, instance: ProcessInstance) -> None:
    """Loading the stored state and storing it again changes nothing the engine can see."""
    definition = parsed_definition(instance.definition)
    calls = DeployedVersions(session)
    first = WorkflowRun.restore(definition, instance.state, instance.updated_at, calls)
    again = first.dump()
    assert decode_state(again) == decode_state(instance.state)
    assert_same_state(first, WorkflowRun.restore(definition, again, instance.updated_at, calls))


def assert_every_instance_round_trips(session: Session) -> None:
    for instance in session.scalars(select(ProcessInstance)):
        assert_round_trips(session, instance)
