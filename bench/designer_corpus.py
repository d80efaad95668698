"""Deployable share of the reference corpus per source folder, beside plain SpiffWorkflow's parse rate.

    .venv/bin/python bench/designer_corpus.py [CORPUS_DIR] [--depth N] [--rejected]

Every file is checked alone, as a designer would upload it: once as it is, once with --as-executable.
--rejected also lists each rejected file with its first error.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from designer_export.check import REJECTED  # noqa: E402
from designer_export.conformance import markdown_table, measure  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--depth", type=int, default=2, help="folder levels that name a source (default 2)")
    parser.add_argument("--rejected", action="store_true", help="list rejected files with their first error")
    options = parser.parse_args()
    corpus = Path(options.corpus)
    if not corpus.is_dir():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    started = time.monotonic()
    measurement = measure(corpus, options.depth)
    print(markdown_table(measurement))
    print(f"\n{len(measurement.verdicts)} files in {time.monotonic() - started:.1f} s")
    if options.rejected:
        for verdict in measurement.verdicts:
            report = verdict.as_executable
            if report.status == REJECTED:
                first = next(d for d in report.diagnostics if d.severity == "error")
                print(f"{verdict.path.relative_to(corpus)}: {first.code} {first.element_id or ''} {first.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
