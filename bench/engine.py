"""Engine benchmark: persisted complaints per second vs. plain SpiffWorkflow, and stored bytes per instance.

Runs the example diagram ``examples/complaint_basic.bpmn`` (+ ``complaint_priority.dmn``):
start -> DMN classify -> "handle_complaint" -> gateway -> "approve_resolution" (refund > 200) -> end.
Half of the complaints take the approval path (refund 500), half do not (refund 50).

Usage (from the repository root)::

    .venv/bin/python bench/engine.py [--complaints 300] [--warmup] [--no-postgres] [--profile] [--no-run-cache]

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
import time  # noqa: E402

from bench.engine_backends import PostgresUnavailable, postgres_url, prepare_backend, sqlite_url  # noqa: E402
from bench.engine_persisted import StepTimes, run_persisted  # noqa: E402
from bench.engine_profile import profile_persisted  # noqa: E402
from bench.engine_report import Result, print_throughput  # noqa: E402
from bench.engine_storage import measure_storage, print_storage  # noqa: E402
from bench.engine_workload import (  # noqa: E402
    FILES,
    PROCESS_KEY,
    REPETITIONS,
    WARMUP_COMPLAINTS,
    load_resources,
    run_in_memory,
)
from engine.bpmn.resources import Resource  # noqa: E402
from engine.runtime.parser import parse_process  # noqa: E402
from engine.runtime.serialization import SPEC_CACHE, ParsedDefinition  # noqa: E402
from engine.services.instances.run_cache import RUN_CACHE  # noqa: E402


def bench_in_memory(definition: ParsedDefinition, count: int, warmup: bool) -> list[Result]:
    """The baseline (WorkflowRun only) and, for scale, the same with a state dump/restore per step."""
    if warmup:
        run_in_memory(definition, range(10**6, 10**6 + WARMUP_COMPLAINTS))
        run_in_memory(definition, range(10**6, 10**6 + WARMUP_COMPLAINTS), roundtrip=True)
    plain, plain_cpu, roundtrip, roundtrip_cpu = [], [], [], []
    for _ in range(REPETITIONS):
        cpu = time.process_time()
        plain.append(run_in_memory(definition, range(count)))
        plain_cpu.append(time.process_time() - cpu)
    for _ in range(REPETITIONS):
        cpu = time.process_time()
        roundtrip.append(run_in_memory(definition, range(count), roundtrip=True))
        roundtrip_cpu.append(time.process_time() - cpu)
    return [
        Result("in-memory (WorkflowRun, baseline)", plain, count, cpu=plain_cpu),
        Result("in-memory + dump/restore per step", roundtrip, count, cpu=roundtrip_cpu),
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
        RUN_CACHE.clear()
        seconds, cpu = [], []
        for repetition in range(REPETITIONS):
            first = (repetition + 3) * 10**6
            cpu_before = times.cpu_seconds
            seconds.append(run_persisted(backend, range(first, first + count), times))
            cpu.append(times.cpu_seconds - cpu_before)
            print(f"  {name}: run {repetition + 1}/{REPETITIONS} {seconds[-1]:.2f}s", flush=True)
        print(f"  {name}: run cache {RUN_CACHE.hits} hits, {RUN_CACHE.misses} misses in the timed runs", flush=True)
        if profile:
            profile_persisted(backend, range(9 * 10**6, 9 * 10**6 + min(count, 100)))
        return Result(f"{name} (persisted)", seconds, count, times, storage, cpu)
    finally:
        backend.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run every configuration and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=300, help="complaints per run (default 300)")
    parser.add_argument("--warmup", action="store_true", help=f"run {WARMUP_COMPLAINTS} untimed complaints first")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--profile", action="store_true", help="also cProfile one persisted pass per database")
    parser.add_argument(
        "--no-run-cache",
        action="store_true",
        help="restore every step from the row (engine.services.instances.run_cache off)",
    )
    args = parser.parse_args(argv)
    if args.complaints < 2:
        parser.error("--complaints must be at least 2")
    wall = time.perf_counter()
    SPEC_CACHE.clear()
    RUN_CACHE.enabled = not args.no_run_cache
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
