"""`complaintflow serve`: gunicorn with two workers, signed in through it as a browser would."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.conftest import DatabaseUnderTest
from tests.webui.support import Seeded

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited early"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start listening")


def test_serve_runs_gunicorn_with_two_workers_and_signs_in(
    database: DatabaseUnderTest, seeded: Seeded, tmp_path: Path
) -> None:
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLAINTFLOW_")}
    env.update(
        COMPLAINTFLOW_DATABASE_URL=database.url,
        COMPLAINTFLOW_INSTANCE_PATH=str(tmp_path / "instance"),
        COMPLAINTFLOW_PORT=str(port),
        # Plain HTTP on loopback in this test; behind TLS the cookie stays Secure (the default).
        COMPLAINTFLOW_SECURE_COOKIES="0",
    )
    log = (tmp_path / "gunicorn.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "complaintflow.cli", "serve", "--workers", "2"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        _wait_for(port, process)
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(f"{base}/sign-in", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        form = urllib.parse.urlencode({"csrf_token": token, "username": "agent", "password": "demo"}).encode()
        # Several requests, so that both workers serve some: the session and CSRF secret are shared.
        landed = opener.open(f"{base}/sign-in", data=form, timeout=10)
        assert landed.url.endswith("/tasks/mine")
        for _ in range(6):
            groups = opener.open(f"{base}/tasks/groups", timeout=10).read().decode()
            assert seeded.complaints["billing"] in groups
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.seek(0)
        output = log.read()
        log.close()
    assert f"complaintflow serving on http://127.0.0.1:{port}/ with 2 workers" in output
    assert len(set(re.findall(r"Booting worker with pid: (\d+)", output))) == 2, output
    assert "Traceback" not in output


def test_two_serve_instances_on_one_host_run_side_by_side(database: DatabaseUnderTest, tmp_path: Path) -> None:
    """Two app servers on one host (as in a rolling restart or two instances behind a proxy) share nothing
    local: gunicorn's per-user control socket is off, so the second does not take over the first."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLAINTFLOW_")}
    env.update(
        COMPLAINTFLOW_DATABASE_URL=database.url,
        COMPLAINTFLOW_SECRET_KEY="shared-by-both-servers",
        COMPLAINTFLOW_SECURE_COOKIES="0",
        HOME=str(tmp_path / "home"),
    )
    env.pop("XDG_RUNTIME_DIR", None)
    ports = [_free_port(), _free_port()]
    processes = []
    try:
        for index, port in enumerate(ports):
            log = (tmp_path / f"gunicorn-{index}.log").open("w+")
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "complaintflow.cli", "serve", "--workers", "1", "--threads", "2"],
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    text=True,
                    env={
                        **env,
                        "COMPLAINTFLOW_PORT": str(port),
                        "COMPLAINTFLOW_INSTANCE_PATH": str(tmp_path / f"instance-{index}"),
                    },
                )  # fmt: skip
            )
            _wait_for(port, processes[-1])
        time.sleep(1.0)
        for port, process in zip(ports, processes, strict=True):
            assert process.poll() is None, "a serve instance stopped when the other one started"
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=10) as response:
                assert response.status == 200
        # Nothing per user (gunicorn's default control socket lives at ~/.gunicorn/gunicorn.ctl) is shared.
        assert not (tmp_path / "home" / ".gunicorn").exists()
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def test_long_polls_of_external_workers_leave_threads_for_everyone_else(
    database: DatabaseUnderTest, seeded: Seeded, tmp_path: Path
) -> None:
    """gthread: three Camunda workers' fetchAndLock long polls wait in three threads of the only worker while
    a person's page is still served by the fourth (a sync worker would have made them queue behind the polls)."""
    import base64
    import json
    import threading

    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLAINTFLOW_")}
    env.update(COMPLAINTFLOW_DATABASE_URL=database.url, COMPLAINTFLOW_INSTANCE_PATH=str(tmp_path / "instance"),
               COMPLAINTFLOW_PORT=str(port), COMPLAINTFLOW_SECURE_COOKIES="0")  # fmt: skip
    log = (tmp_path / "gunicorn.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "complaintflow.cli", "serve", "--workers", "1", "--threads", "4"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    answers: list[int] = []

    def long_poll() -> None:
        body = json.dumps({"workerId": "w", "maxTasks": 1, "asyncResponseTimeout": 20_000,
                           "topics": [{"topicName": "nothing-to-do", "lockDuration": 1000}]}).encode()  # fmt: skip
        request = urllib.request.Request(f"{base}/engine-rest/external-task/fetchAndLock", data=body, headers={
            "Content-Type": "application/json",
            "Authorization": "Basic " + base64.b64encode(b"admin:demo").decode()})  # fmt: skip
        with urllib.request.urlopen(request, timeout=60) as response:
            answers.append(response.status)

    try:
        _wait_for(port, process)
        polls = [threading.Thread(target=long_poll) for _ in range(3)]
        for poll in polls:
            poll.start()
        time.sleep(2)  # the polls are inside the worker now, waiting for a task of their topic
        page = urllib.request.urlopen(f"{base}/sign-in", timeout=10)
        assert page.status == 200
        assert all(poll.is_alive() for poll in polls), "the polls ended before the page was asked for"
        assert answers == []
        for poll in polls:
            poll.join(timeout=60)
        assert answers == [200, 200, 200]
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
