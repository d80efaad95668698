"""CPU seconds the parts of the production topology spend during a load run, read from /proc.

Wall-clock latency on a shared machine mixes our work with the neighbours'; the CPU time each part of the
topology used does not, and divided by the number of requests served it says what one core can carry (the
sizing in docs/production.md). Linux only.

A part is counted as the sum over its live processes of their own CPU time plus that of their children
already reaped (``cutime``/``cstime``): gunicorn workers restarted by their master and PostgreSQL backends of
closed connections are in their parent's figure. A service killed by fault injection loses what its process
group had used, so fault runs under-count.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Stat:
    pid: int
    ppid: int
    session: int
    seconds: float  # utime + stime + cutime + cstime


def _stats() -> list[Stat]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        # The command name (field 2) may hold spaces and parentheses: split after its closing one.
        fields = raw[raw.rindex(")") + 2 :].split()
        ticks = sum(int(value) for value in fields[11:15])
        found.append(Stat(int(entry.name), int(fields[1]), int(fields[3]), ticks / TICKS))
    return found


def snapshot(sessions: dict[str, list[int]], parents: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far per part: ``sessions`` maps a part to session leader pids (each systemd-like unit
    was started in its own session), ``parents`` a part to one process whose children belong to it (the
    PostgreSQL postmaster). The calling process itself is reported as "load generator"."""
    stats = _stats()
    totals: dict[str, float] = {}
    for part, leaders in sessions.items():
        wanted = set(leaders)
        totals[part] = sum(stat.seconds for stat in stats if stat.session in wanted)
    for part, parent in parents.items():
        totals[part] = sum(stat.seconds for stat in stats if parent in (stat.pid, stat.ppid))
    own = os.times()
    totals["load generator"] = own.user + own.system
    return totals


def difference(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {part: after[part] - before.get(part, 0.0) for part in after}


def report(used: dict[str, float], requests: int, seconds: float) -> None:
    """Print CPU seconds per part, per request and as cores busy on average during the run."""
    server = sum(value for part, value in used.items() if part != "load generator")
    print(f"CPU during the run ({requests} requests in {seconds:.0f} s; load average now "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}):")  # fmt: skip
    for part, value in sorted(used.items(), key=lambda item: -item[1]):
        per_request = value / requests * 1000 if requests else 0.0
        print(f"  {part:<20}{value:>8.1f} s{per_request:>8.1f} ms/request{value / seconds:>7.2f} cores")
    per_request = server / requests * 1000 if requests else 0.0
    capacity = 1000 / per_request if per_request else 0.0
    print(f"  {'server side total':<20}{server:>8.1f} s{per_request:>8.1f} ms/request{server / seconds:>7.2f} cores"
          f"  -> one core serves about {capacity:.0f} requests/s of this mix")  # fmt: skip
