"""DMN TCK conformance and decision-table throughput of ``engine.bpmn.dmn``.

    .venv/bin/python bench/dmn_tck.py --tck ../shared/dmn-tck [--csv tck_results.csv] [--failures]

Prints passed/total per compliance level, writes ``tck_results.csv`` in the TCK's format (folder,
test file, test case, SUCCESS/FAILURE/ERROR, message), checks which non-compliant models are refused
(and the warnings of those that are not), then prints evaluations per second for
processes/complaint_classification.dmn and the TCK's largest decision tables.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dmn_tck_cases import LEVELS, Outcome, run_tck  # noqa: E402
from engine.bpmn.dmn import advice, load_definitions, problems  # noqa: E402
from engine.bpmn.dmn.model import local  # noqa: E402


def write_csv(outcomes: list[Outcome], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for row in outcomes:
            writer.writerow([row.folder, row.test_file, row.case_id, row.result, row.message])


def throughput(path: Path, decision: str, inputs: list[dict[str, object]], seconds: float = 1.0) -> float:
    """Evaluations per second of one decision, cycling through the given inputs."""
    defs = load_definitions(path)
    count = 0
    started = time.perf_counter()
    while True:
        for data in inputs:
            defs.evaluate(decision, data)
        count += len(inputs)
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return count / elapsed


CLASSIFICATION_INPUTS: list[dict[str, object]] = [
    {"category": "billing", "amount": 50, "customer_segment": "private", "channel": "email", "severe": False},
    {"category": "account", "amount": 0, "customer_segment": "business", "channel": "phone", "severe": False},
    {"category": "delivery", "amount": 2500, "customer_segment": "private", "channel": "web", "severe": False},
    {"category": "other", "amount": 10, "customer_segment": "vip", "channel": "letter", "severe": True},
]


def test_inputs(folder: Path) -> list[dict[str, object]]:
    """The input values of every test case of a TCK folder."""
    from lxml import etree

    from bench.dmn_tck_cases import case_inputs

    found: list[dict[str, object]] = []
    for test_file in sorted(folder.glob("*-test-*.xml")):
        root = etree.parse(str(test_file)).getroot()
        found.extend(case_inputs(case) for case in root if local(case) == "testCase")
    return found


def largest_tables(tck: Path, count: int = 2) -> list[tuple[Path, str, int]]:
    """The TCK decisions whose decision table has the most rules."""
    from lxml import etree

    found: list[tuple[int, Path, str]] = []
    for level in LEVELS:
        for path in sorted((tck / "TestCases" / level).glob("*/*.dmn")):
            root = etree.parse(str(path)).getroot()
            for decision in root:
                if local(decision) != "decision":
                    continue
                for table in decision:
                    if local(table) == "decisionTable":
                        rules = sum(1 for item in table if local(item) == "rule")
                        found.append((rules, path, decision.get("name") or ""))
    found.sort(key=lambda item: -item[0])
    return [(path, name, rules) for rules, path, name in found[:count]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tck", default=str(ROOT.parent / "shared" / "dmn-tck"))
    parser.add_argument("--csv", default="tck_results.csv")
    parser.add_argument("--failures", action="store_true", help="list every test case that did not pass")
    parser.add_argument("--no-bench", action="store_true", help="skip the throughput figures")
    options = parser.parse_args()
    tck = Path(options.tck)
    started = time.perf_counter()
    summary = run_tck(tck)
    for level in LEVELS:
        passed, total = summary.counts(level)
        print(f"{level}: {passed} / {total} test cases passed")
    print(f"({time.perf_counter() - started:.1f} s)")
    write_csv(summary.outcomes, Path(options.csv))
    print(f"wrote {options.csv}")
    if options.failures:
        for row in summary.outcomes:
            if row.result != "SUCCESS":
                print(f"  {row.folder} {row.case_id} {row.result}: {row.message[:300]}")
    refused = 0
    non_compliant = sorted((tck / "TestCases" / "non-compliant").glob("*/*.dmn"))
    for path in non_compliant:
        found = problems(load_definitions(path))
        if found:
            refused += 1
            print(f"non-compliant refused: {found[0]}")
        else:
            warned = advice(load_definitions(path))
            print(f"non-compliant NOT refused: {path.name} ({len(warned)} warnings{': ' if warned else ''}", end="")
            print(f"{warned[0]})" if warned else ")")
    print(f"non-compliant models refused: {refused} / {len(non_compliant)}")
    if not options.no_bench:
        rate = throughput(
            ROOT / "processes" / "complaint_classification.dmn", "complaint_classification", CLASSIFICATION_INPUTS
        )
        print(f"complaint_classification: {rate:,.0f} evaluations/s")
        for path, name, rules in largest_tables(tck):
            inputs = test_inputs(path.parent) or [{}]
            rate = throughput(path, name, inputs)
            print(
                f"{path.parent.name} / {name} ({rules} rules, {len(inputs)} TCK input sets): {rate:,.0f} evaluations/s"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
