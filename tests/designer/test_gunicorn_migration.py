"""A bulk migration through `complaintflow serve` with two gunicorn workers, batch after batch as without JavaScript."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

from flask import Flask

from tests.conftest import DatabaseUnderTest
from tests.designer.test_web_migration import HIDDEN, setup_instances, versions_now
from tests.webui.test_gunicorn import ROOT, _free_port, _wait_for


def test_batches_run_on_whichever_worker_takes_them(
    database: DatabaseUnderTest, app: Flask, now: datetime, tmp_path: Path
) -> None:
    movable, blocked = setup_instances(app, now, 60)  # three batches of the default size 25
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLAINTFLOW_")}
    env.update(
        COMPLAINTFLOW_DATABASE_URL=database.url,
        COMPLAINTFLOW_INSTANCE_PATH=str(tmp_path / "instance"),
        COMPLAINTFLOW_PORT=str(port),
        COMPLAINTFLOW_SECURE_COOKIES="0",  # plain HTTP on loopback in this test
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
        form = {"csrf_token": token, "username": "designer", "password": "demo"}
        opener.open(f"{base}/sign-in", data=urllib.parse.urlencode(form).encode(), timeout=10)
        form = {"csrf_token": token, "process_key": "p", "from_version": "1", "to_version": "2"}
        percents = []
        for _ in range(10):
            page = opener.open(f"{base}/designer/migrate/batch", urllib.parse.urlencode(form).encode(), timeout=60)
            text = page.read().decode()
            percents.append(int(re.search(r'id="p-percent">(\d+)<', text).group(1)))  # type: ignore[union-attr]
            if 'id="migration-continue"' not in text:
                break
            form = dict(HIDDEN.findall(text.split('id="migration-continue"', 1)[1]))
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.seek(0)
        output = log.read()
        log.close()
    assert percents == [40, 81, 100]
    assert re.search(r'id="p-moved">60<', text) and re.search(r'id="p-not-moved">1<', text)
    assert versions_now(app) == {**{i: 2 for i in movable}, blocked: 1}
    assert len(set(re.findall(r"Booting worker with pid: (\d+)", output))) == 2, output
    assert "Traceback" not in output
