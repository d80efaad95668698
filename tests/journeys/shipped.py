"""The app as the README's first command (`make run`) sets it up, run by the installed `complaintflow` CLI.

The same commands as the Makefile's `run` target (init-db, deploy processes/*.bpmn processes/*.dmn,
demo-users, demo-data, run), the default settings, and only these overrides: a temporary instance folder
(which holds the SQLite database), a free port for the web app and one for its e-mail intake listener (test
modules run side by side, each with its own app).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 180.0  # a loaded CI machine (2 cores, the whole suite in parallel) starts slowly


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def cli_path() -> str:
    """The `complaintflow` console script installed beside the running interpreter (the project's venv)."""
    beside = Path(sys.executable).parent / "complaintflow"
    found = str(beside) if beside.exists() else shutil.which("complaintflow")
    if not found:
        raise RuntimeError("the complaintflow command is not installed (make install)")
    return found


def shipped_environment(instance: Path, port: int) -> dict[str, str]:
    """The caller's environment without any COMPLAINTFLOW_* setting, plus the instance folder and the ports."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("COMPLAINTFLOW_")}
    env["COMPLAINTFLOW_INSTANCE_PATH"] = str(instance)
    env["COMPLAINTFLOW_PORT"] = str(port)
    env["COMPLAINTFLOW_INTAKE_PORT"] = str(free_port())
    return env


@dataclass
class ShippedApp:
    """A running `complaintflow run` with the demo set-up; ``cli`` runs further commands against it."""

    base_url: str
    instance: Path
    env: dict[str, str]
    output: Path
    process: subprocess.Popen[bytes] | None = None
    memo: dict[str, object] = field(default_factory=dict)  # what journeys of one module share (an API token)

    def cli(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run `complaintflow ARGS` on the same database; fails with its output when it exits non-zero."""
        done = subprocess.run(
            [cli_path(), *args], cwd=ROOT, env=env or self.env, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            command = " ".join(args)
            raise AssertionError(f"complaintflow {command} exited {done.returncode}:\n{done.stdout}{done.stderr}")
        return done.stdout

    @property
    def intake_port(self) -> int:
        """Where `complaintflow run` listens for complaints by e-mail."""
        return int(self.env["COMPLAINTFLOW_INTAKE_PORT"])

    def cli_json(self, *args: str) -> Any:
        return json.loads(self.cli(*args))

    def server_output(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")


def _wait_until_serving(app: ShippedApp) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert app.process is not None
        if app.process.poll() is not None:
            raise RuntimeError(f"complaintflow run exited {app.process.returncode}:\n{app.server_output()}")
        try:
            with urllib.request.urlopen(f"{app.base_url}/sign-in", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"complaintflow run did not answer within {STARTUP_SECONDS:.0f} s:\n{app.server_output()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def set_up_as_make_run(instance: Path) -> None:
    """The set-up commands of `make run` (everything before `complaintflow run`) into ``instance``."""
    env = shipped_environment(instance, free_port())
    app = ShippedApp("", instance, env, instance.parent / "setup.log")
    processes = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "processes").glob("*.bpmn"))
    processes += sorted(str(path.relative_to(ROOT)) for path in (ROOT / "processes").glob("*.dmn"))
    app.cli("init-db")
    app.cli("deploy", *processes)
    app.cli("demo-users")
    app.cli("demo-data")


@contextmanager
def shipped_app(workdir: Path, prepared: Path) -> Iterator[ShippedApp]:
    """Serve a copy of the ``prepared`` instance folder as `make run` does; stop it and what it started at the end.

    The set-up commands ran once per test process into ``prepared`` (:func:`set_up_as_make_run`); each test
    module gets its own copy, so journeys of different modules never see each other's changes.
    """
    instance = workdir / "instance"
    shutil.copytree(prepared, instance)
    port = free_port()
    env = shipped_environment(instance, port)
    app = ShippedApp(f"http://127.0.0.1:{port}", instance, env, workdir / "server.log")
    with app.output.open("wb") as log:
        app.process = subprocess.Popen([cli_path(), "run"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        _wait_until_serving(app)
        yield app
    finally:
        _stop(app.process)
