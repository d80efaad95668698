"""A manager's hand on a running instance: suspend, resume, cancel, and reassign one of its tasks.

Managers, team leads and admins only. Each action is one unit of work with its audit entry.

- **Suspend** holds the instance where it is: its timer rows become ``suspended`` (the scheduler only fires
  ``pending`` rows, so nothing fires), its open tasks are flagged ``suspended`` (they stay in the task lists,
  marked, and cannot be claimed or completed), and messages sent to it are kept (``held_message``).
- **Resume** makes the timers pending again and, in the same transaction, fires those that fell due while
  it was suspended (once: the rows are fired before anyone else can see them pending), then delivers the
  held messages in arrival order.
- **Cancel** ends the instance: the workflow is cancelled, open tasks and timers are cancelled, message
  subscriptions and held messages removed, and its complaint is closed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from engine.actions.runner import run_actions
from engine.domain.actors import Actor
from engine.domain.errors import ComplaintflowError, InvalidState, NotFound, PermissionDenied
from engine.domain.messages import msg
from engine.domain.notification_channels import CHANNEL_IN_APP
from engine.domain.roles import CONTROL_ROLES
from engine.runtime.workflow import WorkflowRun
from engine.services.audit import record
from engine.services.delivery.outbox import enqueue
from engine.services.instances.lifecycle import get_instance, load_run
from engine.services.instances.persistence import save_run
from engine.services.instances.visit_log import close_open_visits, record_visits
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.complaints import Complaint
from engine.store.external_task_signal import announce
from engine.store.external_tasks import EXTERNAL_CANCELLED, EXTERNAL_INCIDENT, EXTERNAL_OPEN, ExternalTask
from engine.store.models import (
    INSTANCE_CANCELLED,
    INSTANCE_COMPLETED,
    INSTANCE_INCIDENT,
    INSTANCE_RUNNING,
    INSTANCE_SUSPENDED,
    INSTANCE_WAITING,
    TASK_CANCELLED,
    TASK_OPEN,
    TIMER_CANCELLED,
    TIMER_FIRED,
    TIMER_PENDING,
    TIMER_SUSPENDED,
    HeldMessage,
    HumanTask,
    MessageSubscription,
    PendingTimerRow,
    ProcessInstance,
    TaskCandidate,
)
from engine.store.queries import open_incident
from engine.store.users import Group, User

COMPLAINT_CLOSED = "closed"
REASON_LIMIT = 500
# SpiffWorkflow fires a timer only when its due time is strictly before the engine's now.
_STRICTLY_AFTER = timedelta(microseconds=1)


def _require_role(actor: Actor) -> None:
    if not actor.roles & CONTROL_ROLES:
        raise PermissionDenied(msg("denied.control_instances"))


def _open_tasks(session: Session, instance_id: int) -> list[HumanTask]:
    return list(
        session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == TASK_OPEN))
    )


@unit_of_work
def suspend_instance(
    session: Session, actor: Actor, instance_id: int, now: datetime, reason: str | None = None
) -> ProcessInstance:
    """Hold a running, waiting or failed instance: no timer fires and no task can be claimed or completed."""
    _require_role(actor)
    instance = get_instance(session, instance_id)
    if instance.status not in (INSTANCE_RUNNING, INSTANCE_WAITING, INSTANCE_INCIDENT):
        raise InvalidState(msg("instance.not_suspendable", id=instance_id, status=instance.status))
    before = instance.status
    instance.status = INSTANCE_SUSPENDED
    instance.updated_at = now  # also bumps lock_version: a step running concurrently loses with a conflict
    session.execute(
        update(PendingTimerRow)
        .where(PendingTimerRow.instance_id == instance_id, PendingTimerRow.status == TIMER_PENDING)
        .values(status=TIMER_SUSPENDED)
        .execution_options(synchronize_session=False)
    )
    for task in _open_tasks(session, instance_id):
        task.suspended = True
    record(
        session,
        actor,
        "instance_suspended",
        now,
        instance_id=instance_id,
        before={"status": before},
        after={"status": INSTANCE_SUSPENDED},
        message=(reason or "").strip()[:REASON_LIMIT] or None,
    )
    commit(session)
    return instance


def _status_from_rows(session: Session, instance_id: int) -> str:
    """The status the instance had before it was suspended, from its rows (nothing ran in between)."""
    if open_incident(session, instance_id) is not None:
        return INSTANCE_INCIDENT
    return INSTANCE_RUNNING if _open_tasks(session, instance_id) else INSTANCE_WAITING


@unit_of_work
def resume_instance(session: Session, actor: Actor, instance_id: int, now: datetime) -> ProcessInstance:
    """Let a suspended instance go on: overdue timers fire now (once), held messages are delivered in order."""
    _require_role(actor)
    instance = get_instance(session, instance_id)
    if instance.status != INSTANCE_SUSPENDED:
        raise InvalidState(msg("instance.not_suspended", id=instance_id, status=instance.status))
    timers = list(
        session.scalars(
            select(PendingTimerRow).where(
                PendingTimerRow.instance_id == instance_id, PendingTimerRow.status == TIMER_SUSPENDED
            )
        )
    )
    for timer in timers:
        timer.status = TIMER_PENDING
    for task in _open_tasks(session, instance_id):
        task.suspended = False
    instance.status = _status_from_rows(session, instance_id)
    announce(session)  # its external tasks are fetchable again
    session.flush()  # the save below reads the timer rows as pending
    record(
        session,
        actor,
        "instance_resumed",
        now,
        instance_id=instance_id,
        before={"status": INSTANCE_SUSPENDED},
        after={"status": instance.status},
    )
    overdue = [timer for timer in timers if timer.due_at is not None and timer.due_at <= now]
    held = list(
        session.scalars(select(HeldMessage).where(HeldMessage.instance_id == instance_id).order_by(HeldMessage.id))
    )
    if overdue or held:
        engine_now = max([now, *(timer.due_at + _STRICTLY_AFTER for timer in overdue if timer.due_at)])
        run = load_run(session, instance, engine_now)
        if overdue:
            run.fire_timers()
            for timer in overdue:
                record(
                    session,
                    actor,
                    "timer_fired",
                    now,
                    instance_id=instance_id,
                    element_id=timer.element_id,
                    after={"due_at": timer.due_at.isoformat() if timer.due_at else None, "fired_at": now.isoformat()},
                    message="fired on resume",
                )
                # Recorded here: the rows are no longer pending, so saving the run does not record them again.
                timer.status, timer.fired_at = TIMER_FIRED, now
        for message in held:
            _deliver_held(session, actor, run, message, now)
        run_actions(session, instance, run, actor, now)
        save_run(session, instance, run, actor, now)
    commit(session)
    return instance


def _deliver_held(session: Session, actor: Actor, run: WorkflowRun, message: HeldMessage, now: datetime) -> None:
    """Send one kept message; if the instance no longer waits for it (a timer moved it on), say so and drop it."""
    try:
        run.send_message(message.message_name, message.payload or {})
    except InvalidState as error:
        record(
            session,
            actor,
            "message_dropped",
            now,
            instance_id=message.instance_id,
            after={"message": message.message_name, "received_at": message.received_at.isoformat()},
            message=str(error),
        )
    else:
        record(
            session,
            actor,
            "message_received",
            now,
            instance_id=message.instance_id,
            after={"received_at": message.received_at.isoformat(), "received_by": message.received_by},
            message=message.message_name,
        )
    session.delete(message)


def check_reason(reason: str | None) -> str:
    """A cancellation needs a reason a person can read later (1–500 characters)."""
    text = " ".join((reason or "").split())
    if not text:
        raise ComplaintflowError(msg("instance.reason_required"))
    if len(text) > REASON_LIMIT:
        raise ComplaintflowError(msg("instance.reason_too_long", limit=REASON_LIMIT))
    return text


@unit_of_work
def cancel_instance(session: Session, actor: Actor, instance_id: int, reason: str, now: datetime) -> ProcessInstance:
    """End an unfinished instance: tasks, timers and subscriptions are cancelled, its complaint is closed."""
    _require_role(actor)
    text = check_reason(reason)
    instance = get_instance(session, instance_id)
    if instance.status in (INSTANCE_COMPLETED, INSTANCE_CANCELLED):
        raise InvalidState(msg("instance.already_ended", id=instance_id, status=instance.status))
    before = instance.status
    run = load_run(session, instance, now)
    run.cancel()
    with session.no_autoflush:
        instance.state = run.dump()
        instance.status = INSTANCE_CANCELLED
        instance.completed_at = now
        instance.updated_at = now
        record_visits(session, instance, run.visit_changes(), now)
    close_open_visits(session, instance_id, now)
    for task in _open_tasks(session, instance_id):
        task.status, task.completed_at, task.suspended = TASK_CANCELLED, now, False
        record(
            session, actor, "task_cancelled", now, instance_id=instance_id, task_id=task.id, element_id=task.element_id
        )
    session.execute(
        update(PendingTimerRow)
        .where(
            PendingTimerRow.instance_id == instance_id,
            PendingTimerRow.status.in_((TIMER_PENDING, TIMER_SUSPENDED)),
        )
        .values(status=TIMER_CANCELLED)
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(MessageSubscription).where(MessageSubscription.instance_id == instance_id))
    session.execute(delete(HeldMessage).where(HeldMessage.instance_id == instance_id))
    session.execute(
        update(ExternalTask)
        .where(ExternalTask.instance_id == instance_id, ExternalTask.status.in_((EXTERNAL_OPEN, EXTERNAL_INCIDENT)))
        .values(status=EXTERNAL_CANCELLED, finished_at=now, worker_id=None, lock_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    incident = open_incident(session, instance_id)
    if incident is not None:
        incident.resolved_at, incident.resolved_by = now, actor.username
    complaint = session.scalars(select(Complaint).where(Complaint.instance_id == instance_id)).first()
    if complaint is not None and complaint.status != COMPLAINT_CLOSED:
        # The same action as a closure by the process, so the case timeline and the audit log read alike.
        record(
            session,
            actor,
            "complaint_closed",
            now,
            instance_id=instance_id,
            before={"status": complaint.status},
            after={"status": COMPLAINT_CLOSED, "closure_reason": text},
            message=text,
        )
        complaint.status, complaint.closed_at, complaint.updated_at = COMPLAINT_CLOSED, now, now
    record(
        session,
        actor,
        "instance_cancelled",
        now,
        instance_id=instance_id,
        before={"status": before},
        after={"status": INSTANCE_CANCELLED},
        message=text,
    )
    commit(session)
    return instance


@unit_of_work
def reassign_task(
    session: Session,
    actor: Actor,
    task_id: str,
    now: datetime,
    *,
    user: str | None = None,
    group: str | None = None,
) -> HumanTask:
    """Give an open task to one user, or offer it to one group (unassigned); the new holder is notified."""
    task = reassign_uncommitted(session, actor, task_id, now, user=user, group=group)
    commit(session)
    return task


def reassign_uncommitted(
    session: Session,
    actor: Actor,
    task_id: str,
    now: datetime,
    *,
    user: str | None = None,
    group: str | None = None,
) -> HumanTask:
    """The work of :func:`reassign_task` without the commit, for a unit of work that reassigns several tasks."""
    _require_role(actor)
    if bool(user) == bool(group):
        raise ComplaintflowError(msg("instance.user_or_group"))
    task = session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(msg("notfound.task", task=task_id))
    if task.status != TASK_OPEN:
        raise InvalidState(msg("task.not_open", task=task.title, status=task.status))
    before = {"assignee": task.assignee, "groups": task.candidate_groups}
    if user:
        if session.scalars(select(User.id).where(User.username == user, User.active.is_(True))).first() is None:
            raise NotFound(msg("notfound.active_user", user=user))
        if user in task.excluded_users:
            raise PermissionDenied(msg("denied.four_eyes", user=user, task=task.title))
        task.assignee, task.claimed_at = user, now
        recipient = user
    else:
        if session.scalars(select(Group.id).where(Group.name == group)).first() is None:
            raise NotFound(msg("notfound.group", group=group))
        task.candidates = [c for c in task.candidates if c.kind != "group"] + [TaskCandidate(kind="group", name=group)]
        task.assignee, task.claimed_at = None, None
        recipient = f"group:{group}"
    after = {"assignee": task.assignee, "groups": sorted({*(c.name for c in task.candidates if c.kind == "group")})}
    record(
        session,
        actor,
        "task_reassigned",
        now,
        instance_id=task.instance_id,
        task_id=task.id,
        element_id=task.element_id,
        before=before,
        after=after,
    )
    complaint = session.scalars(select(Complaint).where(Complaint.instance_id == task.instance_id)).first()
    enqueue(
        session,
        now,
        kind=CHANNEL_IN_APP,
        topic="task_assigned",
        recipient=recipient,
        subject=f"{complaint.reference}: {task.title}" if complaint else task.title,
        # The notification names the task and the complaint ("you have a new task: Handle complaint for C-1").
        payload={
            "task": task.id,
            "task_id": task.id,
            "task_title": task.title,
            "reference": complaint.reference if complaint else None,
        },  # fmt: skip
        complaint_id=complaint.id if complaint else None,
        instance_id=task.instance_id,
    )
    return task
