"""Check ⇔ deploy ⇔ run agreement over the corpus: does what the check calls deployable deploy and run?

    .venv/bin/python bench/corpus_run_agreement.py [CORPUS_DIR] [--as-executable]

For every BPMN file the check (as ``complaintflow designer check`` runs it) gives a status. Each file the
check calls deployable (with or without warnings) is deployed through the one deploy path into a scratch
SQLite database and one instance of each of its processes is started with no variables (a process that
needs start variables should say so: the check then says needs_attention). The outcome is counted:
completed or waiting (agreement), incident (the check promised too much: the messages are grouped), or
refused by deploy (check and deploy disagree). Files that need attention are started too, to count how
many of them run anyway.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy.orm import sessionmaker  # noqa: E402

from designer_export.check import DEPLOYABLE, DEPLOYABLE_WITH_WARNINGS, NEEDS_ATTENTION, check_paths  # noqa: E402
from designer_export.conformance import corpus_files  # noqa: E402
from engine.bpmn.resources import Resource  # noqa: E402
from engine.domain.actors import Actor  # noqa: E402
from engine.domain.errors import ComplaintflowError  # noqa: E402
from engine.domain.roles import ROLE_ADMIN  # noqa: E402
from engine.services.designer import deployment  # noqa: E402
from engine.services.instances import lifecycle as instances  # noqa: E402
from engine.store import queries, schema  # noqa: E402
from engine.store.database import make_engine  # noqa: E402

ADMIN = Actor("admin", roles=frozenset({ROLE_ADMIN}))
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _cause(message: str) -> str:
    """The kind of an incident message, without the element names that make every one different."""
    words = message.replace("'", " ").replace('"', " ").split()
    return " ".join(words[:8])[:90]


def main() -> int:
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    as_executable = "--as-executable" in sys.argv
    corpus = Path(args[0]) if args else Path("/work/shared/corpus")
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp()) / "agreement.db"
    engine = make_engine(f"sqlite:///{scratch}")
    schema.upgrade(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    outcome: Counter[str] = Counter()
    causes: Counter[str] = Counter()
    examples: dict[str, str] = {}
    broken_promises: list[str] = []
    for path in corpus_files(corpus):
        [report] = check_paths([str(path)], as_executable=as_executable)
        promised = report.status in (DEPLOYABLE, DEPLOYABLE_WITH_WARNINGS)
        if not promised and report.status != NEEDS_ATTENTION:
            outcome["rejected by the check"] += 1
            continue
        label = "deployable" if promised else "needs attention"
        with sessions() as session:
            try:
                results = deployment.deploy(
                    session, ADMIN, [Resource(path.name, path.read_text("utf-8", "replace"))], NOW,
                    as_executable=as_executable, force_new=True,
                )  # fmt: skip
            except ComplaintflowError as error:
                outcome[f"{label}: refused by deploy"] += 1
                causes[f"deploy: {_cause(str(error))}"] += 1
                examples.setdefault(f"deploy: {_cause(str(error))}", str(path))
                continue
            states = []
            for result in (r for r in results if r.kind == "process"):
                try:
                    instance = instances.start_instance(
                        session, ADMIN, result.process_key, {}, NOW, version=result.version
                    )
                except ComplaintflowError as error:
                    states.append("start refused")
                    causes[f"start: {_cause(str(error))}"] += 1
                    examples.setdefault(f"start: {_cause(str(error))}", str(path))
                    continue
                states.append(instance.status)
                if instance.status == "incident":
                    incident = queries.open_incident(session, instance.id)
                    cause = _cause(incident.message if incident is not None else "?")
                    causes[f"run: {cause}"] += 1
                    examples.setdefault(f"run: {cause}", str(path))
            failed = [s for s in states if s in ("incident", "start refused")]
            outcome[f"{label}: {'an instance fails' if failed else 'runs'}"] += 1
            if failed and promised:
                broken_promises.append(str(path))
    print(f"corpus {corpus}{' --as-executable' if as_executable else ''}")
    for key, count in sorted(outcome.items()):
        print(f"  {key}: {count}")
    print("causes (count, example file):")
    for cause, count in causes.most_common(25):
        print(f"  {count:3d}  {cause}   [{examples[cause]}]")
    print("called deployable, but an instance fails:", *broken_promises or ["none"], sep="\n  ")
    print(f"({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
