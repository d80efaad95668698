"""Engine benchmark: persisted complaints per second vs. plain SpiffWorkflow, and stored bytes per instance.

Runs the example diagram ``examples/complaint_basic.bpmn`` (+ ``complaint_priority.dmn``):
start -> DMN classify -> "handle_complaint" -> gateway -> "approve_resolution" (refund > 200) -> end.
Half of the complaints take the approval path (refund 500), half do not (refund 50).

Usage (from the repository root)::

    .venv/bin/python bench/engine.py [--complaints 300] [--warmup] [--no-postgres] [--profile]

PostgreSQL: ``COMPLAINTFLOW_TEST_POSTGRES_URL`` (admin URL) is used when set, with a fresh database
``cf_bench`` that is dropped afterwards; otherwise a temporary server is started and stopped again.
This is a benchmark, not a test: it prints figures and only fails if the engine misbehaves.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file is called engine.py: run as a script, its folder would come first on sys.path and the
# script would shadow the ``engine`` package. Put the repository root there instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from functools import partial  # noqa: E402
from typing import Any  # noqa: E402

from sqlalchemy import Engine, event, select, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from engine.domain.actors import Actor  # noqa: E402
from engine.runtime.parser import Resource, parse_process  # noqa: E402
from engine.runtime.serialization import SPEC_CACHE, ParsedDefinition, decode_state  # noqa: E402
from engine.runtime.workflow import WorkflowRun  # noqa: E402
from engine.services import deployment, instances, tasks  # noqa: E402
from engine.store import schema  # noqa: E402
from engine.store.database import make_engine, make_session_factory  # noqa: E402
from engine.store.models import (  # noqa: E402
    INSTANCE_COMPLETED,
    TASK_OPEN,
    Base,
    DefinitionResource,
    HumanTask,
    ProcessInstance,
)

PROCESS_KEY = "complaint_basic"
EXAMPLES = ROOT / "examples"
FILES = ("complaint_basic.bpmn", "complaint_priority.dmn")
ACTOR = Actor("bench", roles=frozenset({"admin"}))
REPETITIONS = 3
WARMUP_COMPLAINTS = 20
TARGET_RATIO = 0.5
TARGET_BYTES = 4096
PG_DATABASE = "cf_bench"

#: Tables whose rows belong to one instance, with the condition selecting the rows of instances lo..hi.
INSTANCE_ROWS = {
    "process_instance": "id BETWEEN :lo AND :hi",
    "human_task": "instance_id BETWEEN :lo AND :hi",
    "task_candidate": "task_id IN (SELECT id FROM human_task WHERE instance_id BETWEEN :lo AND :hi)",
    "audit_entry": "instance_id BETWEEN :lo AND :hi",
    "timer": "instance_id BETWEEN :lo AND :hi",
    "message_subscription": "instance_id BETWEEN :lo AND :hi",
    "incident": "instance_id BETWEEN :lo AND :hi",
}


def now() -> datetime:
    """The real clock, as the web layer would pass it down."""
    return datetime.now(UTC)


def load_resources() -> list[Resource]:
    """The example BPMN and DMN files, decoded the way an upload is."""
    return [deployment.decode_upload(name, (EXAMPLES / name).read_bytes()) for name in FILES]


def complaint_data(number: int) -> dict[str, Any]:
    """Start data of complaint ``number``; categories alternate so both DMN rules are hit."""
    return {
        "complaint_id": number,
        "customer": f"Customer {number}",
        "category": "billing" if number % 2 else "delivery",
        "amount": 120 + number % 50,
    }


def needs_approval(number: int) -> bool:
    """Every other complaint gets a refund above 200 and therefore the approval step."""
    return number % 2 == 0


def handling_values(number: int) -> dict[str, Any]:
    """Form values of "handle_complaint"."""
    return {"resolution": "refund", "refund_amount": 500 if needs_approval(number) else 50, "reply": "We refund it."}


APPROVAL_VALUES: dict[str, Any] = {"approved": True, "approval_note": "ok"}


# -- in-memory baseline ---------------------------------------------------------------------------------


def _start_run(definition: ParsedDefinition, data: dict[str, Any]) -> WorkflowRun:
    return WorkflowRun.start(definition, data, now())


def _restore_run(definition: ParsedDefinition, state: bytes) -> WorkflowRun:
    return WorkflowRun.restore(definition, state, now())


def run_in_memory(definition: ParsedDefinition, numbers: range, roundtrip: bool = False) -> float:
    """Run complaints with WorkflowRun only; with ``roundtrip`` each step also dumps and restores the state.

    Returns the elapsed seconds.
    """
    started = time.perf_counter()
    for number in numbers:
        run = _start_run(definition, complaint_data(number))
        steps = 0
        while True:
            if roundtrip:
                run = _restore_run(definition, run.dump())
            ready = run.human_tasks()
            if not ready:
                break
            task = ready[0]
            run.complete_task(task.task_id, handling_values(number) if steps == 0 else APPROVAL_VALUES)
            steps += 1
        if not run.workflow.is_completed() or steps != (2 if needs_approval(number) else 1):
            raise RuntimeError(f"in-memory complaint {number} did not finish as expected ({steps} steps)")
    return time.perf_counter() - started


# -- persisted path ---------------------------------------------------------------------------------------


class StatementCounter:
    """Counts statements the engine sends to the database (one round-trip each)."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


