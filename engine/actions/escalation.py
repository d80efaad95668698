"""Reminder and escalation system actions for service tasks: ``remind`` and ``escalate``.

Both act on the instance's open human task rows as they stood before the current step, which is what a
non-interrupting boundary timer on a user task leads to: the task is still open when the reminder or
escalation runs. (Behind an interrupting timer the task is already gone; the follow-up task the diagram
draws names its own group.) Each writes outbox rows and audit entries in the step's unit of work.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.actions.context import ServiceContext
from engine.domain.notification_channels import CHANNEL_EMAIL
from engine.domain.tasks import priority_value
from engine.services.audit import record
from engine.services.delivery.outbox import enqueue
from engine.services.sla.clock import complaint_for_instance
from engine.store.complaints import PRIORITIES
from engine.store.models import TASK_OPEN, HumanTask, TaskCandidate

SECOND_LEVEL = "second_level"


def _open_tasks(context: ServiceContext) -> list[HumanTask]:
    query = select(HumanTask).where(HumanTask.instance_id == context.instance.id, HumanTask.status == TASK_OPEN)
    element = context.value("element")
    if element:
        query = query.where(HumanTask.element_id == str(element))
    return list(context.session.scalars(query.order_by(HumanTask.created_at, HumanTask.id)))


def recipients(task: HumanTask) -> list[str]:
    """Who hears about a task: its assignee, or else its candidate users and ``group:<name>`` per group."""
    if task.assignee:
        return [task.assignee]
    return [*task.candidate_users, *(f"group:{group}" for group in task.candidate_groups)]


def _variables(context: ServiceContext) -> dict[str, Any]:
    return {key: value for key, value in context.call.data.items() if isinstance(value, str | int | float | bool)}


def _notify(context: ServiceContext, topic: str, recipient: str, task: HumanTask | None, **extra: Any) -> None:
    complaint = complaint_for_instance(context.session, context.instance.id)
    payload: dict[str, Any] = {"variables": _variables(context), **extra}
    if task is not None:
        payload.update(task_id=task.id, task_title=task.title, due_at=task.due_at.isoformat() if task.due_at else None)
    enqueue(
        context.session,
        context.now,
        kind=str(context.value("channel", CHANNEL_EMAIL)),
        topic=str(context.value("template", topic)),
        recipient=recipient,
        subject=context.value("subject"),
        payload=payload,
        complaint_id=complaint.id if complaint is not None else None,
        instance_id=context.instance.id,
    )


def remind(context: ServiceContext) -> dict[str, Any]:
    """Remind whoever holds the open tasks (property ``element``: only that task); one message per recipient."""
    reminded = 0
    for task in _open_tasks(context):
        targets = recipients(task)
        for recipient in targets:
            _notify(context, "sla_reminder", recipient, task)
        reminded += len(targets)
        record(
            context.session,
            context.actor,
            "task_reminded",
            context.now,
            instance_id=context.instance.id,
            task_id=task.id,
            element_id=task.element_id,
            after={"to": targets, "due_at": task.due_at.isoformat() if task.due_at else None},
        )
    result = {"reminders_sent": int(context.call.data.get("reminders_sent") or 0) + reminded}
    context.shared.update(result)
    return result


def raised_priority(current: str | None, wanted: str | None) -> str:
    """One level above ``current``, or ``wanted`` when given; never lower than ``current``."""
    level = PRIORITIES.index(current) if current in PRIORITIES else PRIORITIES.index("normal")
    if wanted is None:
        return PRIORITIES[min(level + 1, len(PRIORITIES) - 1)]
    if wanted not in PRIORITIES:
        raise ValueError(f"unknown priority {wanted!r}; use one of {', '.join(PRIORITIES)}")
    return PRIORITIES[max(level, PRIORITIES.index(wanted))]


def _reassign(context: ServiceContext, task: HumanTask, group: str | None, assignee: str | None, level: int) -> None:
    before = {"assignee": task.assignee, "groups": task.candidate_groups, "priority": task.priority}
    if group:
        # The escalation target replaces everyone who had the task: nobody keeps working on it unnoticed.
        # Exclusions (four-eyes) stay: escalating an approval must not let its proposer approve it.
        kept = [candidate for candidate in task.candidates if candidate.kind == "excluded"]
        task.candidates = [*kept, TaskCandidate(kind="group", name=group)]
        task.assignee = None
        task.claimed_at = None
    if assignee:
        task.assignee = assignee
        task.claimed_at = context.now
    task.priority = max(task.priority, level)
    record(
        context.session,
        context.actor,
        "task_escalated",
        context.now,
        instance_id=context.instance.id,
        task_id=task.id,
        element_id=task.element_id,
        before=before,
        after={"assignee": task.assignee, "groups": task.candidate_groups, "priority": task.priority},
    )


def escalate(context: ServiceContext) -> dict[str, Any]:
    """Raise the priority, hand the open tasks to ``group`` (and/or ``assignee``) and tell them."""
    group = str(context.value("group") or "").strip() or None
    assignee = str(context.value("assignee") or "").strip() or None
    wanted = str(context.value("priority") or "").strip().lower() or None
    complaint = complaint_for_instance(context.session, context.instance.id)
    current = complaint.priority if complaint is not None else context.call.data.get("priority")
    new_priority = raised_priority(current if isinstance(current, str) else None, wanted)
    level = priority_value(new_priority)
    tasks = _open_tasks(context)

    for task in tasks:
        _reassign(context, task, group, assignee, level)
        for recipient in [assignee] if assignee else recipients(task):
            _notify(context, "sla_escalation", recipient, task, priority=new_priority)
    if not tasks:
        for recipient in [assignee] if assignee else ([f"group:{group}"] if group else []):
            _notify(context, "sla_escalation", recipient, None, priority=new_priority)

    result: dict[str, Any] = {"escalated": True, "priority": new_priority}
    if group:
        result["escalated_to"] = group
    if group == SECOND_LEVEL:
        result["handling_level"] = 2
    # Escalations usually run on a boundary-timer branch; the task they escalate and the steps after it
    # must see the new priority too (and the complaint sync must not set the old one back).
    context.shared.update(result)
    if complaint is not None:
        complaint.priority = new_priority
        if group == SECOND_LEVEL:
            complaint.handling_level = 2
        complaint.updated_at = context.now
    record(
        context.session,
        context.actor,
        "complaint_escalated",
        context.now,
        instance_id=context.instance.id,
        element_id=context.call.element_id,
        before={"priority": current},
        after={"priority": new_priority, "group": group, "assignee": assignee, "tasks": [t.id for t in tasks]},
    )
    return result
