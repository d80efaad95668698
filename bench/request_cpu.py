"""CPU per request of the hot pages, this code against a baseline commit, measured in the same run.

    .venv/bin/python bench/request_cpu.py [--baseline a49e4d1] [--rounds 2] [--complaints 60] [--runs 30]
    .venv/bin/python bench/request_cpu.py --profile "task page"     # cProfile of one kind, this code only
    .venv/bin/python bench/request_cpu.py --rounds 1 --statements   # and the SQL each kind sends

Wall-clock latency on a machine shared by several people says more about the neighbours than about the code,
so this compares CPU time: for each request kind of bench/load.py (portal, sign-in, task lists, claim, task
page, completion, case page, cockpit) the median CPU milliseconds the app spends in its own thread
(bench/request_cpu_measure.py, on PostgreSQL, through Flask's test client over https with CSRF), the median
wall milliseconds and the SQL statements per request. The baseline commit is exported with `git archive` into
a temporary folder and measured by the same script, alternating with this tree for ``--rounds`` rounds; each
figure is the median over the rounds, and the ratio is this tree / baseline (below 1: cheaper now). The load
average is printed beside every round, because CPU time also drifts a little on a busy machine.

PostgreSQL as in bench/engine.py: ``COMPLAINTFLOW_TEST_POSTGRES_URL`` or a temporary server. PostgreSQL's own
CPU is not counted; the statements column shows what each request asks of it.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402

from tests.support.postgres_server import TemporaryPostgres, create_database_on, drop_database_on  # noqa: E402

MEASURE = ROOT / "bench" / "request_cpu_measure.py"
ORDER = ("portal form", "portal submit", "portal status", "sign-in page", "sign in", "group tasks", "my tasks",
         "claim", "task page", "case page", "complete", "dashboard")  # fmt: skip


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def export(commit: str, folder: Path) -> Path:
    """The commit's files (what `git archive` holds), without touching any worktree."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def measure(tree: Path, admin_url: str, name: str, extra: list[str]) -> dict[str, dict[str, float]]:
    """One run of bench/request_cpu_measure.py against ``tree`` on a fresh database."""
    url = create_database_on(admin_url, name)
    try:
        result = subprocess.run([sys.executable, str(MEASURE), "--tree", str(tree), "--database-url", url, *extra],
                                capture_output=True, text=True, cwd=tree)  # fmt: skip
    finally:
        drop_database_on(admin_url, name)
    if result.returncode != 0:
        raise SystemExit(f"measuring {tree} failed:\n{result.stderr[-4000:]}")
    if result.stderr.strip():
        print(result.stderr, file=sys.stderr)
    figures: dict[str, dict[str, float]] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def median_of(rounds: list[dict[str, dict[str, float]]], kind: str, key: str) -> float:
    values = [figures[kind][key] for figures in rounds if kind in figures]
    return statistics.median(values) if values else float("nan")


Figures = dict[str, dict[str, float]]


def report(current: list[Figures], baseline: list[Figures], commit: str) -> None:
    header = f"{'request':<14}{'CPU ms':>8}{'base':>8}{'ratio':>7}{'SQL':>6}{'base':>6}{'wall ms':>9}{'base':>8}"
    print(f"\nmedians over {len(current)} rounds; 'base' = {commit}" if baseline else "")
    print(header if baseline else f"{'request':<14}{'CPU ms':>8}{'SQL':>6}{'wall ms':>9}")
    for kind in ORDER:
        cpu, sql, wall = (median_of(current, kind, key) for key in ("cpu_ms", "statements", "wall_ms"))
        if not baseline:
            print(f"{kind:<14}{cpu:>8.1f}{sql:>6.0f}{wall:>9.1f}")
            continue
        base_cpu, base_sql, base_wall = (median_of(baseline, kind, key) for key in ("cpu_ms", "statements", "wall_ms"))
        print(f"{kind:<14}{cpu:>8.1f}{base_cpu:>8.1f}{cpu / base_cpu:>7.2f}{sql:>6.0f}{base_sql:>6.0f}"
              f"{wall:>9.1f}{base_wall:>8.1f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default=None, help="commit to compare with (default: none)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--complaints", type=int, default=60, help="complaints in the desk before measuring")
    parser.add_argument("--runs", type=int, default=30, help="requests of each kind per round")
    parser.add_argument("--profile", default=None, help="print a cProfile listing of this request kind")
    parser.add_argument("--statements", action="store_true", help="print the SQL of each request kind (this tree)")
    arguments = parser.parse_args()
    extra = ["--complaints", str(arguments.complaints), "--runs", str(arguments.runs)]
    if arguments.profile:
        extra += ["--profile", arguments.profile]
    own = ["--statements"] if arguments.statements else []  # a baseline's script may not know it
    admin_url = os.environ.get("COMPLAINTFLOW_TEST_POSTGRES_URL")
    server = None if admin_url else TemporaryPostgres().start()
    admin_url = admin_url or server.url  # type: ignore[union-attr]
    current: list[dict[str, dict[str, float]]] = []
    baseline: list[dict[str, dict[str, float]]] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            old = export(arguments.baseline, Path(folder)) if arguments.baseline else None
            for number in range(arguments.rounds):
                if old is not None:
                    print(f"round {number + 1}: baseline, load average {load_average()}", flush=True)
                    baseline.append(measure(old, admin_url, f"cf_reqcpu_base_{os.getpid()}", extra))
                print(f"round {number + 1}: this tree, load average {load_average()}", flush=True)
                current.append(measure(ROOT, admin_url, f"cf_reqcpu_{os.getpid()}", extra + own))
    finally:
        if server is not None:
            server.stop()
    report(current, baseline, arguments.baseline or "")
    print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
