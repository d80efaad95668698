"""Escalation when a legal deadline is breached: priority up, open tasks to the escalation group, everyone told.

The same effect as the SLA ``escalate`` action (docs/sla.md), driven by the pack's deadline rule instead of a
diagram's timer: the complaint's priority rises to the rule's ``escalate_priority`` (or one level) and never
falls; each open task of the complaint goes to the rule's ``escalate_to`` group (the group replaces every
candidate and the assignee, four-eyes exclusions stay) with its integer priority raised to match. The previous
holders and the new group are notified. Runs inside the sweep's unit of work; it never commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actions.escalation import raised_priority
from engine.domain.actors import Actor
from engine.domain.regulation import DeadlineRule
from engine.domain.tasks import priority_value
from engine.services.audit import record
from engine.store.complaints import Complaint
from engine.store.models import TASK_OPEN, HumanTask, ProcessInstance, TaskCandidate


def _open_tasks(session: Session, instance_id: int | None) -> list[HumanTask]:
    if instance_id is None:
        return []
    query = select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == TASK_OPEN)
    return list(session.scalars(query.order_by(HumanTask.created_at, HumanTask.id)))


def _holders(task: HumanTask) -> list[str]:
    return [task.assignee] if task.assignee else [f"group:{group}" for group in task.candidate_groups]


def escalate_breach(
    session: Session, actor: Actor, complaint: Complaint, rule: DeadlineRule, now: datetime
) -> dict[str, Any]:
    """Escalate ``complaint`` for a breach of ``rule``; returns what changed (for the breach's audit entry).

    ``notify`` in the result lists the previous holders and the escalation group, each once.
    """
    before_priority = complaint.priority
    new_priority = raised_priority(before_priority, rule.escalate_priority)
    level = priority_value(new_priority)
    group = rule.escalate_to
    notify: list[str] = []
    tasks = _open_tasks(session, complaint.instance_id)
    instance = session.get(ProcessInstance, complaint.instance_id) if complaint.instance_id else None
    if instance is not None:
        # Touching the instance puts this change under its optimistic lock: a step of the process that rewrites
        # the same task rows at the same time (a timer, an agent completing the task) and this sweep cannot both
        # win; the loser is rolled back and retried (the sweep on its next poll).
        instance.updated_at = now
    for task in tasks:
        notify += _holders(task)
        before = {"assignee": task.assignee, "groups": task.candidate_groups, "priority": task.priority}
        kept = [candidate for candidate in task.candidates if candidate.kind == "excluded"]
        task.candidates = [*kept, TaskCandidate(kind="group", name=group)]
        task.assignee, task.claimed_at = None, None
        task.priority = max(task.priority, level)
        record(
            session,
            actor,
            "task_escalated",
            now,
            instance_id=complaint.instance_id,
            task_id=task.id,
            element_id=task.element_id,
            before=before,
            after={"assignee": None, "groups": task.candidate_groups, "priority": task.priority},
        )
    complaint.priority = new_priority
    complaint.updated_at = now
    record(
        session,
        actor,
        "complaint_escalated",
        now,
        instance_id=complaint.instance_id,
        before={"priority": before_priority},
        after={"priority": new_priority, "group": group, "tasks": [task.id for task in tasks], "why": "legal deadline"},
    )
    return {
        "priority": new_priority,
        "group": group,
        "tasks": [task.id for task in tasks],
        "notify": list(dict.fromkeys([f"group:{group}", *notify])),
    }
