"""Chaos run (issue 13): on PostgreSQL and on SQLite, a burst of intakes, task completions, timer firings and
mails while a web server, a scheduler and a dispatcher are killed with -9 (and PostgreSQL is restarted once);
then complaints, task completions, audit entries, timers fired and mails sent are counted: 0 lost, 0 twice.

    python bench/chaos.py [--database postgres|sqlite|both] [--users 10] [--seconds 90] [--timers 300]

The processes are the production topology's (scripts/production_topology.py: nginx with TLS, two app
servers, two schedulers, two dispatchers); the simulated people are bench/load.py's. Timers: instances of
bench/timer_wait.bpmn, each due at its own second of the run, so the schedulers fire while they are killed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from aiosmtpd.controller import Controller  # noqa: E402
from production_topology import Topology, free_port  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402

from bench import timer_setup  # noqa: E402
from bench.load import MailCounter, drive, standard_faults  # noqa: E402
from bench.load_checks import aware, check_nothing_lost  # noqa: E402
from tests.support.postgres_server import TemporaryPostgres  # noqa: E402


def _timers_after(engine: Engine, process_key: str, until: datetime, wait_seconds: float = 90) -> list[str]:
    """Problems with the bench timers due before ``until``: not fired (after waiting), or fired twice."""
    deadline = time.monotonic() + wait_seconds
    query = text(
        "SELECT t.id, t.status, t.due_at, (SELECT count(*) FROM audit_entry a WHERE a.action = 'timer_fired'"
        " AND a.instance_id = t.instance_id AND a.element_id = t.element_id) AS fired"
        " FROM timer t JOIN process_instance i ON i.id = t.instance_id"
        " JOIN process_definition d ON d.id = i.definition_id WHERE d.process_key = :key"
    )
    while True:
        with engine.connect() as connection:
            rows = [row for row in connection.execute(query, {"key": process_key}) if aware(row.due_at) <= until]
        unfired = [row for row in rows if row.fired == 0]
        if not unfired or time.monotonic() > deadline:
            break
        time.sleep(1)
    twice = [row for row in rows if row.fired > 1]
    print(f"bench timers due during the run: {len(rows)}, fired once: {sum(row.fired == 1 for row in rows)}, "
          f"not fired: {len(unfired)}, fired twice: {len(twice)}")  # fmt: skip
    problems = []
    if unfired:
        problems.append(f"{len(unfired)} timers not fired")
    if twice:
        problems.append(f"{len(twice)} timers fired twice")
    return problems


def run_on(backend: str, users: int, seconds: float, timers: int) -> list[str]:
    """One chaos run on one database; returns the problems found."""
    postgres = TemporaryPostgres().start() if backend == "postgres" else None
    mails = MailCounter()
    smtp_port = free_port()
    smtp = Controller(mails, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    folder = Path(tempfile.mkdtemp(prefix=f"complaintflow-chaos-{backend}-"))
    topology = Topology(folder, postgres.url if postgres else "", smtp_port, backend=backend)
    try:
        topology.up()
        timer_setup.deploy(topology.database_url)
        start = datetime.now(UTC) + timedelta(seconds=15)
        spread = max(1.0, seconds - 25)
        dues = [start + timedelta(seconds=spread * index / timers) for index in range(timers)]
        timer_setup.create_timers(topology.database_url, dues)
        print(f"== chaos on {backend}: {timers} timers due between +15 s and +{15 + spread:.0f} s")
        plan = standard_faults(topology, seconds, postgres.restart if postgres else None)
        recorder = drive(topology, users, seconds, plan)
        engine = create_engine(topology.database_url)
        problems = check_nothing_lost(engine, recorder.accepted_subjects, recorder.completed_tasks, mails.by_message_id)
        problems += _timers_after(engine, timer_setup.PROCESS, dues[-1])
        with engine.connect() as connection:
            audit = connection.execute(text("SELECT count(*) FROM audit_entry")).scalar()
        engine.dispose()
        print(f"audit entries: {audit}")
        print("checks:", "0 lost, 0 duplicated" if not problems else "; ".join(problems))
        return problems
    finally:
        topology.down()
        smtp.stop()
        if postgres is not None:
            postgres.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--timers", type=int, default=300)
    arguments = parser.parse_args()
    backends = ["postgres", "sqlite"] if arguments.database == "both" else [arguments.database]
    problems = []
    for backend in backends:
        problems += run_on(backend, arguments.users, arguments.seconds, arguments.timers)
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
