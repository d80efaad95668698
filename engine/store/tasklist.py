"""The agents' task list: open human tasks joined with their complaint, filtered on indexed columns.

Business filters (priority, category, channel) read the complaint's columns copied onto the task row
(engine.services.instances.complaint_sync keeps them in step), so each walks one ``(status, column, due_at)`` index
in due order; the search reads the complaint's texts and the copied customer name with ILIKE (rare words
looked up first in trigram indexes: pg_trgm on PostgreSQL, FTS5 on SQLite); the SLA traffic light compares
the task's ``due_at``/``amber_at`` with ``now``.
Nothing deserializes a workflow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select, text
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from engine.store.complaints import Complaint
from engine.store.models import TASK_OPEN, HumanTask, TaskCandidate

SCOPE_MINE = "mine"  # assigned to me
SCOPE_GROUPS = "groups"  # offered to one of my groups (or to me by name), assigned or not
SCOPE_ALL = "all"  # every open task (supervisors)
SCOPES = (SCOPE_MINE, SCOPE_GROUPS, SCOPE_ALL)
LIGHTS = ("red", "amber", "green")
SORTS = ("due", "priority", "age")
COUNT_CAP = 200  # list totals above this show as "200+"
SAVED_FILTER_COUNT_CAP = 100  # saved filter counts above this show as "100+"


# PostgreSQL only (migration 0005): pg_trgm GIN indexes that serve the search's ILIKE '%word%'.
TRIGRAM_INDEXES = (
    "ix_complaint_subject_trgm",
    "ix_complaint_description_trgm",
    "ix_complaint_reference_trgm",
    "ix_human_task_customer_name_trgm",
)
# SQLite only (migration 0010): FTS5 trigram tables (and their shadow tables) that serve the same lookup.
TEXT_SEARCH_TABLES = ("complaint_fts", "human_task_fts")
TEXT_SEARCH_TRIGGERS = tuple(f"{table}_{event}" for table in TEXT_SEARCH_TABLES for event in ("ai", "ad", "au"))
TEXT_SEARCH_OBJECTS = (
    *TRIGRAM_INDEXES,
    *(f"{table}{suffix}" for table in TEXT_SEARCH_TABLES for suffix in ("", "_data", "_idx", "_docsize", "_config")),
    "human_task_fts_content",  # human_task_fts keeps its own copy (migration 0010)
)


@dataclass(frozen=True)
class TaskListCriteria:
    """Who is looking (``username``/``groups``), in which list, with which filters; ``page`` counts from 1."""

    username: str
    groups: tuple[str, ...] = ()
    scope: str = SCOPE_MINE
    priority: str | None = None
    category: str | None = None
    channel: str | None = None
    light: str | None = None
    due_before: datetime | None = None
    assigned: str | None = None  # "assigned" / "unassigned"
    q: str | None = None
    sort: str = "due"
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class TaskListRow:
    """One line of the list: the task, its complaint (None for tasks of processes without one) and customer name."""

    task: HumanTask
    complaint: Complaint | None
    customer_name: str | None


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _light_condition(light: str, now: datetime) -> ColumnElement[bool]:
    if light == "red":
        return HumanTask.due_at < now
    if light == "amber":
        return and_(HumanTask.due_at >= now, HumanTask.amber_at <= now)
    return or_(HumanTask.due_at.is_(None), HumanTask.amber_at > now)


def _words(criteria: TaskListCriteria) -> list[str]:
    return (criteria.q or "").split()[:8]


RARE_WORD_COMPLAINTS = 200  # a word in at most this many complaints is looked up, not walked for
TRIGRAM = 3  # the FTS5 trigram tokenizer cannot look up shorter words


def _search(session: Session, word: str) -> ColumnElement[bool]:
    """The task's complaint mentions ``word`` in its subject, description or reference, or its customer's name does.

    ILIKE on the plain columns (lower(x) LIKE on SQLite): PostgreSQL then has column statistics to estimate how
    many tasks a word keeps; on ``lower(x)`` it assumed 0.5 % and chose hash joins over a million complaints
    (1.2 s for a common word). The complaint is tested per task with a correlated EXISTS while the open tasks are
    walked in due order, which stops after a page of matches for a common word; joined instead, SQLite started
    from the complaints and read all of them for a rare word (3 s). For a rare word (a reference, a name) that
    walk visits every open task, so PostgreSQL first asks the pg_trgm indexes (migration 0005) for the complaints
    that mention it, stopping after :data:`RARE_WORD_COMPLAINTS`: a short list is used as it is. SQLite does the
    same with its FTS5 trigram tables (migration 0010, :func:`_sqlite_rare`); words under 3 characters walk.
    One query cannot hold both plans: an OR across the task and its complaint rules the trigram indexes out, and
    hashing every complaint that mentions a common word takes seconds.
    """
    pattern = _like(word)
    name = HumanTask.customer_name.ilike(pattern, escape="\\")
    dialect = _dialect(session)
    if dialect == "postgresql":
        found = session.scalars(
            select(Complaint.instance_id).where(_mentions(Complaint, pattern)).limit(RARE_WORD_COMPLAINTS + 1)
        ).all()
        if len(found) <= RARE_WORD_COMPLAINTS:
            return or_(HumanTask.instance_id.in_([i for i in found if i is not None]), name)
    elif dialect == "sqlite" and len(word) >= TRIGRAM and _has_text_index(session):
        rare = _sqlite_rare(session, word, pattern, name)
        if rare is not None:
            return rare
    # Its own alias: list_page joins the complaint for display, and the EXISTS must not correlate to that join.
    other = aliased(Complaint)
    return or_(exists().where(other.instance_id == HumanTask.instance_id, _mentions(other, pattern)), name)


def _has_text_index(session: Session) -> bool:
    """Migration 0010's tables and triggers are all there: it leaves them out on SQLite before 3.34 (no trigram
    tokenizer), and a later migration that rebuilds ``complaint`` or ``human_task`` (batch ALTER) drops the
    triggers with the old table; without them the index would go stale, so the search walks instead."""
    names = ", ".join(f"'{name}'" for name in TEXT_SEARCH_TABLES + TEXT_SEARCH_TRIGGERS)
    query = select(func.count()).select_from(text("sqlite_master")).where(text(f"name IN ({names})"))
    return session.scalar(query) == len(TEXT_SEARCH_TABLES + TEXT_SEARCH_TRIGGERS)


def _sqlite_rare(session: Session, word: str, pattern: str, name: ColumnElement[bool]) -> ColumnElement[bool] | None:
    """SQLite's counterpart of the pg_trgm lookup: the FTS5 trigram indexes (migration 0010) name the complaints
    and open tasks that may mention ``word``; None when there are more than :data:`RARE_WORD_COMPLAINTS`.

    The trigram tokenizer folds case for all of Unicode ("MÜLLER" finds "müller"), SQLite's ``lower()`` and LIKE
    only for ASCII, so the index finds a superset; the candidates are then checked with the very LIKE the walk
    uses, and the result is the same task set either way.
    """
    phrase = '"' + word.replace('"', '""') + '"'  # one FTS5 string: a substring of the text, no query syntax
    limit = RARE_WORD_COMPLAINTS + 1
    complaint_ids = session.scalars(
        text("SELECT rowid FROM complaint_fts WHERE complaint_fts MATCH :q LIMIT :n"), {"q": phrase, "n": limit}
    ).all()
    task_ids = session.scalars(
        text(
            "SELECT human_task.id FROM human_task_fts JOIN human_task ON human_task.id = human_task_fts.task_id"
            " WHERE human_task_fts MATCH :q AND human_task.status = :open LIMIT :n"
        ),
        {"q": phrase, "open": TASK_OPEN, "n": limit},
    ).all()
    if len(complaint_ids) > RARE_WORD_COMPLAINTS or len(task_ids) > RARE_WORD_COMPLAINTS:
        return None
    instances = session.scalars(
        select(Complaint.instance_id).where(Complaint.id.in_(complaint_ids), _mentions(Complaint, pattern))
    ).all()
    named = session.scalars(select(HumanTask.id).where(HumanTask.id.in_(task_ids), name)).all()
    return or_(HumanTask.instance_id.in_([i for i in instances if i is not None]), HumanTask.id.in_(named))


def _mentions(complaint: Any, pattern: str) -> ColumnElement[bool]:
    columns = (complaint.subject, complaint.description, complaint.reference)
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


def _filtered(
    query: Select, criteria: TaskListCriteria, now: datetime, session: Session, with_light: bool = True
) -> Select:
    query = query.where(HumanTask.status == TASK_OPEN)
    if criteria.scope == SCOPE_MINE:
        query = query.where(HumanTask.assignee == criteria.username)
    elif criteria.scope == SCOPE_GROUPS:
        offered = or_(
            and_(TaskCandidate.kind == "user", TaskCandidate.name == criteria.username),
            and_(TaskCandidate.kind == "group", TaskCandidate.name.in_(criteria.groups or ("",))),
        )
        # Correlated, so the database walks the open tasks in due order and probes each task's candidates
        # by task id, instead of reading every candidate row of every task ever offered to the group.
        query = query.where(exists().where(TaskCandidate.task_id == HumanTask.id, offered))
    if criteria.priority:
        query = query.where(HumanTask.complaint_priority == criteria.priority)
    if criteria.category:
        query = query.where(HumanTask.category == criteria.category)
    if criteria.channel:
        query = query.where(HumanTask.channel == criteria.channel)
    if criteria.due_before is not None:
        query = query.where(HumanTask.due_at <= criteria.due_before)
    if criteria.assigned == "assigned":
        query = query.where(HumanTask.assignee.is_not(None))
    elif criteria.assigned == "unassigned":
        query = query.where(HumanTask.assignee.is_(None))
    for word in _words(criteria):
        query = query.where(_search(session, word))
    if with_light and criteria.light in LIGHTS:
        query = query.where(_light_condition(criteria.light, now))
    return query


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _ordered(query: Select, sort: str) -> Select:
    # NULLS LAST rather than "due_at IS NULL" first: the (status, due_at) index then yields the order.
    due = (HumanTask.due_at.asc().nulls_last(),)
    if sort == "priority":
        return query.order_by(HumanTask.priority.desc(), *due, HumanTask.id)
    if sort == "age":
        return query.order_by(HumanTask.created_at, HumanTask.id)
    return query.order_by(*due, HumanTask.priority.desc(), HumanTask.created_at, HumanTask.id)


def list_page(session: Session, criteria: TaskListCriteria, now: datetime) -> Sequence[TaskListRow]:
    """One page of the list."""
    joined = select(HumanTask, Complaint).outerjoin(Complaint, Complaint.instance_id == HumanTask.instance_id)
    query: Select = _filtered(joined, criteria, now, session)
    query = (
        _ordered(query, criteria.sort).limit(criteria.per_page).offset((max(criteria.page, 1) - 1) * criteria.per_page)
    )
    return [TaskListRow(task, complaint, task.customer_name) for task, complaint in session.execute(query)]


def count(session: Session, criteria: TaskListCriteria, now: datetime, cap: int | None = None) -> int:
    """How many tasks match, counted up to ``cap`` (lists show "200+"): the cost stays bounded however long
    the backlog grows, since the database stops at the cap instead of visiting every match."""
    cap = COUNT_CAP if cap is None else cap
    inner = _filtered(select(HumanTask.id), criteria, now, session).limit(cap + 1).subquery()
    return min(session.scalar(select(func.count()).select_from(inner)) or 0, cap + 1)


@dataclass(frozen=True)
class ListSummary:
    """Counts for a list: all matches and per traffic light, from one scan of at most ``cap`` + 1 tasks.

    When ``capped``, the scan stopped: ``total`` reads "200+", and the light counts are lower bounds (red is
    exact below the cap, since overdue tasks come first in due order).
    """

    total: int
    lights: dict[str, int]
    capped: bool


def _light(due_at: datetime | None, amber: datetime | None, now: datetime) -> str:
    if due_at is not None and due_at < now:
        return "red"
    if amber is not None and amber <= now:
        return "amber"
    return "green"


def summary(session: Session, criteria: TaskListCriteria, now: datetime, cap: int | None = None) -> ListSummary:
    """Total and traffic light counts of the list (ignoring its light filter), the most urgent first."""
    cap = COUNT_CAP if cap is None else cap
    columns = select(HumanTask.due_at, HumanTask.amber_at)
    scan = _filtered(columns, replace(criteria, light=None), now, session)
    scan = _ordered(scan, "due")

    lights = dict.fromkeys(LIGHTS, 0)
    seen = 0
    for due_at, amber in session.execute(scan.limit(cap + 1)):
        lights[_light(due_at, amber, now)] += 1
        seen += 1
    capped = seen > cap
    total = lights[criteria.light] if criteria.light in LIGHTS else min(seen, cap)
    return ListSummary(total, lights, capped)


def distinct_values(session: Session, column: Any) -> list[str]:
    """Values in use for an indexed complaint column (filter choices such as categories).

    A loose index scan (one index probe per distinct value) instead of DISTINCT over a million rows.
    """
    table, name = column.table.name, column.name
    step = text(
        f"WITH RECURSIVE v(value) AS ("  # noqa: S608 - table and column names come from the models
        f" SELECT min({name}) FROM {table}"
        f" UNION ALL SELECT (SELECT min({name}) FROM {table} WHERE {name} > v.value) FROM v WHERE v.value IS NOT NULL"
        f") SELECT value FROM v WHERE value IS NOT NULL"
    )
    return [value for value in session.scalars(step) if value]
