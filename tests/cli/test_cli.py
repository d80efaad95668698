"""The complaintflow command line, run as a real process the way an operator uses it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import postgres_server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DIAGRAMS = ROOT / "tests" / "engine" / "diagrams"


class Shell:
    """Runs ``complaintflow`` commands against one database."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, *args: str, expect: int = 0) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "complaintflow.cli", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode == expect, (result.stdout, result.stderr)
        return result.stdout if expect == 0 else result.stderr

    def first_task(self, *filters: str) -> dict[str, object]:
        lines = self("tasks", "--json", *filters).splitlines()
        assert lines, "no open task"
        task: dict[str, object] = json.loads(lines[0])
        return task


@pytest.fixture
def shell(tmp_path: Path) -> Shell:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLAINTFLOW_")}
    env["COMPLAINTFLOW_INSTANCE_PATH"] = str(tmp_path / "instance")
    return Shell(env)


def test_full_run_of_the_example_from_the_shell(shell: Shell, tmp_path: Path) -> None:
    assert "database ready at revision" in shell("init-db")
    assert (tmp_path / "instance" / "complaintflow.db").exists()
    basic = [str(EXAMPLES / "complaint_basic.bpmn"), str(EXAMPLES / "complaint_priority.dmn")]
    assert shell("deploy", *basic).strip() == "complaint_basic: deployed as version 1"
    assert shell("deploy", *basic).strip() == "complaint_basic: unchanged at version 1"

    out = shell(
        "start",
        "complaint_basic",
        "--data",
        '{"complaint_id": "C-7", "customer": "Herr Schulz", "category": "billing", "amount": 120}',
    )
    assert "instance 1 started (running)" in out and "Handle complaint" in out
    task = shell.first_task("--group", "agent")
    assert task["element_id"] == "handle_complaint" and task["groups"] == ["agent"]

    error = shell("--as-user", "olaf", "--group", "billing", "claim", str(task["id"]), expect=1)
    assert error.strip() == "error: olaf is not a candidate for task 'Handle complaint'"
    assert "claimed by anna" in shell("--as-user", "anna", "--group", "agent", "claim", str(task["id"]))

    error = shell(
        "--as-user",
        "anna",
        "--group",
        "agent",
        "complete",
        str(task["id"]),
        "--data",
        '{"resolution": "voucher", "refund_amount": 300}',
        expect=1,
    )
    assert "resolution: must be one of: explanation, replacement, refund" in error
    assert "reply: is required" in error

    out = shell(
        "--as-user",
        "anna",
        "--group",
        "agent",
        "complete",
        str(task["id"])[:8],
        "--data",
        '{"resolution": "refund", "refund_amount": 300, "reply": "We will refund you."}',
    )
    assert "instance 1 is running" in out and "Approve resolution" in out
    approval = shell.first_task("--group", "team_lead")
    shell("--as-user", "lea", "--role", "team_lead", "complete", str(approval["id"]), "--data", '{"approved": true}')
    assert "1  complaint_basic v1  completed  key=C-7" in shell("instances", "--status", "completed")

    history = shell("history", "1")
    for action in ("instance_started", "task_claimed", "task_completed", "instance_completed"):
        assert action in history
    assert "no tasks" in shell("tasks")


