"""The --profile option: cProfile one persisted pass and print where its time goes."""

from __future__ import annotations

import cProfile
import io
import os
import pstats

from bench.engine_backends import Backend
from bench.engine_persisted import StepTimes, run_persisted

#: (label, file suffix, function) whose cumulative time the profile summary shows.
PROFILE_POINTS = [
    ("service calls (total)", "engine/services/instances/lifecycle.py", "start_instance"),
    ("service calls (total)", "engine/services/casework/tasks.py", "complete_task"),
    ("ORM queries incl. autoflush", "sqlalchemy/orm/session.py", "_execute_internal"),
    ("  session.get (PK lookups)", "sqlalchemy/orm/session.py", "_get_impl"),
    ("Session.flush (incl. autoflush)", "sqlalchemy/orm/session.py", "_flush"),
    ("Session.commit (last flush + COMMIT)", "sqlalchemy/orm/session.py", "commit"),
    ("DBAPI cursor.execute", "sqlalchemy/engine/default.py", "do_execute"),
    ("DBAPI commit", "sqlalchemy/engine/default.py", "do_commit"),
    ("get_task (task + candidates)", "engine/store/queries.py", "find_task"),
    ("load_run (definition + deserialize)", "engine/services/instances/lifecycle.py", "load_run"),
    ("  deserialize: load_workflow", "engine/runtime/serialization.py", "load_workflow"),
    ("  run cache: take (instead of load)", "engine/services/instances/run_cache.py", "take_run"),
    ("run cache: keep after commit", "engine/services/instances/run_cache.py", "_keep_committed"),
    ("serialize: dump_workflow", "engine/runtime/serialization.py", "dump_workflow"),
    ("engine: WorkflowRun.advance", "engine/runtime/workflow.py", "advance"),
    ("snapshot (tasks/timers/vars)", "engine/runtime/workflow.py", "snapshot"),
    ("save_run (total)", "engine/services/instances/persistence.py", "save_run"),
    ("  _sync_human_tasks", "engine/services/instances/persistence.py", "_sync_human_tasks"),
    ("  _sync_timers", "engine/services/instances/persistence.py", "_sync_timers"),
    ("  _sync_messages", "engine/services/instances/persistence.py", "_sync_messages"),
    ("  _sync_incident", "engine/services/instances/persistence.py", "_sync_incident"),
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
