"""Median figures of one configuration and the throughput, per-step and ratio tables."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from bench.engine_persisted import StepTimes
from bench.engine_storage import Storage

TARGET_RATIO = 0.5


@dataclass
class Result:
    """Median figures of one configuration."""

    label: str
    seconds: list[float]
    complaints: int
    steps: StepTimes | None = None
    storage: Storage | None = None
    cpu: list[float] | None = None  # CPU seconds of this process per run (wall time drifts with the machine's load)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def throughput(self) -> float:
        return self.complaints / self.median

    @property
    def cpu_ms(self) -> float:
        """Median CPU milliseconds of this process per complaint."""
        return statistics.median(self.cpu) / self.complaints * 1000 if self.cpu else float("nan")


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
    print(f"  {'configuration':<34}{'complaints/s':>13}{'ms/complaint':>14}{'CPU ms/compl.':>15}{'runs (s)':>24}")
    for result in [baseline, *others, *persisted]:
        runs = " ".join(f"{s:.2f}" for s in result.seconds)
        print(
            f"  {result.label:<34}{result.throughput:13.1f}{result.median / result.complaints * 1000:14.2f}"
            f"{result.cpu_ms:15.2f}{runs:>24}"
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
            f"inverse (in-memory/persisted, times slower) = {1 / ratio:.1f}x; "
            f"by CPU time of this process {baseline.cpu_ms / result.cpu_ms:.3f}"
        )
