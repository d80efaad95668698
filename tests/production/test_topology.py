"""docs/production.md's topology, built by scripts/production_topology.py from the shipped deploy/ files:
nginx with TLS in front of two app servers, two schedulers, two dispatchers, PostgreSQL. A customer and an
agent work through it in Chromium; one app server is killed in the middle and nobody notices."""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
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


def test_serve_help_readme_and_units_agree_on_several_schedulers_and_dispatchers() -> None:
    """`serve --help` once said to run the scheduler as a single process while the README allowed several."""
    shown = subprocess.run([str(Path(sys.executable).parent / "complaintflow"), "serve", "--help"],
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "several of each may run side by side" in " ".join(shown.split())
    assert "Several schedulers or dispatchers may run side by side" in (ROOT / "README.md").read_text()
    for unit in ("complaintflow-scheduler.service", "complaintflow-dispatch.service"):
        assert "Several may run side by side" in (ROOT / "deploy" / "systemd" / unit).read_text()
    assert topology_script.UNITS.count("complaintflow-scheduler") == 2
    assert topology_script.UNITS.count("complaintflow-dispatch") == 2


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    admin_url = os.environ.get("COMPLAINTFLOW_TEST_POSTGRES_URL")
    if not admin_url:
        pytest.fail("no PostgreSQL server: COMPLAINTFLOW_TEST_POSTGRES_URL is not set (run scripts/with-postgres.sh)")
    smtp = SmtpServer().start()
    topology = topology_script.Topology(tmp_path_factory.mktemp("desk"), admin_url, smtp.port)
    try:
        topology.up()
        topology.smtp = smtp  # type: ignore[attr-defined]
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
    reference = _customer_submits(page, base, "Kettle broken (1)")
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

    # The dispatcher (its own unit, same settings file) signs the status link it mails with the key the web
    # servers check: the link in the customer's mail opens their complaint through nginx.
    link = re.compile(re.escape(base) + r"/portal/status/[^\s\"<>]+")

    def mailed_link() -> str | None:
        for mail in topology.smtp.recorder.messages():  # type: ignore[attr-defined]
            text = mail.get_body(preferencelist=("plain", "html"))
            found = link.search(text.get_content() if text is not None else "")
            if found and reference in str(mail["Subject"]) + text.get_content():
                return found.group(0)
        return None

    deadline = time.monotonic() + 60
    while (status_link := mailed_link()) is None:
        assert time.monotonic() < deadline, "no mail with a status link reached the customer within 60 s"
        time.sleep(0.5)
    page.goto(status_link)
    assert reference in page.content() and "Kettle broken (1)" in page.content()


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token"[^>]*value="([^"]+)"')
CUSTOMER = {"customer_name": "Tom Muster", "description": "The toaster burns every slice, also on level one."}
ANSWERS = {"f_next_step": "resolve", "f_customer_message": "Thank you, we are looking into it.", "f_internal_note": ""}


def _client(base: str, source: str = "127.0.0.1") -> httpx.Client:
    """An HTTPS client through nginx; customers each from an address of their own (5 complaints/hour each)."""
    transport = httpx.HTTPTransport(local_address=source, verify=False, retries=0)
    return httpx.Client(base_url=base, transport=transport, timeout=90.0, follow_redirects=False)


def _post(client: httpx.Client, path: str, form: dict[str, str], page: str) -> httpx.Response:
    match = CSRF.search(page)
    assert match is not None, page
    referer = {"Referer": f"{client.base_url}{path}"}
    return client.post(path, data={"csrf_token": match.group(1), **form}, headers=referer)


def _complaint(form: str, subject: str) -> dict[str, str]:
    """The portal form's fields, with the single-use token the page carries."""
    token = FORM_TOKEN.search(form)
    assert token is not None, form
    return {"form_token": token.group(1), "customer_email": "t@example.org", "subject": subject, **CUSTOMER}


def _until_served_by(topology: object, server: str) -> None:
    """Send GETs until ``server`` answers one: nginx tries a failed server again only after fail_timeout (5 s)."""
    log = Path(topology.folder) / "logs" / f"{server}.log"  # type: ignore[attr-defined]
    before = log.read_text().count("GET /sign-in")
    deadline = time.monotonic() + 60
    with _client(topology.url) as client:  # type: ignore[attr-defined]
        while log.read_text().count("GET /sign-in") == before:
            assert time.monotonic() < deadline, f"{server} got no request through nginx within 60 s"
            assert client.get("/sign-in").status_code == 200
            time.sleep(0.3)


def test_posts_in_flight_on_a_killed_app_server_are_answered_by_the_other(desk: object) -> None:
    """Portal submissions and task completions that an app server had received when it died (stopped, then
    kill -9) are passed to the other app server by nginx, and each is done once (docs/production.md, 6)."""
    topology = desk
    victim, survivor = "complaintflow-web@8002", "complaintflow-web@8001"
    if topology.processes[survivor].poll() is not None:  # type: ignore[attr-defined]
        topology.restart_unit(survivor)  # type: ignore[attr-defined]
    _until_served_by(topology, survivor)
    base = topology.url  # type: ignore[attr-defined]
    subjects = [f"Toaster {n} ({secrets.token_hex(3)})" for n in range(4)]
    engine = create_engine(topology.database_url)  # type: ignore[attr-defined]
    customers = [_client(base, f"127.0.7.{n + 1}") for n in range(len(subjects))]
    forms = [customer.get("/portal/").text for customer in customers]
    for customer, form, subject in zip(customers[2:], forms[2:], subjects[2:], strict=True):
        assert _post(customer, "/portal/", _complaint(form, subject), form).status_code == 200
    with engine.connect() as connection:
        task_ids = [connection.execute(text(
            "SELECT t.id FROM human_task t JOIN complaint c ON c.instance_id = t.instance_id WHERE c.subject = :s"
        ), {"s": subject}).scalar_one() for subject in subjects[2:]]  # fmt: skip
    agent = _client(base)
    sign_in = agent.get("/sign-in").text
    assert _post(agent, "/sign-in", {"username": "agent", "password": "agent-password"}, sign_in).status_code == 302
    task_pages = [agent.get(f"/task/{task_id}").text for task_id in task_ids]

    posts: list[tuple[httpx.Client, str, dict[str, str], str]] = [
        (customer, "/portal/", _complaint(form, subject), form)
        for customer, form, subject in zip(customers[:2], forms[:2], subjects[:2], strict=True)
    ]
    posts += [(agent, f"/task/{task}/complete", ANSWERS, page) for task, page in zip(task_ids, task_pages, strict=True)]
    answers: dict[int, httpx.Response] = {}
    # Stopped, the victim's kernel still accepts nginx's connections and requests; killed, it resets them.
    os.killpg(topology.processes[victim].pid, signal.SIGSTOP)  # type: ignore[attr-defined]
    threads = []
    for number, post in enumerate(posts):
        threads.append(threading.Thread(target=lambda n=number, p=post: answers.__setitem__(n, _post(*p))))
        threads[-1].start()
        time.sleep(0.3)  # one after the other: nginx's round robin gives one of each pair to the victim
    time.sleep(1)
    topology.kill(victim)  # type: ignore[attr-defined]
    for thread in threads:
        thread.join(timeout=120)
    assert [answers[n].status_code for n in range(4)] == [200, 200, 302, 302], [answers[n].text[:300] for n in answers]
    assert all(answers[n].headers["location"].endswith("/tasks/mine") for n in (2, 3))
    errors = (Path(topology.folder) / "logs" / "nginx-error.log").read_text()  # type: ignore[attr-defined]
    port = topology.app_ports[1]  # type: ignore[attr-defined]
    assert f"127.0.0.1:{port}/portal/" in errors, "no portal submission was in flight on the killed app server"
    assert re.search(rf"127\.0\.0\.1:{port}/task/[^/]+/complete", errors), "no completion was in flight on it"

    # Once each: one complaint per form, one completion per task, also when the answer is lost and sent again.
    again = _post(*posts[0])
    assert again.status_code == 200 and re.search(r"C-[0-9A-Za-z-]+", answers[0].text).group(0) in again.text  # type: ignore[union-attr]
    assert _post(*posts[2]).headers["location"].endswith("/tasks/mine")
    with engine.connect() as connection:
        for subject in subjects:
            count = connection.execute(text("SELECT count(*) FROM complaint WHERE subject = :s"), {"s": subject})
            assert count.scalar_one() == 1, subject
        for task_id in task_ids:
            done = connection.execute(text(
                "SELECT count(*) FROM audit_entry WHERE task_id = :t AND action = 'task_completed'"
            ), {"t": task_id}).scalar_one()  # fmt: skip
            assert done == 1, task_id
    engine.dispose()
    for client in (*customers, agent):
        client.close()
    topology.restart_unit(victim)  # type: ignore[attr-defined]
