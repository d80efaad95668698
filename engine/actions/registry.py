"""The registry of system actions: which handler runs for which service-task topic.

Built here, explicitly, from the handler modules (no registration by import side effects): adding a
system action is a function in a handler module and a line below. Topics, properties and results are
documented in processes/README.md and docs/sla.md.
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.actions import complaint, escalation, notify, regulation, sla
from engine.actions.context import Handler
from engine.runtime.model import ServiceCall


def builtin_handlers() -> dict[str, Handler]:
    """A fresh mapping of every built-in topic to its handler."""
    return {
        "notify": notify.notify,
        "record_actor": complaint.record_actor,
        "notify_customer": complaint.notify_customer,
        "record_closure": complaint.record_closure,
        "record_reopening": complaint.record_reopening,
        "remind": escalation.remind,
        "escalate": escalation.escalate,
        "sla_start": sla.sla_start,
        "first_response": sla.first_response,
        "sla_pause": sla.sla_pause,
        "sla_resume": sla.sla_resume,
        "sla_stop": sla.sla_stop,
        "regulation_start": regulation.regulation_start,
        "regulation_letter": regulation.regulation_letter,
    }


# The registry the use cases run with; tests may add a topic for the duration of a test.
HANDLERS: dict[str, Handler] = builtin_handlers()


def waits_for_worker(call: ServiceCall, handlers: Mapping[str, Handler] = HANDLERS) -> bool:
    """An external task (``camunda:type="external"``) whose topic no built-in handler implements.

    It waits as an external-task row for a worker (Camunda's external-task pattern) instead of failing.
    """
    return call.external and bool(call.topic) and call.topic not in handlers
