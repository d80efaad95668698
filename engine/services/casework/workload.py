"""A team lead spreads the work: several open tasks to one colleague (or one group) at once.

All or none in one unit of work: every task is audited (``task_reassigned``, before and after) and its new holder
notified, as when the cockpit reassigns one task; a task the colleague may not work refuses the whole batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import FormValidationError, PermissionDenied
from engine.domain.messages import msg
from engine.services.instances.control import reassign_uncommitted
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.models import HumanTask
from engine.store.users import Group, User

MAX_BATCH = 200


def may_work(session: Session, task: HumanTask, username: str) -> bool:
    """Whether ``username`` is a candidate of the task (member of one of its groups, or named), four-eyes aside."""
    if username in task.excluded_users:
        return False
    if username in task.candidate_users:
        return True
    groups = task.candidate_groups
    if not groups and not task.candidate_users:
        return True
    member = select(User.id).join(User.groups).where(User.username == username, Group.name.in_(groups))
    return session.scalars(member).first() is not None


@unit_of_work
def reassign_tasks(
    session: Session,
    actor: Actor,
    task_ids: Sequence[str],
    now: datetime,
    *,
    user: str | None = None,
    group: str | None = None,
) -> list[HumanTask]:
    """Give every listed open task to ``user``, or offer them unassigned to ``group``; one commit."""
    wanted = list(dict.fromkeys(task_ids))
    if not wanted:
        raise FormValidationError({"task_ids": msg("workload.choose_task")})
    if len(wanted) > MAX_BATCH:
        raise FormValidationError({"task_ids": msg("workload.too_many_tasks", num=MAX_BATCH)})
    done = []
    try:
        for task_id in wanted:
            task = session.get(HumanTask, task_id)
            if user and task is not None and not may_work(session, task, user):
                raise PermissionDenied(msg("workload.user_excluded", user=user, task=task.title))
            done.append(reassign_uncommitted(session, actor, task_id, now, user=user, group=group))
    except Exception:
        session.rollback()
        raise
    commit(session)
    return done
