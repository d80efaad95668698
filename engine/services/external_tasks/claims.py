"""The SQL of fetchAndLock and of a worker's report, built once per shape and kept.

Building an SQLAlchemy statement and computing its cache key costs more CPU than the database spends running
a statement this small, and a worker fetches and reports several times a second. The statements take
their values as bound parameters, so one object serves every call of the same shape (which filters each
requested topic has); SQLAlchemy memoizes the key of a kept statement.

Locking is one conditional ``UPDATE ... RETURNING``:

* without variable filters, :func:`claim_statement` picks and locks the best ``:limit`` fetchable tasks in a
  single statement. On PostgreSQL the choice skips rows another worker's transaction holds (``FOR UPDATE
  SKIP LOCKED``), so racing workers take different tasks instead of waiting for each other and losing; on
  SQLite the statement runs under the database's single write lock, so the choice cannot go stale;
* with variable filters (compared in Python), :func:`candidates_statement` lists candidates and
  :data:`LOCK_ONE` locks them one at a time; of two workers racing for one task, the second one's update
  matches no row.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, case, or_, select, update

from engine.store.external_tasks import EXTERNAL_OPEN, ExternalTask
from engine.store.models import INSTANCE_SUSPENDED, ProcessDefinition, ProcessInstance
from engine.store.types import UTCDateTime

#: (use_priority, one (business key?, definition ids?, definition keys?) per requested topic)
Shape = tuple[bool, tuple[tuple[bool, bool, bool], ...]]
_CLAIMS: dict[Shape, Any] = {}
_CANDIDATES: dict[Shape, Any] = {}
_MAX_KEPT = 1000  # shapes are few in practice; a client inventing new ones cannot grow this without bound


def fetchable(now: Any) -> Any:
    """The SQL condition of a task a worker may lock at ``now`` (a datetime or a bound parameter)."""
    return and_(
        ExternalTask.status == EXTERNAL_OPEN,
        or_(ExternalTask.lock_expires_at.is_(None), ExternalTask.lock_expires_at <= now),
        or_(ExternalTask.retries.is_(None), ExternalTask.retries > 0),
    )


LOCK_ONE = (
    update(ExternalTask)
    .where(ExternalTask.id == bindparam("lock_id"), fetchable(bindparam("now")))
    .values(worker_id=bindparam("worker"), lock_expires_at=bindparam("until0", type_=UTCDateTime()))
    .returning(ExternalTask)
    .execution_options(synchronize_session=False, populate_existing=True)
)

# A report's row, its instance and the instance's version in one statement (every report loads the
# instance's run next).
OWN_ROW = (
    select(ExternalTask, ProcessInstance, ProcessDefinition)
    .join(ProcessInstance, ProcessInstance.id == ExternalTask.instance_id)
    .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
    .where(ExternalTask.id == bindparam("task_id"))
)


def _wanted(shape: Shape) -> Any:
    conditions = []
    for index, (by_key, by_ids, by_keys) in enumerate(shape[1]):
        condition = ExternalTask.topic == bindparam(f"topic{index}")
        if by_key:
            condition = and_(condition, ExternalTask.business_key == bindparam(f"bk{index}"))
        if by_ids:
            condition = and_(condition, ExternalTask.definition_id.in_(bindparam(f"ids{index}", expanding=True)))
        if by_keys:
            condition = and_(condition, ExternalTask.process_key.in_(bindparam(f"keys{index}", expanding=True)))
        conditions.append(condition)
    order = [ExternalTask.priority.desc()] if shape[0] else []
    return (
        select(ExternalTask.id)
        .join(ProcessInstance, ProcessInstance.id == ExternalTask.instance_id)
        .where(fetchable(bindparam("now")), ProcessInstance.status != INSTANCE_SUSPENDED)
        .where(or_(*conditions))
        .order_by(*order, ExternalTask.created_at, ExternalTask.id)
        .limit(bindparam("limit"))
    )


def _kept(cache: dict[Shape, Any], shape: Shape, build: Any) -> Any:
    statement = cache.get(shape)
    if statement is None:
        statement = build(shape)
        if len(cache) < _MAX_KEPT:
            cache[shape] = statement
    return statement


def _build_claim(shape: Shape) -> Any:
    # A CTE computed once: as ``id IN (subquery)`` PostgreSQL may run a LIMIT ... SKIP LOCKED subquery again
    # for each row it updates, skipping the rows it just locked itself, and so lock more than ``:limit``.
    chosen = (
        _wanted(shape)
        .with_for_update(skip_locked=True, of=ExternalTask)
        .cte("chosen")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    count = len(shape[1])
    if count == 1:
        until: Any = bindparam("until0", type_=UTCDateTime())
    else:
        # Each topic its own lock duration (a topic named twice: the last entry's, like the candidates path).
        whens = [(ExternalTask.topic == bindparam(f"topic{i}"), bindparam(f"until{i}", type_=UTCDateTime()))
                 for i in range(count)]  # fmt: skip
        until = case(*whens)
    # A Core UPDATE whose RETURNING rows the ORM loads as entities: the ORM's own bulk UPDATE would first
    # work out how to synchronise the session (nothing to do here, it holds no external task yet), which
    # cost about a fifth of a fetch's CPU.
    table = cast(Table, ExternalTask.__table__)
    claim = (
        update(table)
        .where(table.c.id == chosen.c.id, fetchable(bindparam("now")))
        .values(worker_id=bindparam("worker"), lock_expires_at=until)
        .returning(*table.c)
    )
    return select(ExternalTask).from_statement(claim).execution_options(populate_existing=True)


def _build_candidates(shape: Shape) -> Any:
    return _wanted(shape).add_columns(ExternalTask.topic, ExternalTask.variables)


def claim_statement(shape: Shape) -> Any:
    """``UPDATE ... RETURNING`` that locks the best ``:limit`` fetchable tasks of the topics for ``:worker``."""
    return _kept(_CLAIMS, shape, _build_claim)


def candidates_statement(shape: Shape) -> Any:
    """(id, topic, variables) of the best ``:limit`` fetchable tasks of the topics."""
    return _kept(_CANDIDATES, shape, _build_candidates)


def shape_of(topics: list[Any], use_priority: bool) -> Shape:
    """The shape of a fetch: which filters each topic request (a ``TopicRequest``) has."""
    return (
        use_priority,
        tuple((req.business_key is not None, bool(req.definition_ids), bool(req.definition_keys)) for req in topics),
    )


def topic_params(topics: list[Any]) -> dict[str, Any]:
    """The bound values of :func:`shape_of`'s filters, per topic index."""
    params: dict[str, Any] = {}
    for index, request in enumerate(topics):
        params[f"topic{index}"] = request.topic
        params[f"bk{index}"] = request.business_key
        params[f"ids{index}"] = list(request.definition_ids)
        params[f"keys{index}"] = list(request.definition_keys)
    return params
