"""Human task use cases: claim, unclaim, assign and complete."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.actions.runner import run_actions
from engine.bpmn.camunda_form_values import FormOutcome, submit
from engine.bpmn.camunda_forms import CamundaForm
from engine.domain.actors import Actor
from engine.domain.errors import AlreadyCompleted, Conflict, FormValidationError, NotFound, PermissionDenied
from engine.domain.forms import FormField, FormResult, validate_form
from engine.domain.messages import msg
from engine.domain.tasks import TaskAccess, is_excluded, may_assign, may_claim, may_complete, may_unclaim
from engine.services.audit import changed_values, record
from engine.services.instances.lifecycle import get_instance, load_run
from engine.services.instances.persistence import jsonable_data, save_run
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.camunda_form_queries import camunda_form_for
from engine.store.models import TASK_COMPLETED, TASK_OPEN, HumanTask
from engine.store.queries import find_task


def get_task(session: Session, task_ref: str) -> HumanTask:
    """A task by id (or unique prefix), or NotFound."""
    task = find_task(session, task_ref)
    if task is None:
        raise NotFound(msg("notfound.task", task=task_ref))
    return task


def _access(task: HumanTask) -> TaskAccess:
    return TaskAccess(
        task.assignee,
        frozenset(task.candidate_groups),
        frozenset(task.candidate_users),
        frozenset(task.excluded_users),
    )


def _closed_message(task: HumanTask) -> str:
    if task.status == TASK_COMPLETED:
        return msg("task.already_completed", task=task.title, user=task.completed_by)
    return msg("task.not_open", task=task.title, status=task.status)


def _require_open(task: HumanTask) -> None:
    if task.status != TASK_OPEN:
        raise Conflict(_closed_message(task))


def _require_not_suspended(task: HumanTask) -> None:
    if task.suspended:
        # Conflict, like a task someone else closed: every caller already shows it as "not now, and why".
        raise Conflict(msg("task.suspended", task=task.title))


def _set_assignee(
    session: Session,
    task: HumanTask,
    assignee: str | None,
    now: datetime,
    expected: str | None,
    check_expected: bool,
) -> None:
    """Conditional update: only wins if the task is still open (and still has the expected assignee)."""
    statement = update(HumanTask).where(HumanTask.id == task.id, HumanTask.status == TASK_OPEN)
    if check_expected:
        statement = statement.where(
            HumanTask.assignee.is_(None) if expected is None else HumanTask.assignee == expected
        )
    result = session.execute(
        statement.values(assignee=assignee, claimed_at=now if assignee else None).execution_options(
            synchronize_session=False
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        fresh = session.get(HumanTask, task.id, populate_existing=True)
        if fresh is not None and fresh.status != TASK_OPEN:
            raise Conflict(_closed_message(fresh))
        raise Conflict(msg("task.just_claimed", task=task.title, user=fresh.assignee if fresh else "someone else"))
    session.refresh(task)


@unit_of_work
def claim_task(
    session: Session, actor: Actor, task_ref: str, now: datetime, *, seen_unassigned: bool = False
) -> HumanTask:
    """Take a group task; fails with Conflict if someone else was faster.

    ``seen_unassigned``: the user claims from a list that showed the task without an assignee. Then a
    supervisor does not silently take it from a colleague who claimed it a moment earlier (taking a task
    over is meant for the task page, where the current assignee is shown).
    """
    task = get_task(session, task_ref)
    _require_open(task)
    _require_not_suspended(task)
    if task.assignee == actor.username:
        return task
    if seen_unassigned and task.assignee is not None:
        raise Conflict(msg("task.already_claimed", task=task.title, user=task.assignee))
    if not may_claim(actor, _access(task)):
        if task.assignee:
            raise Conflict(msg("task.already_claimed", task=task.title, user=task.assignee))
        raise PermissionDenied(msg("denied.not_candidate", user=actor.username, task=task.title))
    return _change_assignee(session, actor, task, actor.username, "task_claimed", now)


@unit_of_work
def unclaim_task(session: Session, actor: Actor, task_ref: str, now: datetime) -> HumanTask:
    """Hand a task back to its group."""
    task = get_task(session, task_ref)
    _require_open(task)
    if not may_unclaim(actor, _access(task)):
        raise PermissionDenied(msg("denied.hand_back", task=task.title))
    return _change_assignee(session, actor, task, None, "task_unclaimed", now)


@unit_of_work
def assign_task(session: Session, actor: Actor, task_ref: str, assignee: str | None, now: datetime) -> HumanTask:
    """A team lead (or admin) gives a task to a person, or back to the group with ``None``."""
    task = get_task(session, task_ref)
    _require_open(task)
    if not may_assign(actor):
        raise PermissionDenied(msg("denied.assign_others"))
    if is_excluded(assignee, _access(task)):
        raise PermissionDenied(msg("denied.four_eyes", user=assignee, task=task.title))
    return _change_assignee(session, actor, task, assignee, "task_assigned", now)


def _change_assignee(
    session: Session, actor: Actor, task: HumanTask, assignee: str | None, action: str, now: datetime
) -> HumanTask:
    """Give the task to ``assignee`` (None: back to its group), audit who did it, and commit."""
    previous = task.assignee
    _set_assignee(session, task, assignee, now, previous, check_expected=True)
    record(
        session,
        actor,
        action,
        now,
        instance_id=task.instance_id,
        task_id=task.id,
        element_id=task.element_id,
        before={"assignee": previous},
        after={"assignee": assignee},
    )
    commit(session)
    return task


def task_form(task: HumanTask) -> list[FormField]:
    """The form fields stored on a task row."""
    return [FormField.from_dict(field) for field in task.form or []]


def camunda_form(session: Session, task: HumanTask) -> CamundaForm | None:
    """The Camunda Form the task shows (``zeebe:formDefinition``), or None for a task with formData or no form."""
    if task.form:
        return None
    return camunda_form_for(session, task.instance.definition_id, task.element_id)


def complete_task(session: Session, actor: Actor, task_ref: str, data: dict[str, Any], now: datetime) -> HumanTask:
    """Validate the form data, complete the task, run the engine on and save everything in one commit.

    The loser of a race with another completion is told who completed the task.
    """
    try:
        return _complete_task(session, actor, task_ref, data, now)
    except Conflict:
        fresh = find_task(session, task_ref)
        if fresh is not None:
            session.refresh(fresh)
            if fresh.status == TASK_COMPLETED:
                raise AlreadyCompleted(_closed_message(fresh), fresh.completed_by) from None
        raise


@unit_of_work
def _complete_task(session: Session, actor: Actor, task_ref: str, data: dict[str, Any], now: datetime) -> HumanTask:
    task = get_task(session, task_ref)
    _require_open(task)
    _require_not_suspended(task)
    if not may_complete(actor, _access(task)):
        if task.assignee:
            raise PermissionDenied(msg("denied.assigned_to_other", task=task.title, assignee=task.assignee))
        raise PermissionDenied(msg("denied.not_candidate", user=actor.username, task=task.title))
    if not isinstance(data, dict):
        raise FormValidationError({"": msg("task.form_data_object")})
    camunda = camunda_form(session, task)
    result: FormResult | FormOutcome
    if camunda is not None:
        result = submit(camunda, data, task.instance.variables or {}, now.date())
    else:
        result = validate_form(task_form(task), data)
    if result.errors:
        raise FormValidationError(result.errors)

    instance = get_instance(session, task.instance_id)
    run = load_run(session, instance, now)
    # Timers that fell due while nobody looked fire first, so a late submission cannot cancel an escalation.
    run.advance()
    if not run.is_ready(task.id):
        run_actions(session, instance, run, actor, now)
        save_run(session, instance, run, actor, now)
        commit(session)
        raise Conflict(msg("task.closed_by_deadline", task=task.title))
    before = run.variables()
    run.complete_task(task.id, result.values)
    task.status = TASK_COMPLETED
    task.completed_at = now
    task.completed_by = actor.username
    if task.assignee is None:
        task.assignee = actor.username
    old, new = changed_values(jsonable_data(before), jsonable_data(run.variables()))
    # Recorded before the rows of the next tasks so that the trail reads in the order things happened.
    record(
        session,
        actor,
        "task_completed",
        now,
        instance_id=instance.id,
        task_id=task.id,
        element_id=task.element_id,
        before=old,
        after=new,
    )
    run_actions(session, instance, run, actor, now)
    save_run(session, instance, run, actor, now)
    commit(session)
    return task
