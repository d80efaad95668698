"""Statuses mean what they say: ``needs_attention`` when an element will predictably raise an incident.

Issue 13: diagrams from other modellers that the check called deployable predictably raised incidents at
run time (a Java class, topic ``http`` not marked external, a gateway reading a variable nothing sets).
The check now lists those elements and the upload page says in plain words (English and German) what will
happen; external tasks are listed as waiting for a worker, a normal state.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from designer_export import DEPLOYABLE, NEEDS_ATTENTION, FileReport
from engine.store.users import User
from tests.designer.helpers import check, diagram, linear
from tests.designer.web_support import upload
from tests.webui.support import Client

AGENT = 'camunda:candidateGroups="agent"'
TOPICS = {"notify"}


def _gateway(condition: str, before: str = "") -> str:
    """start -> [before] -> gateway -> (condition) a / (default) b."""
    steps = f'<startEvent id="start"/>{before}<exclusiveGateway id="gw" default="f_b"/>'
    first = "s0" if before else "gw"
    return (
        f'{steps}<userTask id="a" {AGENT}/><userTask id="b" {AGENT}/>'
        f'<sequenceFlow id="f0" sourceRef="start" targetRef="{first}"/>'
        + ('<sequenceFlow id="f1" sourceRef="s0" targetRef="gw"/>' if before else "")
        + f'<sequenceFlow id="f_a" sourceRef="gw" targetRef="a"><conditionExpression>{condition}'
        "</conditionExpression></sequenceFlow>"
        '<sequenceFlow id="f_b" sourceRef="gw" targetRef="b"/>'
    )


def _report(text: str) -> FileReport:
    return check(text, known_topics=TOPICS)


@pytest.mark.parametrize(
    ("task", "code"),
    [
        ('<serviceTask id="s1" name="Pay" camunda:class="org.example.Pay"/>', "java-implementation"),
        ('<serviceTask id="s1" name="Pay" camunda:delegateExpression="${pay}"/>', "java-implementation"),
        ('<serviceTask id="s1" name="Call" camunda:topic="http"/>', "unknown-topic"),
    ],
)
def test_predictable_incidents_make_the_file_need_attention(task: str, code: str) -> None:
    report = _report(diagram(linear(task, f'<userTask id="s2" {AGENT}/>')))
    assert report.status == NEEDS_ATTENTION
    assert [(d.code, d.element_id) for d in report.incident_elements()] == [(code, "s1")]


def test_an_external_task_waits_for_a_worker_and_is_deployable() -> None:
    task = '<serviceTask id="s1" name="Call" camunda:type="external" camunda:topic="http"/>'
    report = _report(diagram(linear(task, f'<userTask id="s2" {AGENT}/>')))
    assert report.status == DEPLOYABLE
    assert report.worker_tasks() == [("s1", "http")]
    assert "waits for a worker on topic 'http'" in next(d.message for d in report.diagnostics if d.element_id == "s1")


def test_a_condition_reading_a_variable_nothing_sets_needs_attention() -> None:
    report = _report(diagram(_gateway("approved")))
    assert report.status == NEEDS_ATTENTION
    [finding] = report.incident_elements()
    assert (finding.code, finding.element_id) == ("condition-variable", "f_a") and "approved" in finding.message


@pytest.mark.parametrize(
    ("condition", "before"),
    [
        ("approved", f'<userTask id="s0" {AGENT}><extensionElements><camunda:formData>'
         '<camunda:formField id="approved" type="boolean"/></camunda:formData></extensionElements></userTask>'),
        ("approved", '<scriptTask id="s0" scriptFormat="python"><script>approved = amount &gt; 10</script>'
         '</scriptTask>'),
        ("amount &gt; 100 and category == 'billing'", ""),  # start variables every complaint process gets
        ("len(description) &gt; 10 and now() &gt; now()", ""),  # builtins and helpers
        ("approved", '<serviceTask id="s0" camunda:topic="notify"/>'),  # a system action may set it
    ],
)  # fmt: skip
def test_conditions_reading_variables_that_are_set_are_not_flagged(condition: str, before: str) -> None:
    report = _report(diagram(_gateway(condition, before)))
    assert [d for d in report.diagnostics if d.code == "condition-variable"] == []


def test_upload_page_says_what_will_happen_in_english_and_german(
    client_for: Callable[[str], Client],
    app: Flask,
) -> None:
    text = diagram(
        linear(
            '<serviceTask id="s1" name="Pay" camunda:class="org.example.Pay"/>',
            '<serviceTask id="s2" name="Call" camunda:type="external" camunda:topic="http"/>',
        )
    )
    page = upload(client_for("designer"), ("pay.bpmn", text)).get_data(as_text=True)
    assert "verdict-needs_attention" in page and "needs attention" in page
    assert "every instance that reaches one of these elements stops there with an incident" in page
    assert "<strong>s1</strong>" in page
    assert "s2 waits for a worker on topic http" in page
    context = app.extensions["complaintflow"]
    with context.sessions() as session:
        session.scalars(select(User).where(User.username == "designer")).one().language = "de"
        session.commit()
    german = upload(client_for("designer"), ("pay.bpmn", text)).get_data(as_text=True)
    assert "braucht Nacharbeit" in german
    assert "hält dort mit einem Vorfall an" in german and "<strong>s1</strong>" in german
    assert "s2 wartet auf einen Worker für das Thema http" in german


ROOT = Path(__file__).resolve().parents[2]


def test_cli_deploy_and_designer_deploy_share_one_path(tmp_path: Path) -> None:
    """``complaintflow deploy`` accepted ``import os`` in a script that ``designer deploy`` refused."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLAINTFLOW_")}
    env["COMPLAINTFLOW_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cf.db'}"
    env["COMPLAINTFLOW_INSTANCE_PATH"] = str(tmp_path / "instance")
    unsafe = tmp_path / "unsafe.bpmn"
    script = '<scriptTask id="s1" scriptFormat="python"><script>import os</script></scriptTask>'
    unsafe.write_text(diagram(linear(script, f'<userTask id="s2" {AGENT}/>')), encoding="utf-8")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "complaintflow.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip

    assert cli("init-db").returncode == 0
    for command in (["deploy"], ["designer", "deploy"]):
        result = cli(*command, str(unsafe))
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert "script-invalid" in result.stderr or "imports are not available" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    listed = cli("designer", "versions")
    assert "p" not in listed.stdout.split()


def test_documented_start_variables_are_what_intake_passes() -> None:
    from engine.domain.process_data import COMPLAINT_VARIABLES
    from engine.services.intake.complaints import process_variables
    from engine.store.complaints import Complaint, Customer

    complaint = Complaint(reference="C-1", channel="web", customer=Customer(name="Frau Meier"))
    assert tuple(process_variables(complaint)) == COMPLAINT_VARIABLES


def test_the_helper_names_are_the_engines_helpers() -> None:
    from engine.domain.process_data import HELPER_NAMES
    from engine.runtime.scripting import default_helpers

    assert set(default_helpers()) == HELPER_NAMES


def test_a_decision_nobody_uses_is_deployable_alone_as_by_deploy(tmp_path: Path) -> None:
    """Deploy versions a DMN file alone (processes deployed later use it): the check agrees, with a note."""
    from designer_export import REJECTED, check_paths

    shipped = ROOT / "processes"
    [alone] = check_paths([str(shipped / "complaint_settings.dmn")])
    assert alone.status != REJECTED
    assert [d.code for d in alone.diagnostics if d.severity == "info"] == ["decision-unused"]
    users = [str(p) for p in sorted(shipped.glob("*.bpmn"))] + [str(p) for p in sorted(shipped.glob("*.dmn"))]
    reports = {Path(r.file).name: r for r in check_paths(users)}
    assert reports["complaint_settings.dmn"].status != REJECTED


PLACEHOLDERS = (
    '<startEvent id="start"/><exclusiveGateway id="gw"/><userTask id="a" camunda:candidateGroups="agent"/>'
    '<userTask id="b" camunda:candidateGroups="agent"/><sequenceFlow id="f0" sourceRef="start" targetRef="gw"/>'
    '<sequenceFlow id="fa" sourceRef="gw" targetRef="a"><conditionExpression>_undefined</conditionExpression>'
    '</sequenceFlow><sequenceFlow id="fb" sourceRef="gw" targetRef="b"><conditionExpression>${_tbd}'
    "</conditionExpression></sequenceFlow>"
)


def test_placeholder_conditions_are_no_condition_yet_in_a_descriptive_diagram() -> None:
    """``_undefined`` is what modelling tools write for a condition still to be decided (issue 13)."""
    as_uploaded = _report(diagram(PLACEHOLDERS))
    assert {d.code for d in as_uploaded.diagnostics if d.severity == "error"} == {"condition-invalid"}
    executable = check(diagram(PLACEHOLDERS), as_executable=True, known_topics=TOPICS)
    assert [d.element_id for d in executable.diagnostics if d.code == "placeholder-condition"] == ["fa", "fb"]
    # Nobody chooses the path yet: deployable, and the page says where instances will stop.
    assert executable.status == NEEDS_ATTENTION
    assert [(d.code, d.element_id) for d in executable.incident_elements()] == [("decision-variable", "gw")]
