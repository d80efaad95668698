"""Stored bytes per running instance: the Storage figures, how they are measured and how they are printed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bench.engine_backends import Backend
from bench.engine_workload import ACTOR, PROCESS_KEY, complaint_data, now
from engine.runtime.serialization import decode_state
from engine.services.instances import lifecycle as instances
from engine.store.models import Base, DefinitionResource, ProcessInstance

if TYPE_CHECKING:
    from bench.engine_report import Result

TARGET_BYTES = 4096

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