def test_incident_retry_and_message_from_the_shell(shell: Shell) -> None:
    shell("init-db")
    shell("deploy", str(DIAGRAMS / "script_flow.bpmn"), str(DIAGRAMS / "message_flow.bpmn"))
    out = shell("start", "script_flow", "--data", '{"amount": 10, "divisor": 0}')
    assert "incident at compute_refund" in out and "division by zero" in out
    assert "incident at compute_refund" in shell("instances", "--status", "incident")
    assert "still failing at compute_refund" in shell("retry", "1")
    out = shell("retry", "1", "--data", '{"divisor": 5}')
    assert "instance 1 is running" in out and "Check refund" in out

    shell("start", "message_flow", "--business-key", "C-42")
    task = shell.first_task("--instance", "2")
    shell("complete", str(task["id"]), "--data", '{"question": "Which order?"}')
    assert "2  message_flow v1  waiting" in shell("instances")
    assert "no instance is waiting" in shell("message", "customer_info_received", "--key", "C-1", expect=1)
    out = shell("message", "customer_info_received", "--key", "C-42", "--data", '{"order_number": "4711"}')
    assert "delivered to instance(s) 2" in out
    assert shell.first_task("--instance", "2")["element_id"] == "review_info"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("start", "nope"), "error: process 'nope' is not deployed"),
        (("start", "nope", "--data", "{oops"), "error: --data is not valid JSON"),
        (("start", "nope", "--data", "[1]"), "error: --data must be a JSON object"),
        (("complete", "12345678-dead", "--data", "{}"), "error: task 12345678-dead does not exist"),
        (("retry", "99"), "error: instance 99 does not exist"),
        (("deploy", "/does/not/exist.bpmn"), "error: cannot read /does/not/exist.bpmn"),
    ],
)
def test_errors_are_one_clear_line(shell: Shell, args: tuple[str, ...], message: str) -> None:
    shell("init-db")
    error = shell(*args, expect=1)
    assert error.startswith(message), error
    assert len(error.strip().splitlines()) == 1


def test_broken_bpmn_upload_names_file_and_line(shell: Shell, tmp_path: Path) -> None:
    shell("init-db")
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<?xml version='1.0'?>\n<definitions>\n<process id='x'>\n")
    error = shell("deploy", str(broken), expect=1)
    assert "not well-formed XML" in error and "broken.bpmn" in error and "line 4" in error
    junk = tmp_path / "junk.bpmn"
    junk.write_bytes(os.urandom(2048))
    assert shell("deploy", str(junk), expect=1).startswith("error: ")


def test_usage_errors_exit_2(shell: Shell) -> None:
    assert "Usage:" in shell("start", expect=2)
    assert "No such command" in shell("frobnicate", expect=2)


@pytest.mark.postgres
def test_postgresql_via_database_url(shell: Shell) -> None:
    admin_url = os.environ.get(postgres_server.ENV_URL)
    if not admin_url:
        pytest.fail(f"{postgres_server.ENV_URL} is not set")
    name = f"cf_cli_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    postgres_server.drop_database_on(admin_url, name)
    shell.env["COMPLAINTFLOW_DATABASE_URL"] = postgres_server.create_database_on(admin_url, name)
    try:
        shell("init-db")
        shell("deploy", str(EXAMPLES / "complaint_basic.bpmn"), str(EXAMPLES / "complaint_priority.dmn"))
        shell("start", "complaint_basic", "--data", '{"complaint_id": "PG-1", "category": "billing", "amount": 10}')
        assert "complaint_basic v1  running  key=PG-1" in shell("instances")
    finally:
        postgres_server.drop_database_on(admin_url, name)


def test_descriptive_diagram_needs_as_executable(shell: Shell, tmp_path: Path) -> None:
    shell("init-db")
    descriptive = tmp_path / "descriptive.bpmn"
    descriptive.write_text(
        "<?xml version='1.0'?>\n"
        "<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL' id='d' targetNamespace='t'>\n"
        "<bpmn:process id='sketch' isExecutable='false'>\n"
        "<bpmn:laneSet id='ls'><bpmn:lane id='l' name='Agent'><bpmn:flowNodeRef>s</bpmn:flowNodeRef>"
        "<bpmn:flowNodeRef>t</bpmn:flowNodeRef><bpmn:flowNodeRef>e</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>\n"
        "<bpmn:startEvent id='s'/><bpmn:task id='t' name='Call the customer'/><bpmn:endEvent id='e'/>\n"
        "<bpmn:sequenceFlow id='a' sourceRef='s' targetRef='t'/>\n"
        "<bpmn:sequenceFlow id='b' sourceRef='t' targetRef='e'/>\n"
        "</bpmn:process></bpmn:definitions>\n"
    )
    assert shell("deploy", str(descriptive), expect=1).startswith("error: ")
    assert "sketch: deployed as version 1" in shell("deploy", "--as-executable", str(descriptive))
    shell("start", "sketch")
    assert shell.first_task("--group", "agent")["title"] == "Call the customer"
