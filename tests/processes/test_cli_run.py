"""The process library from the shell: ``complaintflow deploy processes/*`` and one complaint run through it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from processes import PROCESS_DIR

ROOT = Path(__file__).resolve().parents[2]
INTAKE = {
    "complaint_id": "C-SHELL-1",
    "channel": "email",
    "explicit": True,
    "customer_name": "Erika Mustermann",
    "customer_email": "erika@example.org",
    "customer_segment": "standard",
    "subject": "Rechnung doppelt abgebucht",
    "description": "Die Rechnung 4711 wurde zweimal abgebucht.",
    "product": None,
    "order_ref": "4711",
    "amount": 80.0,
    "category": "billing",
    "language": "de",
}


def test_deploy_the_library_with_a_shell_glob_and_run_a_complaint(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLAINTFLOW_")}
    env["COMPLAINTFLOW_INSTANCE_PATH"] = str(tmp_path / "instance")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "complaintflow.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True
        )
        assert result.returncode == 0 and "Traceback" not in result.stderr, (result.stdout, result.stderr)
        return result

    def only_task() -> dict[str, object]:
        lines = run("tasks", "--json").stdout.splitlines()
        assert len(lines) == 1, lines
        task: dict[str, object] = json.loads(lines[0])
        return task

    run("init-db")
    # What the shell makes of processes/*: BPMN and DMN files, the README, __init__.py, maybe __pycache__.
    deployed = run("deploy", *sorted(str(path) for path in PROCESS_DIR.iterdir()))
    assert deployed.stdout.splitlines() == [
        "complaint_case_work: deployed as version 1",
        "complaint_handling: deployed as version 1",
        "department_handover: deployed as version 1",
    ]
    assert "skipped" in deployed.stderr and "README.md" in deployed.stderr

    run("start", "complaint_handling", "--data", json.dumps(INTAKE))
    handle = only_task()
    assert (handle["element_id"], handle["groups"]) == ("handle_complaint", ["agent"])
    anna = ("--as-user", "anna", "--group", "agent", "--role", "agent")
    answer = {"next_step": "resolve", "customer_message": "Wir kümmern uns sofort darum."}
    run(*anna, "complete", str(handle["id"]), "--data", json.dumps(answer))
    propose = only_task()
    assert (propose["element_id"], propose["assignee"]) == ("propose_resolution", "anna")
    resolution = {
        "resolution_type": "credit_note",
        "resolution_amount": "80",
        "outcome": "upheld",
        "resolution_summary": "Wir schreiben Ihnen 80 EUR gut.",
    }
    run(*anna, "complete", str(propose["id"]), "--data", json.dumps(resolution))
    assert run("tasks").stdout.strip() == "no tasks"

    feedback = {"csat": 5, "nps": 10, "feedback_comment": "Danke!"}
    run("message", "feedback_received", "--key", "C-SHELL-1", "--data", json.dumps(feedback))
    close = only_task()
    assert (close["element_id"], close["assignee"]) == ("close_complaint", "anna")
    run(*anna, "complete", str(close["id"]), "--data", json.dumps({"root_cause": "billing_error"}))
    instances = run("instances").stdout
    assert "complaint_handling v1  waiting  key=C-SHELL-1" in instances
    history = run("history", "1").stdout
    for action in ("sla_started", "sla_first_response", "sla_stopped", "message_received", "complaint_closed"):
        assert action in history
