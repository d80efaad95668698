"""docs/camunda7.md is run as written: its files, commands and the worker against a served app (both databases).

Blocks after ``<!-- file: NAME -->`` are written to NAME; ``<!-- run -->`` blocks run in bash and must succeed;
``<!-- run in background -->`` starts a process that is stopped at the end; ``<!-- run until it prints X -->``
is repeated until its output contains X. ``http://127.0.0.1:5000`` becomes the test server's address.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from complaintflow.context import utcnow
from tests.conftest import DatabaseUnderTest
from tests.webui.live_server import serving
from tests.webui.support import app_context
from webui import create_app

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "camunda7.md"
BLOCK = re.compile(r"<!-- (?P<marker>[^>]+) -->\n```(?P<lang>\w+)\n(?P<body>.*?)\n```", re.S)
PRELUDE = 'complaintflow() { "$PYTHON" -m complaintflow.cli "$@"; }\npython() { "$PYTHON" "$@"; }\n'


@pytest.fixture
def served(database: DatabaseUnderTest, tmp_path: Path) -> Iterator[str]:
    context = app_context(database.url, database.engine, database.sessions, tmp_path / "instance")
    with serving(create_app({"CONTEXT": context, "CLOCK": utcnow, "TESTING": True})) as base:
        yield base


def test_the_walkthrough_runs_as_written(database: DatabaseUnderTest, served: str, tmp_path: Path,
                                         now: datetime) -> None:  # fmt: skip
    env = dict(os.environ, PYTHON=sys.executable, PYTHONPATH=str(ROOT), COMPLAINTFLOW_DATABASE_URL=database.url,
               COMPLAINTFLOW_INSTANCE_PATH=str(tmp_path / "instance"))  # fmt: skip
    background: list[subprocess.Popen[bytes]] = []
    ran = []
    try:
        for match in BLOCK.finditer(DOC.read_text(encoding="utf-8")):
            marker, body = match["marker"], match["body"].replace("http://127.0.0.1:5000", served)
            if marker.startswith("file: "):
                (tmp_path / marker[6:].strip()).write_text(body + "\n", encoding="utf-8")
                continue
            script = PRELUDE + body
            if marker == "run in background":
                background.append(subprocess.Popen(["bash", "-c", script], cwd=tmp_path, env=env))
            elif marker == "run":
                done = subprocess.run(["bash", "-ec", script], cwd=tmp_path, env=env, capture_output=True, timeout=120)
                assert done.returncode == 0, (body, done.stdout, done.stderr)
            elif marker.startswith("run until it prints "):
                wanted, output = marker[len("run until it prints ") :], ""
                for _ in range(120):
                    output = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                                            text=True, timeout=60).stdout  # fmt: skip
                    if wanted in output:
                        break
                    time.sleep(0.25)
                assert wanted in output, (body, output)
            else:
                raise AssertionError(f"unknown marker {marker!r} in docs/camunda7.md")
            ran.append(marker)
    finally:
        for process in background:
            process.terminate()
            process.wait(timeout=10)
    assert ran.count("run") >= 3 and "run in background" in ran
