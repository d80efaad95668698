"""Reading external tasks: the runtime ones (waiting, or stopped by an incident), filtered like Camunda's query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from engine.store.external_tasks import EXTERNAL_INCIDENT, EXTERNAL_OPEN, ExternalTask
from engine.store.models import INSTANCE_SUSPENDED, ProcessInstance

SORT_COLUMNS = {
    "id": ExternalTask.id,
    "lockExpirationTime": ExternalTask.lock_expires_at,
    "processInstanceId": ExternalTask.instance_id,
    "processDefinitionId": ExternalTask.definition_id,
    "processDefinitionKey": ExternalTask.process_key,
    "taskPriority": ExternalTask.priority,
    "createTime": ExternalTask.created_at,
}


@dataclass(frozen=True)
class ExternalTaskFilter:
    """The filters of ``GET/POST /external-task``; ``None`` means "any"."""

    ids: tuple[str, ...] | None = None
    topic: str | None = None
    worker_id: str | None = None
    locked: bool | None = None  # True: locked now, False: not locked now
    retries_left: bool | None = None  # True: withRetriesLeft, False: noRetriesLeft
    activity_ids: tuple[str, ...] | None = None
    instance_ids: tuple[int, ...] | None = None
    definition_id: int | None = None
    suspended: bool | None = None
    priority_at_least: int | None = None
    priority_at_most: int | None = None
    lock_expires_after: datetime | None = None
    lock_expires_before: datetime | None = None
    business_key: str | None = None


def _query(filters: ExternalTaskFilter, now: datetime) -> Select[Any]:
    query = select(ExternalTask).where(ExternalTask.status.in_((EXTERNAL_OPEN, EXTERNAL_INCIDENT)))
    conditions: list[Any] = []
    if filters.ids is not None:
        conditions.append(ExternalTask.id.in_(filters.ids))
    if filters.topic is not None:
        conditions.append(ExternalTask.topic == filters.topic)
    if filters.worker_id is not None:
        conditions.append(ExternalTask.worker_id == filters.worker_id)
    if filters.locked is not None:
        locked = and_(ExternalTask.lock_expires_at.is_not(None), ExternalTask.lock_expires_at > now)
        conditions.append(locked if filters.locked else ~locked)
    if filters.retries_left is not None:
        left = or_(ExternalTask.retries.is_(None), ExternalTask.retries > 0)
        conditions.append(left if filters.retries_left else ~left)
    if filters.activity_ids is not None:
        conditions.append(ExternalTask.element_id.in_(filters.activity_ids))
    if filters.instance_ids is not None:
        conditions.append(ExternalTask.instance_id.in_(filters.instance_ids))
    if filters.definition_id is not None:
        conditions.append(ExternalTask.definition_id == filters.definition_id)
    if filters.priority_at_least is not None:
        conditions.append(ExternalTask.priority >= filters.priority_at_least)
    if filters.priority_at_most is not None:
        conditions.append(ExternalTask.priority <= filters.priority_at_most)
    if filters.lock_expires_after is not None:
        conditions.append(ExternalTask.lock_expires_at > filters.lock_expires_after)
    if filters.lock_expires_before is not None:
        conditions.append(ExternalTask.lock_expires_at < filters.lock_expires_before)
    if filters.business_key is not None:
        conditions.append(ExternalTask.business_key == filters.business_key)
    if filters.suspended is not None:
        query = query.join(ProcessInstance, ProcessInstance.id == ExternalTask.instance_id)
        suspended = ProcessInstance.status == INSTANCE_SUSPENDED
        conditions.append(suspended if filters.suspended else ~suspended)
    return query.where(*conditions)


def find_external_tasks(
    session: Session,
    filters: ExternalTaskFilter,
    now: datetime,
    *,
    sort: list[tuple[str, bool]] | None = None,
    first: int = 0,
    limit: int | None = None,
) -> list[ExternalTask]:
    """The matching tasks, sorted by ``(column name, descending)`` pairs (default: oldest first)."""
    order = [SORT_COLUMNS[name].desc() if desc else SORT_COLUMNS[name] for name, desc in sort or []]
    query = _query(filters, now).order_by(*order, ExternalTask.created_at, ExternalTask.id).offset(first)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def count_external_tasks(session: Session, filters: ExternalTaskFilter, now: datetime) -> int:
    subquery = _query(filters, now).subquery()
    return int(session.scalar(select(func.count()).select_from(subquery)) or 0)


def topic_names(session: Session, *, locked: bool | None = None, now: datetime | None = None) -> list[str]:
    """Topics that have runtime external tasks (``GET /external-task/topic-names``)."""
    filters = ExternalTaskFilter(locked=locked)
    subquery = _query(filters, now or datetime.now().astimezone()).subquery()
    return sorted(set(session.scalars(select(subquery.c.topic).distinct())))


@dataclass(frozen=True)
class TopicSummary:
    """External tasks of one topic for the cockpit: waiting for a worker, locked by one, out of retries."""

    topic: str
    waiting: int
    locked: int
    failed: int
    oldest_waiting: datetime | None


def topic_summary(session: Session, now: datetime) -> list[TopicSummary]:
    """One line per topic with runtime external tasks, by topic name."""
    rows = session.execute(
        select(
            ExternalTask.topic,
            ExternalTask.status,
            ExternalTask.lock_expires_at,
            ExternalTask.worker_id,
            ExternalTask.retries,
            ExternalTask.created_at,
        ).where(ExternalTask.status.in_((EXTERNAL_OPEN, EXTERNAL_INCIDENT)))  # fmt: skip
    ).all()
    counts: dict[str, list[Any]] = {}
    for topic, status, expires, worker, retries, created in rows:
        entry = counts.setdefault(topic, [0, 0, 0, None])
        if status == EXTERNAL_INCIDENT or retries == 0:
            entry[2] += 1
        elif worker is not None and expires is not None and expires > now:
            entry[1] += 1
        else:
            entry[0] += 1
            entry[3] = created if entry[3] is None or created < entry[3] else entry[3]
    return [TopicSummary(topic, *values) for topic, values in sorted(counts.items())]
