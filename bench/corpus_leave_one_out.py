"""Leave-one-tool-out estimate of the deployable share over the MIWG exports, per modelling tool.

    .venv/bin/python bench/corpus_leave_one_out.py [MIWG_DIR]

Issue 13 asks how the normaliser's rules do on tools whose files were not looked at when the rules were
written. The rules cannot be re-written per tool here, so the estimate works from what each rule did:
a normaliser rule (a diagnostic code of the normalisation pass) that fired on the files of one tool only
is counted as fitted to that tool. For each tool, a file counts as deployable "without its tool" only if
it is deployable and none of that tool's exclusive rules fired on it (as if the rule were missing and
the file failed because of it: the pessimistic assumption). Rules that fire on two or more tools'
files are kept: they follow the BPMN specification or an error class rather than one tool's habits.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from designer_export.check import REJECTED, FileReport  # noqa: E402
from designer_export.conformance import FileVerdict, measure  # noqa: E402


def _rules(report: FileReport) -> set[str]:
    normalized = report.normalized
    return {d.code for d in normalized.diagnostics} if normalized is not None else set()


def main() -> int:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "miwg"
    if not corpus.is_dir():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    started = time.monotonic()
    verdicts = measure(corpus, depth=1).verdicts
    tools_of_rule: dict[str, set[str]] = defaultdict(set)
    for verdict in verdicts:
        for report in (verdict.default, verdict.as_executable):
            for code in _rules(report):
                tools_of_rule[code].add(verdict.folder)
    by_tool: dict[str, list[FileVerdict]] = defaultdict(list)
    for verdict in verdicts:
        by_tool[verdict.folder].append(verdict)
    print("| tool | files | deployable | --as-executable | leave-one-out | leave-one-out --as-executable |"
          " rules only this tool triggers |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---|")
    shares: list[tuple[float, float]] = []
    for tool, files in sorted(by_tool.items()):
        exclusive = {code for code, tools in tools_of_rule.items() if tools == {tool}}

        def ok(report: FileReport, exclusive: set[str] = exclusive) -> bool:
            return report.status != REJECTED and not (_rules(report) & exclusive)

        default = sum(v.default.status != REJECTED for v in files)
        executable = sum(v.as_executable.status != REJECTED for v in files)
        loo_default = sum(ok(v.default) for v in files)
        loo_executable = sum(ok(v.as_executable) for v in files)
        count = len(files)
        shares.append((loo_default / count, loo_executable / count))
        print(
            f"| {tool} | {count} | {default / count:.1%} | {executable / count:.1%} | {loo_default / count:.1%} "
            f"| {loo_executable / count:.1%} | {', '.join(sorted(exclusive)) or '–'} |"
        )
    mean_default = sum(s[0] for s in shares) / len(shares)
    mean_executable = sum(s[1] for s in shares) / len(shares)
    elapsed = time.monotonic() - started
    print(f"\nmean over {len(shares)} tools, leave-one-out: {mean_default:.1%} as uploaded, "
          f"{mean_executable:.1%} with --as-executable ({len(verdicts)} files, {elapsed:.0f} s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
