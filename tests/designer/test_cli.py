"""``complaintflow designer``, run as a real process: the exit-code and output contract of ``check``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.designer.helpers import diagram, linear

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TASK = '<userTask id="s1" name="Answer" camunda:candidateGroups="agent"/>'


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "complaintflow.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "good": diagram(linear(TASK)).encode(),
        "warning": diagram(linear('<userTask id="s1"/>'), process_id="w").encode(),
        "descriptive": diagram(linear(TASK), executable=False, process_id="d").encode(),
        "junk": os.urandom(4096) + b"\x00",
        "bomb": b'<!DOCTYPE a [<!ENTITY b "cccccccccc">]><definitions>&b;</definitions>',
        "empty": b"",
    }
    paths = {}
    for name, data in made.items():
        paths[name] = tmp_path / f"{name}.bpmn"
        paths[name].write_bytes(data)
    return paths


def test_all_deployable_exits_0(files: dict[str, Path]) -> None:
    result = cli("designer", "check", str(files["good"]), str(files["warning"]))
    assert result.returncode == 0
    assert f"{files['good']}: deployable (0 errors, 0 warnings)" in result.stdout
    assert "deployable_with_warnings" in result.stdout and "[unassigned-task]" in result.stdout


def test_any_rejected_exits_1_and_json_has_one_object_per_file(files: dict[str, Path]) -> None:
    names = ["good", "descriptive", "junk", "bomb", "empty"]
    result = cli("designer", "check", "--format", "json", *(str(files[n]) for n in names))
    assert result.returncode == 1
    reports = json.loads(result.stdout)
    assert [r["file"] for r in reports] == [str(files[n]) for n in names]
    assert [r["status"] for r in reports] == ["deployable", "rejected", "rejected", "rejected", "rejected"]
    for report in reports[1:]:
        [first, *_] = report["diagnostics"]
        assert set(first) == {"severity", "code", "message", "hint", "element_id", "element_type", "line", "file"}
        assert first["severity"] == "error" and (first["line"] or first["element_id"])


def test_as_executable_flag(files: dict[str, Path]) -> None:
    assert cli("designer", "check", "--as-executable", str(files["descriptive"])).returncode == 0


@pytest.mark.parametrize(
    "args",
    [
        ("designer", "check"),
        ("designer", "check", "/no/such/file.bpmn"),
        ("designer", "check", "--format", "yaml", "x.bpmn"),
        ("designer", "check", "--no-such-option"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.returncode == 2
    assert "Usage:" in result.stderr or "Error:" in result.stderr


def test_normalize_prints_what_will_run(tmp_path: Path) -> None:
    source = tmp_path / "juel.bpmn"
    source.write_text(
        diagram(linear('<userTask id="s1" activiti:assignee="anna"/>')).replace(
            "<definitions ", '<definitions xmlns:activiti="http://activiti.org/bpmn" ', 1
        )
    )
    result = cli("designer", "normalize", str(source))
    assert result.returncode == 0
    assert 'camunda:assignee="anna"' in result.stdout and "activiti:assignee" not in result.stdout


def test_deploy_checks_first_then_deploys(tmp_path: Path, files: dict[str, Path]) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLAINTFLOW_")}
    env["COMPLAINTFLOW_INSTANCE_PATH"] = str(tmp_path / "instance")
    assert cli("init-db", env=env).returncode == 0
    refused = cli("designer", "deploy", str(files["descriptive"]), env=env)
    assert refused.returncode == 1 and "[no-executable-process]" in refused.stderr
    deployed = cli("designer", "deploy", "--as-executable", str(files["descriptive"]), env=env)
    assert deployed.returncode == 0, deployed.stderr
    assert deployed.stdout.strip() == "d: deployed as version 1"
    basic = [str(EXAMPLES / "complaint_basic.bpmn"), str(EXAMPLES / "complaint_priority.dmn")]
    assert cli("designer", "deploy", *basic, env=env).stdout.strip() == "complaint_basic: deployed as version 1"
