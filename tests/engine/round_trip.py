"""Serializer round-trip check applied to every instance a test leaves behind (and callable mid-test)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.runtime.serialization import decode_state
from engine.runtime.workflow import WorkflowRun
from engine.services.deployment import parsed_definition
from engine.store.models import ProcessInstance


def assert_round_trips(instance: ProcessInstance) -> None:
    """Loading the stored state and storing it again changes nothing the engine can see."""
    definition = parsed_definition(instance.definition)
    first = WorkflowRun.restore(definition, instance.state, instance.updated_at)
    again = first.dump()
    assert decode_state(again) == decode_state(instance.state)
    second = WorkflowRun.restore(definition, again, instance.updated_at)
    one, two = first.snapshot(), second.snapshot()
    assert one.completed == two.completed
    assert one.human_tasks == two.human_tasks
    assert one.timers == two.timers
    assert one.message_waits == two.message_waits
    assert one.data == two.data


def assert_every_instance_round_trips(session: Session) -> None:
    for instance in session.scalars(select(ProcessInstance)):
        assert_round_trips(instance)
