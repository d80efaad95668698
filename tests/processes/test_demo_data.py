"""The demo data set reaches every stage it promises, through the services, and loads only once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from complaintflow.demo import DEFAULT_FILE, load_demo
from engine.store import queries
from engine.store.complaints import Complaint
from engine.store.models import INSTANCE_COMPLETED, ProcessDefinition
from tests.engine.round_trip import assert_round_trips

ROOT = Path(__file__).resolve().parents[2]
STAGES = {
    "new",
    "first_level",
    "awaiting_approval",
    "department",
    "waiting_customer",
    "closed_no_answer",
    "escalated",
    "resolved",
    "closed",
    "reopened",
}


def _check(session: Session, reference: str, expect: dict[str, Any]) -> None:
    complaint = session.scalars(select(Complaint).where(Complaint.reference == reference)).one()
    instance = complaint.instance
    assert instance is not None and queries.open_incident(session, instance.id) is None
    assert_round_trips(session, instance)
    assert complaint.status == expect["status"], reference
    open_tasks = list(queries.list_tasks(session, queries.TaskFilter(instance_id=instance.id)))
    if expect["task"] is None:
        assert open_tasks == [], reference
    else:
        assert [task.element_id for task in open_tasks] == [expect["task"]], reference
        task = open_tasks[0]
        if "group" in expect:
            assert task.candidate_groups == [expect["group"]], reference
        if "assignee" in expect:
            assert task.assignee == expect["assignee"], reference
    for column in ("priority", "handling_level", "csat", "outcome"):
        if column in expect:
            assert getattr(complaint, column) == expect[column], (reference, column)
    assert (instance.status == INSTANCE_COMPLETED) == expect.get("completed", False), reference


def test_every_stage_is_reached_and_a_second_run_adds_nothing(session: Session, now: datetime) -> None:
    data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    assert len(data["complaints"]) >= 25
    assert {entry["stage"] for entry in data["complaints"]} == STAGES
    assert {entry["complaint"]["channel"] for entry in data["complaints"]} == {
        "web",
        "email",
        "api",
        "phone",
        "letter",
        "in_person",
        "chat",
        "social_media",
    }

    loaded = load_demo(session, DEFAULT_FILE, now)
    assert all(item.created for item in loaded)
    for item, entry in zip(loaded, data["complaints"], strict=True):
        _check(session, item.reference, entry["expect"])
    categories = set(session.scalars(select(Complaint.category)))
    assert categories == {"quality", "billing", "account", "customer_service"}

    again = load_demo(session, DEFAULT_FILE, now)
    assert not any(item.created for item in again)
    assert [item.reference for item in again] == [item.reference for item in loaded]
    assert session.scalar(select(func.count()).select_from(Complaint)) == len(loaded)
    assert session.scalar(select(func.count()).select_from(ProcessDefinition)) == 3  # deployed once


def test_the_command_runs_twice_from_the_shell(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLAINTFLOW_")}
    env["COMPLAINTFLOW_INSTANCE_PATH"] = str(tmp_path / "instance")

    def run(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "complaintflow.cli", *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        return result.stdout

    first = run("demo-data", "--now", "2026-11-23T09:00:00+00:00")
    assert "26 complaint(s) loaded, 0 already there" in first
    assert "reopened" in first and "status=waiting_customer" in first
    second = run("demo-data", "--now", "2026-11-23T10:00:00+00:00")
    assert "0 complaint(s) loaded, 26 already there" in second
    # No complaint stops with an incident; the one incident is the goodwill voucher example's, started once.
    incidents = [line for line in run("instances").splitlines() if " incident " in line]
    assert len(incidents) == 1 and "goodwill_voucher v1  incident  key=GV-DEMO-1" in incidents[0], incidents
    assert "stopped with an incident to fix in the cockpit" in first and "incident" not in second
