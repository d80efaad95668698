"""docs/production.md's topology, built by scripts/production_topology.py from the shipped deploy/ files:
nginx with TLS in front of two app servers, two schedulers, two dispatchers, PostgreSQL. A customer and an
agent work through it in Chromium; one app server is killed in the middle and nobody notices."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from sqlalchemy import create_engine, text

from tests.notifications.helpers import SmtpServer
from tests.webui.browser_support import ARGS, CHROMIUM

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


def _topology_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("production_topology", ROOT / "scripts" / "production_topology.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["production_topology"] = module
    spec.loader.exec_module(module)
    return module


topology_script = _topology_module()


def test_every_command_the_script_runs_is_written_in_the_document() -> None:
    document = (ROOT / "docs" / "production.md").read_text()
    for command in topology_script.COMMANDS:
        assert command in document, f"docs/production.md does not show: {command}"
    for unit in ("complaintflow-web@.service", "complaintflow-scheduler.service", "complaintflow-dispatch.service",
                 "complaintflow-mail-intake.service", "deploy/nginx/complaintflow.conf"):  # fmt: skip
        assert unit in document


def test_the_scheduler_unit_in_docs_scheduler_md_is_the_shipped_one() -> None:
    """docs/scheduler.md once showed a unit without the settings file and working directory, whose scheduler
    signed mailed status links with a key of its own; its example now has to be the file in deploy/."""
    document = (ROOT / "docs" / "scheduler.md").read_text()
    example = re.search(r"```ini\n(.*?)```", document, flags=re.DOTALL)
    assert example is not None
    shipped = (ROOT / "deploy" / "systemd" / "complaintflow-scheduler.service").read_text().splitlines()
    for line in example.group(1).splitlines():
        assert line in shipped, f"docs/scheduler.md shows {line!r}, deploy/systemd/complaintflow-scheduler.service not"
    assert "EnvironmentFile=/etc/complaintflow/complaintflow.env" in example.group(1)
    assert "WorkingDirectory=/var/lib/complaintflow" in example.group(1)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    admin_url = os.environ.get("COMPLAINTFLOW_TEST_POSTGRES_URL")
    if not admin_url:
        pytest.fail("no PostgreSQL server: COMPLAINTFLOW_TEST_POSTGRES_URL is not set (run scripts/with-postgres.sh)")
    smtp = SmtpServer().start()
    topology = topology_script.Topology(tmp_path_factory.mktemp("desk"), admin_url, smtp.port)
    try:
        topology.up()
        subprocess.run(
            [str(Path(sys.executable).parent / "complaintflow"), "create-user", "agent", "--role", "agent",
             "--group", "agent", "--password", "agent-password", "--email", "agent@example.org"],
            env={**os.environ, "COMPLAINTFLOW_DATABASE_URL": topology.database_url}, check=True, capture_output=True,
        )  # fmt: skip
        yield topology
    finally:
        topology.down()
        smtp.stop()


@pytest.fixture
def page(desk: object) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        # The certificate is self-signed for the test; a real desk has one from an ACME CA (docs/production.md).
        context = browser.new_context(ignore_https_errors=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("response", lambda got: errors.append(f"{got.status} {got.url}") if got.status >= 400 else None)
        yield page
        browser.close()
        assert errors == [], errors


def _customer_submits(page: Page, base: str, subject: str) -> str:
    page.goto(f"{base}/portal/")
    page.fill("input[name=customer_name]", "Erika Muster")
    page.fill("input[name=customer_email]", "erika@example.org")
    page.fill("input[name=subject]", subject)
    page.fill("textarea[name=description]", "The kettle stopped working after two days.")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    reference = page.locator("strong").first.inner_text()
    assert re.fullmatch(r"C-\S+", reference), page.content()
    page.locator("a[href*='/portal/status/']").click()
    assert reference in page.content()
    return reference


def _agent_claims(page: Page, base: str, subject: str) -> None:
    page.goto(f"{base}/sign-in")
    page.fill("input[name=username]", "agent")
    page.fill("input[name=password]", "agent-password")
    page.click("button[type=submit]")
    page.goto(f"{base}/tasks/groups")
    row = page.locator("tr", has_text=subject).first
    row.locator("form button").first.click()
    page.wait_for_load_state()
    page.goto(f"{base}/tasks/mine")
    assert page.locator("tr", has_text=subject).count() >= 1


def test_customer_and_agent_through_the_proxy_with_an_app_server_killed(desk: object, page: Page) -> None:
    topology = desk
    base = topology.url  # type: ignore[attr-defined]
    response = page.goto(f"{base}/sign-in")
    assert response is not None and response.headers.get("strict-transport-security", "").startswith("max-age=")
    _customer_submits(page, base, "Kettle broken (1)")
    _agent_claims(page, base, "Kettle broken (1)")

    topology.kill("complaintflow-web@8001")  # type: ignore[attr-defined]
    # The agent's session (signed with the shared secret key) is valid on the other app server too.
    page.goto(f"{base}/tasks/mine")
    assert "Kettle broken (1)" in page.content()
    _customer_submits(page.context.new_page(), base, "Kettle broken (2)")

    engine = create_engine(topology.database_url)  # type: ignore[attr-defined]
    with engine.connect() as connection:
        subjects = connection.execute(text("SELECT subject FROM complaint ORDER BY subject")).scalars().all()
    engine.dispose()
    assert subjects == ["Kettle broken (1)", "Kettle broken (2)"], "each complaint stored exactly once"
    logs = Path(topology.folder) / "logs"  # type: ignore[attr-defined]
    for server in ("complaintflow-web@8001", "complaintflow-web@8002"):
        assert "GET /" in (logs / f"{server}.log").read_text(), f"{server} served no request through nginx"
