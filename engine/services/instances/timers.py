"""Firing timers: the timer rows are the truth; each firing claims its row in the same transaction.

The scheduler (APScheduler, one job per pending timer) and the periodic sweep both end up here. A timer
row is claimed with a conditional update (``pending`` -> ``fired``) inside the unit of work that runs the
workflow step, so two scheduler processes never fire the same timer twice, and a crash before the
commit leaves the row pending, to be fired again rather than lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.util import identity_key

from engine.actions.runner import run_actions
from engine.domain.actors import SYSTEM, Actor
from engine.domain.errors import NotFound
from engine.domain.messages import msg
from engine.services.audit import record
from engine.services.instances.lifecycle import load_run
from engine.services.instances.persistence import save_run
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.models import INSTANCE_COMPLETED, TIMER_FIRED, TIMER_PENDING, PendingTimerRow, ProcessInstance
from engine.store.types import UTCDateTime

# SpiffWorkflow fires a timer only when its due time is strictly before the engine's now.
_STRICTLY_AFTER = timedelta(microseconds=1)


def due_timers(session: Session, now: datetime, limit: int = 500) -> Sequence[PendingTimerRow]:
    """Pending timers whose due time has come, oldest first."""
    return session.scalars(
        select(PendingTimerRow)
        .where(PendingTimerRow.status == TIMER_PENDING, PendingTimerRow.due_at <= now)
        .order_by(PendingTimerRow.due_at, PendingTimerRow.id)
        .limit(limit)
    ).all()


def pending_timers(session: Session) -> Sequence[PendingTimerRow]:
    """Every pending timer with a due time (what the scheduler schedules at start-up)."""
    return session.scalars(
        select(PendingTimerRow)
        .where(PendingTimerRow.status == TIMER_PENDING, PendingTimerRow.due_at.is_not(None))
        .order_by(PendingTimerRow.due_at)
    ).all()


# Built once: the claim runs for every firing, and building the statement costs a good part of running it.
_CLAIM = (
    update(PendingTimerRow)
    .where(
        PendingTimerRow.id == bindparam("claim_id"),
        PendingTimerRow.status == TIMER_PENDING,
        PendingTimerRow.due_at <= bindparam("claim_now", type_=UTCDateTime()),
    )
    .values(status=TIMER_FIRED, fired_at=bindparam("claim_now", type_=UTCDateTime()))
    .returning(PendingTimerRow.instance_id, PendingTimerRow.element_id, PendingTimerRow.due_at)
    .execution_options(synchronize_session=False)
)
# The definition in the same statement as the instance: load_run needs it for the cached specs.
_WITH_DEFINITION = [joinedload(ProcessInstance.definition)]


@unit_of_work
def fire_timer(session: Session, timer_id: str, now: datetime, actor: Actor = SYSTEM) -> bool:
    """Fire one due timer; False when it is not due, or another process claimed it first."""
    # The claim is the first statement: it reads and locks the row in one go (on SQLite the transaction
    # starts as a writer, so it waits for the lock instead of failing on a read-to-write upgrade).
    claimed = session.execute(_CLAIM, {"claim_id": timer_id, "claim_now": now}).one_or_none()
    if claimed is None:
        session.rollback()
        return False
    held = session.identity_map.get(identity_key(PendingTimerRow, timer_id))
    if held is not None:
        # A copy loaded before the claim (fire_due_timers loads them) must not stay "pending" in this session.
        session.expire(held)
    instance_id, element_id = claimed.instance_id, claimed.element_id
    due_at = cast(datetime, claimed.due_at)  # not NULL: the claim matched due_at <= now
    instance = session.get(ProcessInstance, instance_id, options=_WITH_DEFINITION)
    if instance is None:
        raise NotFound(msg("notfound.instance", instance_id=instance_id))
    if instance.status == INSTANCE_COMPLETED:
        commit(session)
        return False
    run = load_run(session, instance, max(now, due_at + _STRICTLY_AFTER))
    run.fire_timers()
    record(
        session,
        actor,
        "timer_fired",
        now,
        instance_id=instance.id,
        element_id=element_id,
        after={"due_at": due_at.isoformat(), "fired_at": now.isoformat()},
    )
    run_actions(session, instance, run, actor, now)
    save_run(session, instance, run, actor, now)
    commit(session)
    return True


def fire_due_timers(session: Session, now: datetime, actor: Actor = SYSTEM) -> int:
    """Fire every timer due at ``now`` (the sweep); returns how many this call fired."""
    fired = 0
    for timer_id in [row.id for row in due_timers(session, now)]:
        if fire_timer(session, timer_id, now, actor):
            fired += 1
    return fired
