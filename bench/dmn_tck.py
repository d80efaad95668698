"""DMN TCK conformance and decision-table throughput of ``engine.bpmn.dmn``.

    .venv/bin/python bench/dmn_tck.py --tck ../shared/dmn-tck [--csv tck_results.csv] [--failures]

Prints passed/total per compliance level, writes ``tck_results.csv`` in the TCK's format (folder,
test file, test case, SUCCESS/FAILURE/ERROR, message), checks which non-compliant models are refused
(for one that is not: its warnings, and its test cases run as tests), then prints evaluations per second
for processes/complaint_classification.dmn and the TCK's largest decision tables.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dmn_tck_cases import LEVELS, Outcome, run_folder, run_tck  # noqa: E402
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


def tck_work(folder: Path) -> list[tuple[str, dict[str, object]]]:
    """The decisions the test cases of a TCK folder evaluate, each with its input values."""
    from lxml import etree

    from bench.dmn_tck_cases import case_inputs

    found: list[tuple[str, dict[str, object]]] = []
    for test_file in sorted(folder.glob("*-test-*.xml")):
        root = etree.parse(str(test_file)).getroot()
        for case in root:
            if local(case) != "testCase" or case.get("type") not in (None, "decision"):
                continue
            inputs = case_inputs(case)
            found.extend((node.get("name") or "", inputs) for node in case if local(node) == "resultNode")
    return found


def largest_tables(tck: Path, count: int = 2) -> list[tuple[Path, str, int]]:
    """The TCK models with the largest decision tables (in a decision or a business knowledge model):
    model, the element that holds the table, its number of rules; one table per model."""
    from lxml import etree

    biggest: dict[Path, tuple[int, str]] = {}
    for level in LEVELS:
        for path in sorted((tck / "TestCases" / level).glob("*/*.dmn")):
            root = etree.parse(str(path)).getroot()
            for element in root:
                for table in element.iter("{*}decisionTable"):
                    rules = sum(1 for item in table if local(item) == "rule")
                    holder = f"{local(element)} {element.get('name')!r}"
                    if rules > biggest.get(path, (0, ""))[0]:
                        biggest[path] = (rules, holder)
    ranked = sorted(biggest.items(), key=lambda item: (-item[1][0], str(item[0])))
    return [(path, holder, rules) for path, (rules, holder) in ranked[:count]]


def drg_throughput(path: Path, work: list[tuple[str, dict[str, object]]], seconds: float = 1.0) -> float:
    """Decision evaluations per second (each evaluates its whole requirements graph) over ``work``."""
    defs = load_definitions(path)
    count = 0
    started = time.perf_counter()
    while True:
        for decision, data in work:
            defs.evaluate(decision, data)
        count += len(work)
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return count / elapsed


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
            # A model the group put there for want of consensus on results: its cases run as tests.
            cases = run_folder(path.parent, "non-compliant")
            passed = sum(row.result == "SUCCESS" for row in cases)
            print(f"  its test cases run as tests: {passed} / {len(cases)} passed")
    print(f"non-compliant models refused: {refused} / {len(non_compliant)}")
    if not options.no_bench:
        rate = throughput(
            ROOT / "processes" / "complaint_classification.dmn", "complaint_classification", CLASSIFICATION_INPUTS
        )
        print(f"complaint_classification: {rate:,.0f} evaluations/s")
        for path, holder, rules in largest_tables(tck):
            work = tck_work(path.parent)
            rate = drg_throughput(path, work)
            print(
                f"{path.parent.name}: largest table in {holder} ({rules} rules); {rate:,.0f} decision evaluations/s"
                f" over its {len(work)} TCK result nodes (each with its requirements graph)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