@dataclass
class Backend:
    """A migrated database with the example deployed."""

    name: str
    engine: Engine
    sessions: sessionmaker[Session]
    counter: StatementCounter


def prepare_backend(name: str, url: str) -> Backend:
    """Create the schema and deploy the example (outside the measurement)."""
    engine = make_engine(url)
    schema.upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions() as session:
        deployment.deploy(session, ACTOR, load_resources(), now())
    return Backend(name, engine, sessions, StatementCounter(engine))


def _open_task_id(backend: Backend, instance_id: int) -> str | None:
    """The id of the instance's open task (as the URL of the task form would carry it)."""
    with backend.sessions() as session:
        return session.scalars(
            select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.status == TASK_OPEN)
        ).first()


STEPS = ("start", "handle", "approve")


@dataclass
class StepTimes:
    """Seconds and SQL statements of every service call, by step."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: {step: [] for step in STEPS})
    statements: dict[str, list[int]] = field(default_factory=lambda: {step: [] for step in STEPS})


def _timed(backend: Backend, step: str, times: StepTimes, call: Callable[[Session], Any]) -> tuple[Any, float]:
    """Run one service call in a fresh session (as a web request would), timing session + call + close."""
    before = backend.counter.count
    started = time.perf_counter()
    with backend.sessions() as session:
        result = call(session)
    seconds = time.perf_counter() - started
    times.seconds[step].append(seconds)
    times.statements[step].append(backend.counter.count - before)
    return result, seconds


def _start(session: Session, data: dict[str, Any]) -> int:
    """The "new complaint" request."""
    return instances.start_instance(session, ACTOR, PROCESS_KEY, data, now()).id


def _complete(session: Session, task_id: str, values: dict[str, Any]) -> None:
    """The "submit task form" request."""
    tasks.complete_task(session, ACTOR, task_id, values, now())


def run_persisted(backend: Backend, numbers: range, times: StepTimes) -> float:
    """Run complaints through the services, each step its own session and transaction.

    Returns the seconds spent in the service calls; looking up the next task's id (which a web request
    gets from its URL) and the final status check are not counted.
    """
    elapsed = 0.0
    for number in numbers:
        data = complaint_data(number)
        instance_id, seconds = _timed(backend, "start", times, partial(_start, data=data))
        elapsed += seconds
        steps = [("handle", handling_values(number))] + (
            [("approve", APPROVAL_VALUES)] if needs_approval(number) else []
        )
        for step, values in steps:
            task_id = _open_task_id(backend, instance_id)
            if task_id is None:
                raise RuntimeError(f"complaint {number} has no open task for step {step}")
            _, seconds = _timed(backend, step, times, partial(_complete, task_id=task_id, values=values))
            elapsed += seconds
        with backend.sessions() as session:
            instance = session.get(ProcessInstance, instance_id)
            status = instance.status if instance else "missing"
        if status != INSTANCE_COMPLETED or _open_task_id(backend, instance_id) is not None:
            raise RuntimeError(f"persisted complaint {number} ended as {status}")
    return elapsed


# -- stored bytes -----------------------------------------------------------------------------------------


@dataclass
class Storage:
    """Bytes of the rows that belong to ``instances`` running instances, and of the stored definition."""

    instances: int
    tables: dict[str, tuple[int, int]]  # table -> (rows, column bytes)
    state_bytes: int
    variables_bytes: int
    disk_growth: int
    definition_rows: tuple[int, int]  # definition_resource rows before / after starting the instances
    definition_bytes: tuple[int, int]
    xml_bytes: int
    state_has_spec: bool

    @property
    def total(self) -> int:
        return sum(size for _, size in self.tables.values())


def _column_bytes(dialect: str, column: str) -> str:
    """SQL for the stored size of one column value (0 for NULL)."""
    if dialect == "postgresql":
        return f'coalesce(pg_column_size("{column}"), 0)'
    # SQLite: bytes of TEXT/BLOB values; numbers count as their text form (close to SQLite's varints).
    return f'coalesce(length(CAST("{column}" AS BLOB)), 0)'


def _disk_bytes(session: Session) -> int:
    """Allocated bytes of all tables with their indexes (and TOAST on PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        query = (
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
        )
    else:
        query = "SELECT coalesce(sum(pgsize), 0) FROM dbstat"
    return int(session.execute(text(query)).scalar_one())


def _definition_size(session: Session) -> tuple[int, int]:
    """Rows and content bytes of definition_resource."""
    rows, size = session.execute(
        text(
            "SELECT count(*), coalesce(sum(" + _column_bytes(session.get_bind().dialect.name, "content") + "), 0) "
            "FROM definition_resource"
        )
    ).one()
    return int(rows), int(size)


def measure_storage(backend: Backend, numbers: range) -> Storage:
    """Start one instance per number (left waiting at the first user task) and size their rows."""
    with backend.sessions() as session:
        definition_before = _definition_size(session)
        disk_before = _disk_bytes(session)
    ids = []
    for number in numbers:
        with backend.sessions() as session:
            ids.append(instances.start_instance(session, ACTOR, PROCESS_KEY, complaint_data(number), now()).id)
    lo, hi = min(ids), max(ids)
    if hi - lo + 1 != len(ids):
        raise RuntimeError("the storage batch's instance ids are not contiguous")
    dialect = backend.engine.dialect.name
    bounds = {"lo": lo, "hi": hi}
    tables = {}
    with backend.sessions() as session:
        disk_after = _disk_bytes(session)
        for table, condition in INSTANCE_ROWS.items():
            columns = " + ".join(_column_bytes(dialect, c.name) for c in Base.metadata.tables[table].columns)
            rows, size = session.execute(
                text(f"SELECT count(*), coalesce(sum({columns}), 0) FROM {table} WHERE {condition}"), bounds
            ).one()
            tables[table] = (int(rows), int(size))
        state_bytes, variables_bytes = session.execute(
            text(
                f"SELECT sum({_column_bytes(dialect, 'state')}), sum({_column_bytes(dialect, 'variables')}) "
                "FROM process_instance WHERE id BETWEEN :lo AND :hi"
            ),
            bounds,
        ).one()
        definition_after = _definition_size(session)
        state = session.get(ProcessInstance, lo)
        decoded = decode_state(state.state) if state else {}
        xml_bytes = sum(len(r.content.encode()) for r in session.scalars(select(DefinitionResource)))
    open_tasks = tables["human_task"][0]
    if tables["process_instance"][0] != len(ids) or open_tasks != len(ids):
        raise RuntimeError(f"expected {len(ids)} instances with one open task each, found {open_tasks} tasks")
    return Storage(
        instances=len(ids),
        tables=tables,
        state_bytes=int(state_bytes),
        variables_bytes=int(variables_bytes),
        disk_growth=disk_after - disk_before,
        definition_rows=(definition_before[0], definition_after[0]),
        definition_bytes=(definition_before[1], definition_after[1]),
        xml_bytes=xml_bytes,
        state_has_spec="spec" in decoded or "subprocess_specs" in decoded,
    )


# -- databases --------------------------------------------------------------------------------------------


@contextmanager
def sqlite_url() -> Iterator[str]:
    """A SQLite file in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="cf-bench-") as folder:
        yield f"sqlite:///{folder}/bench.sqlite"


class PostgresUnavailable(Exception):
    """No PostgreSQL server could be started or reached; the PostgreSQL figures are skipped."""


@contextmanager
def postgres_url() -> Iterator[str]:
    """A fresh ``cf_bench`` database on the given or a temporary server; dropped (and stopped) afterwards."""
    from tests.support import postgres_server

    admin_url = os.environ.get(postgres_server.ENV_URL)
    server = None
    if not admin_url:
        print("  (COMPLAINTFLOW_TEST_POSTGRES_URL not set: starting a temporary PostgreSQL server)", flush=True)
        try:
            server = postgres_server.TemporaryPostgres().start()
        except (RuntimeError, OSError) as error:
            raise PostgresUnavailable(str(error).splitlines()[0]) from None
        admin_url = server.url
    try:
        try:
            postgres_server.drop_database_on(admin_url, PG_DATABASE)  # a leftover of an interrupted run
            url = postgres_server.create_database_on(admin_url, PG_DATABASE)
        except Exception as error:
            raise PostgresUnavailable(f"cannot create {PG_DATABASE}: {error}") from None
        try:
            yield url
        finally:
            postgres_server.drop_database_on(admin_url, PG_DATABASE)
    finally:
        if server is not None:
            server.stop()


# -- reporting --------------------------------------------------------------------------------------------


@dataclass
class Result:
    """Median figures of one configuration."""

    label: str
    seconds: list[float]
    complaints: int
    steps: StepTimes | None = None
    storage: Storage | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def throughput(self) -> float:
        return self.complaints / self.median


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.2f}" if values else "      -"


def _statements(values: list[int]) -> str:
    return f"{statistics.median(values):5.0f}" if values else "    -"


def print_throughput(baseline: Result, others: list[Result], persisted: list[Result]) -> None:
    """The complaints-per-second table, the per-step table and the ratio verdicts."""
    print(
        f"\nThroughput, median of {len(baseline.seconds)} runs of {baseline.complaints} complaints "
        f"({(baseline.complaints + 1) // 2} with approval)"
    )
    print(f"  {'configuration':<34}{'complaints/s':>13}{'ms/complaint':>14}{'runs (s)':>24}")
    for result in [baseline, *others, *persisted]:
        runs = " ".join(f"{s:.2f}" for s in result.seconds)
        print(
            f"  {result.label:<34}{result.throughput:13.1f}{result.median / result.complaints * 1000:14.2f}{runs:>24}"
        )
    print("\nPersisted steps, median ms per service call (session + call + commit) / SQL statements sent")
    print(
        f"  {'database':<12}{'start':>9}{'handle':>9}{'approve':>9}   {'stmts: start':>12}{'handle':>7}{'approve':>8}"
    )
    for result in persisted:
        assert result.steps is not None
        s = result.steps
        print(
            f"  {result.label.split()[0]:<12}{_ms(s.seconds['start']):>9}{_ms(s.seconds['handle']):>9}"
            f"{_ms(s.seconds['approve']):>9}   {_statements(s.statements['start']):>12}"
            f"{_statements(s.statements['handle']):>7}{_statements(s.statements['approve']):>8}"
        )
    print(f"\nRatio against the in-memory baseline (target: persisted/in-memory throughput >= {TARGET_RATIO})")
    for result in persisted:
        ratio = result.throughput / baseline.throughput
        verdict = "MET" if ratio >= TARGET_RATIO else "NOT MET"
        print(
            f"  {result.label.split()[0]:<12}persisted/in-memory throughput = {ratio:.3f}  -> target {verdict}; "
            f"inverse (in-memory/persisted, times slower) = {1 / ratio:.1f}x"
        )


def print_storage(results: list[Result]) -> None:
    """Bytes per running instance, per table, for every database."""
    measured = [r for r in results if r.storage is not None]
    if not measured:
        return
    first = measured[0].storage
    assert first is not None
    print(
        f'\nStored bytes per running instance ({first.instances} instances waiting at "handle_complaint"; '
        "column payload)"
    )
    names = [r.label.split()[0] for r in measured]
    print(f"  {'rows of':<30}" + "".join(f"{name:>12}" for name in names))

    def line(label: str, value: Callable[[Storage], float]) -> None:
        cells = "".join(f"{value(r.storage):12.0f}" for r in measured if r.storage)
        print(f"  {label:<30}{cells}")

    def table_bytes(table: str) -> Callable[[Storage], float]:
        return lambda s: s.tables[table][1] / s.instances

    for table in INSTANCE_ROWS:
        line(f"{table} ({first.tables[table][0] / first.instances:g}/inst)", table_bytes(table))
    line("  of which state blob", lambda s: s.state_bytes / s.instances)
    line("  of which variables JSON", lambda s: s.variables_bytes / s.instances)
    line("total", lambda s: s.total / s.instances)
    line("on-disk growth (pages, +indexes)", lambda s: s.disk_growth / s.instances)
    for result in measured:
        s = result.storage
        assert s is not None
        per_instance = s.total / s.instances
        verdict = "MET" if per_instance <= TARGET_BYTES else "NOT MET"
        once = s.definition_rows[0] == s.definition_rows[1] and s.definition_bytes[0] == s.definition_bytes[1]
        print(
            f"  {result.label.split()[0]}: {per_instance:.0f} B/instance -> target <= {TARGET_BYTES} B {verdict} "
            f"(on disk incl. indexes: {s.disk_growth / s.instances:.0f} B); definition_resource "
            f"{s.definition_rows[1]} rows / {s.definition_bytes[1]} B stored (XML {s.xml_bytes} B) for 1 version, "
            f"{'unchanged' if once else 'CHANGED'} by {s.instances} starts; "
            f"state blob {'CONTAINS' if s.state_has_spec else 'has no'} spec"
        )


# -- profile ----------------------------------------------------------------------------------------------

#: (label, file suffix, function) whose cumulative time the profile summary shows.
PROFILE_POINTS = [
    ("service calls (total)", "engine/services/instances.py", "start_instance"),
    ("service calls (total)", "engine/services/tasks.py", "complete_task"),
    ("ORM queries incl. autoflush", "sqlalchemy/orm/session.py", "_execute_internal"),
    ("  session.get (PK lookups)", "sqlalchemy/orm/session.py", "_get_impl"),
    ("Session.flush (incl. autoflush)", "sqlalchemy/orm/session.py", "_flush"),
    ("Session.commit (last flush + COMMIT)", "sqlalchemy/orm/session.py", "commit"),
    ("DBAPI cursor.execute", "sqlalchemy/engine/default.py", "do_execute"),
    ("DBAPI commit", "sqlalchemy/engine/default.py", "do_commit"),
    ("get_task (task + candidates)", "engine/store/queries.py", "find_task"),
    ("load_run (definition + deserialize)", "engine/services/instances.py", "load_run"),
    ("  deserialize: load_workflow", "engine/runtime/serialization.py", "load_workflow"),
    ("serialize: dump_workflow", "engine/runtime/serialization.py", "dump_workflow"),
    ("engine: WorkflowRun.advance", "engine/runtime/workflow.py", "advance"),
    ("snapshot (tasks/timers/vars)", "engine/runtime/workflow.py", "snapshot"),
    ("save_run (total)", "engine/services/persistence.py", "save_run"),
    ("  _sync_human_tasks", "engine/services/persistence.py", "_sync_human_tasks"),
    ("  _sync_timers", "engine/services/persistence.py", "_sync_timers"),
    ("  _sync_messages", "engine/services/persistence.py", "_sync_messages"),
    ("  _sync_incident", "engine/services/persistence.py", "_sync_incident"),
]

#: Own-time buckets for the layer summary: (label, substrings of the file or function name).
PROFILE_LAYERS = [
    ("SQLAlchemy (ORM + Core)", ("sqlalchemy",)),
    ("DB driver (sqlite3 / psycopg)", ("sqlite3", "psycopg")),
    ("SpiffWorkflow", ("SpiffWorkflow",)),
    ("json / zlib / uuid", ("json", "zlib", "uuid")),
    ("complaintflow engine code", ("/engine/", "/bench/")),
]


def profile_persisted(backend: Backend, numbers: range) -> None:
    """cProfile one persisted pass and print where its time goes (for tuning, not a figure to compare)."""
    profiler = cProfile.Profile()
    times = StepTimes()
    profiler.enable()
    run_persisted(backend, numbers, times)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = sum(sum(series) for series in times.seconds.values())
    print(
        f"\nProfile of {len(numbers)} persisted complaints on {backend.name} (cumulative, incl. nested calls; "
        f"service time under the profiler {total:.2f}s)"
    )
    cumulative: dict[str, float] = {}
    for (filename, _line, function), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        for label, suffix, name in PROFILE_POINTS:
            if function == name and filename.replace(os.sep, "/").endswith(suffix):
                cumulative[label] = cumulative.get(label, 0.0) + ct
    base = cumulative.get("service calls (total)", total) or 1.0
    for label in dict.fromkeys(point[0] for point in PROFILE_POINTS):
        if label in cumulative:
            value = cumulative[label]
            print(f"  {label:<38}{value:8.2f}s {value / base * 100:5.1f}%")
    layers: dict[str, float] = {}
    for (filename, _line, function), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{filename} {function}"
        label = next((name for name, keys in PROFILE_LAYERS if any(key in where for key in keys)), "other")
        layers[label] = layers.get(label, 0.0) + tt
    own = sum(layers.values()) or 1.0
    print(
        "  own time by layer: "
        + ", ".join(
            f"{name} {value / own * 100:.0f}%" for name, value in sorted(layers.items(), key=lambda item: -item[1])
        )
    )
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    print("  top functions by own time:")
    for row in out.getvalue().splitlines():
        if row.lstrip()[:1].isdigit() and "function calls" not in row:
            print("   ", row.strip()[:150])


# -- main -------------------------------------------------------------------------------------------------


def bench_in_memory(definition: ParsedDefinition, count: int, warmup: bool) -> list[Result]:
    """The baseline (WorkflowRun only) and, for scale, the same with a state dump/restore per step."""
    if warmup:
        run_in_memory(definition, range(10**6, 10**6 + WARMUP_COMPLAINTS))
        run_in_memory(definition, range(10**6, 10**6 + WARMUP_COMPLAINTS), roundtrip=True)
    plain = [run_in_memory(definition, range(count)) for _ in range(REPETITIONS)]
    roundtrip = [run_in_memory(definition, range(count), roundtrip=True) for _ in range(REPETITIONS)]
    return [
        Result("in-memory (WorkflowRun, baseline)", plain, count),
        Result("in-memory + dump/restore per step", roundtrip, count),
    ]


def bench_backend(name: str, url: str, count: int, warmup: bool, profile: bool) -> Result:
    """Storage first (on the fresh database, so sizes are not blurred by free space), then throughput."""
    print(f"  {name}: migrating and deploying ...", flush=True)
    backend = prepare_backend(name, url)
    try:
        if warmup:
            run_persisted(backend, range(10**6, 10**6 + WARMUP_COMPLAINTS), StepTimes())
        storage = measure_storage(backend, range(2 * 10**6, 2 * 10**6 + count))
        times = StepTimes()
        seconds = []
        for repetition in range(REPETITIONS):
            first = (repetition + 3) * 10**6
            seconds.append(run_persisted(backend, range(first, first + count), times))
            print(f"  {name}: run {repetition + 1}/{REPETITIONS} {seconds[-1]:.2f}s", flush=True)
        if profile:
            profile_persisted(backend, range(9 * 10**6, 9 * 10**6 + min(count, 100)))
        return Result(f"{name} (persisted)", seconds, count, times, storage)
    finally:
        backend.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run every configuration and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=300, help="complaints per run (default 300)")
    parser.add_argument("--warmup", action="store_true", help=f"run {WARMUP_COMPLAINTS} untimed complaints first")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--profile", action="store_true", help="also cProfile one persisted pass per database")
    args = parser.parse_args(argv)
    if args.complaints < 2:
        parser.error("--complaints must be at least 2")
    wall = time.perf_counter()
    SPEC_CACHE.clear()
    resources = [Resource(r.filename, r.content) for r in load_resources()]
    started = time.perf_counter()
    definition = ParsedDefinition(*parse_process(resources, PROCESS_KEY))
    print(
        f"complaintflow engine benchmark: {PROCESS_KEY} ({', '.join(FILES)}), "
        f"parsed in {(time.perf_counter() - started) * 1000:.0f} ms; {args.complaints} complaints per run"
    )
    print("  in-memory ...", flush=True)
    baseline, *others = bench_in_memory(definition, args.complaints, args.warmup)
    persisted = []
    with sqlite_url() as url:
        persisted.append(bench_backend("sqlite", url, args.complaints, args.warmup, args.profile))
    if not args.no_postgres:
        try:
            with postgres_url() as url:
                persisted.append(bench_backend("postgres", url, args.complaints, args.warmup, args.profile))
        except PostgresUnavailable as error:
            print(f"  postgres skipped: {error}", flush=True)
    print_throughput(baseline, others, persisted)
    print_storage(persisted)
    print(f"\n(total wall time {time.perf_counter() - wall:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
