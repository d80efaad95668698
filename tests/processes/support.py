"""Driving one complaint through the shipped processes with the real services and an injected clock.

Every action goes through a service (one unit of work each) and is followed by a serializer round trip of
the stored state, so each scenario checks the round trip at every step, not only at its end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import SYSTEM, Actor
from engine.domain.roles import ROLE_ADMIN, ROLE_AGENT, ROLE_TEAM_LEAD
from engine.services.casework import tasks
from engine.services.designer import deployment
from engine.services.instances import lifecycle as instances
from engine.services.instances import timers
from engine.services.intake.complaints import NewComplaint, open_complaint
from engine.store import queries
from engine.store.complaints import Complaint
from engine.store.models import TIMER_PENDING, HumanTask, PendingTimerRow, ProcessInstance
from engine.store.outbox import OutboxMessage
from processes import MAIN_PROCESS, process_files
from tests.engine.round_trip import assert_round_trips

ADMIN = Actor("admin", roles=frozenset({ROLE_ADMIN}))
ANNA = Actor("anna", groups=frozenset({"agent"}), roles=frozenset({ROLE_AGENT}))
CARLA = Actor("carla", groups=frozenset({"second_level"}), roles=frozenset({ROLE_AGENT}))
# Team leads also work on complaints themselves (agent group); four-eyes must hold for them too.
LEA = Actor("lea", groups=frozenset({"team_lead", "agent"}), roles=frozenset({ROLE_TEAM_LEAD}))
MAX = Actor("max", groups=frozenset({"team_lead"}), roles=frozenset({ROLE_TEAM_LEAD}))
DORA = Actor("dora", groups=frozenset({"technical"}), roles=frozenset({ROLE_AGENT}))
CUSTOMER_PORTAL = Actor("portal")


def deploy_library(session: Session, now: datetime) -> None:
    """Deploy every shipped file the way an upload does (bytes decoded and checked, then deployed)."""
    uploads = [deployment.decode_upload(path.name, path.read_bytes()) for path in process_files()]
    deployment.deploy(session, ADMIN, uploads, now)


def new_complaint(**overrides: Any) -> NewComplaint:
    values: dict[str, Any] = {
        "customer_name": "Erika Mustermann",
        "customer_email": "erika@example.org",
        "subject": "Rechnung doppelt abgebucht",
        "description": "Die Rechnung 4711 wurde zweimal von meinem Konto abgebucht.",
        "channel": "email",
        "category": "billing",
        "amount_disputed": Decimal("80.00"),
        "order_ref": "4711",
    }
    values.update(overrides)
    return NewComplaint(**values)


@dataclass
class Case:
    """One complaint under test: its rows, its clock and the actions the scenario takes."""

    session: Session
    now: datetime
    reference: str = ""
    steps: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, session: Session, now: datetime, actor: Actor = ANNA, **overrides: Any) -> Case:
        deploy_library(session, now)
        complaint = open_complaint(session, actor, new_complaint(**overrides), MAIN_PROCESS, now)
        case = cls(session, now, complaint.reference)
        case.checkpoint("opened")
        return case

    # -- reading -------------------------------------------------------------------------------------------
    @property
    def complaint(self) -> Complaint:
        complaint = self.session.scalars(select(Complaint).where(Complaint.reference == self.reference)).one()
        self.session.refresh(complaint)
        return complaint

    @property
    def instance(self) -> ProcessInstance:
        instance = self.complaint.instance
        assert instance is not None
        self.session.refresh(instance)
        return instance

    @property
    def variables(self) -> dict[str, Any]:
        return self.instance.variables

    def open_tasks(self) -> list[HumanTask]:
        return list(queries.list_tasks(self.session, queries.TaskFilter(instance_id=self.instance.id)))

    def task(self, element_id: str) -> HumanTask:
        """The only open task, which must be ``element_id``."""
        open_tasks = self.open_tasks()
        assert [t.element_id for t in open_tasks] == [element_id], self.describe()
        return open_tasks[0]

    def pending_timers(self) -> dict[str, datetime | None]:
        rows = self.session.scalars(
            select(PendingTimerRow).where(
                PendingTimerRow.instance_id == self.instance.id, PendingTimerRow.status == TIMER_PENDING
            )
        )
        return {row.element_id: row.due_at for row in rows}

    def audit_actions(self) -> list[tuple[str, str, str | None]]:
        return [(e.actor, e.action, e.element_id) for e in queries.audit_trail(self.session, self.instance.id)]

    def outbox(self) -> list[tuple[str, str]]:
        rows = self.session.scalars(
            select(OutboxMessage).where(OutboxMessage.instance_id == self.instance.id).order_by(OutboxMessage.id)
        )
        return [(row.topic, row.recipient) for row in rows]

    def incident(self) -> str | None:
        incident = queries.open_incident(self.session, self.instance.id)
        return f"{incident.element_id}: {incident.message}" if incident else None

    def describe(self) -> str:
        return f"{self.reference} at {self.steps[-1:]}: tasks {[t.element_id for t in self.open_tasks()]}, " + (
            f"status {self.instance.status}, incident {self.incident()}"
        )

    # -- acting --------------------------------------------------------------------------------------------
    def checkpoint(self, step: str) -> None:
        """After every action: no incident, and the stored state survives a serializer round trip."""
        self.steps.append(step)
        assert self.incident() is None, self.describe()
        assert_round_trips(self.session, self.instance)

    def later(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now

    def complete(self, actor: Actor, element_id: str, data: dict[str, Any], **delta: float) -> HumanTask:
        self.later(**delta)
        task = tasks.complete_task(self.session, actor, self.task(element_id).id, data, self.now)
        self.checkpoint(f"{actor.username} completed {element_id}")
        return task

    def message(self, name: str, payload: dict[str, Any], **delta: float) -> None:
        self.later(**delta)
        instances.deliver_message(self.session, CUSTOMER_PORTAL, name, self.reference, payload, self.now)
        self.checkpoint(f"message {name}")

    def fire_timers_at(self, moment: datetime) -> int:
        """Move the clock to ``moment`` and let the scheduler's sweep run."""
        assert moment >= self.now, "the clock never runs backwards"
        self.now = moment
        fired = timers.fire_due_timers(self.session, moment, SYSTEM)
        self.checkpoint(f"timers at {moment.isoformat()}")
        return fired

    # -- common paths --------------------------------------------------------------------------------------
    def answer_and_resolve(
        self,
        agent: Actor = ANNA,
        resolution_type: str = "credit_note",
        amount: str = "80",
        outcome: str = "upheld",
    ) -> None:
        """The agent answers and decides a resolution within the approval threshold."""
        self.complete(agent, "handle_complaint", {"next_step": "resolve", "customer_message": MESSAGE}, hours=1)
        self.propose(agent, resolution_type, amount, outcome)

    def propose(self, agent: Actor, resolution_type: str, amount: str, outcome: str = "upheld", **delta: float) -> None:
        self.complete(
            agent,
            "propose_resolution",
            {
                "resolution_type": resolution_type,
                "resolution_amount": amount,
                "outcome": outcome,
                "resolution_summary": f"Wir schreiben Ihnen {amount} EUR gut.",
            },
            minutes=10,
            **delta,
        )

    def give_feedback(self, **payload: Any) -> None:
        self.message("feedback_received", payload, days=1)

    def close(self, agent: Actor = ANNA, root_cause: str = "billing_error") -> None:
        self.complete(
            agent,
            "close_complaint",
            {"root_cause": root_cause, "lessons_learned": "Doppelte Abbuchungen automatisch erkennen."},
            hours=2,
        )


MESSAGE = "Vielen Dank für Ihre Nachricht, wir kümmern uns sofort darum."
