"""Building small diagrams and checking them in tests."""

from __future__ import annotations

from designer_export import FileReport, Upload, check_uploads
from engine.bpmn.diagnostics import Diagnostic
from engine.bpmn.resources import Resource

NAMESPACES = (
    'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)


def diagram(body: str, *, process_id: str = "p", executable: bool = True, before: str = "", after: str = "") -> str:
    """A BPMN file with one process around ``body``; ``before``/``after`` go beside the process."""
    flag = "true" if executable else "false"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<definitions {NAMESPACES} id="defs" targetNamespace="https://complaintflow.org/tests">\n'
        f"{before}\n"
        f'<process id="{process_id}" name="Test process" isExecutable="{flag}">\n{body}\n</process>\n'
        f"{after}\n"
        "</definitions>\n"
    )


def linear(*steps: str, prefix: str = "") -> str:
    """start -> steps (element XML with ids s1, s2, ...) -> end, connected by flows."""
    ids = ["start", *[f"s{n}" for n in range(1, len(steps) + 1)], "end"]
    flows = "".join(
        f'<sequenceFlow id="f{n}" sourceRef="{a}" targetRef="{b}"/>'
        for n, (a, b) in enumerate(zip(ids, ids[1:], strict=False))
    )
    return f'{prefix}<startEvent id="start"/>{"".join(steps)}<endEvent id="end"/>{flows}'


def check(text: str | bytes, name: str = "test.bpmn", **options: object) -> FileReport:
    data = text.encode("utf-8") if isinstance(text, str) else text
    [report] = check_uploads([Upload(name, data)], **options)  # type: ignore[arg-type]
    return report


def codes(report: FileReport, severity: str | None = None) -> set[str]:
    return {d.code for d in report.diagnostics if severity is None or d.severity == severity}


def find(report: FileReport, code: str) -> Diagnostic:
    matches = [d for d in report.diagnostics if d.code == code]
    assert matches, f"no {code!r} in {[d.text() for d in report.diagnostics]}"
    return matches[0]


def resource(text: str, name: str = "test.bpmn") -> Resource:
    return Resource(name, text)


def run(text: str, data: dict[str, object] | None = None, *, as_executable: bool = False, process_id: str = "p"):  # type: ignore[no-untyped-def]
    """Normalise, parse and start ``text`` in memory; returns the WorkflowRun (no database needed)."""
    from datetime import UTC, datetime

    from engine.bpmn.normalize.pipeline import blocking, normalize_resources
    from engine.runtime.parser import parse_process
    from engine.runtime.serialization import ParsedDefinition
    from engine.runtime.workflow import WorkflowRun

    files = normalize_resources([Resource("run.bpmn", text)], as_executable=as_executable)
    assert not blocking(files), [d.text() for d in blocking(files)]
    spec, subprocesses = parse_process([files[0].resource], process_id)
    return WorkflowRun.start(
        ParsedDefinition(spec, subprocesses), dict(data or {}), datetime(2026, 11, 23, 9, tzinfo=UTC)
    )


def ready(workflow_run) -> list[str]:  # type: ignore[no-untyped-def]
    """Element ids of the ready human tasks."""
    return sorted(task.element_id for task in workflow_run.human_tasks())


def complete(workflow_run, element_id: str, values: dict[str, object] | None = None) -> None:  # type: ignore[no-untyped-def]
    [task] = [t for t in workflow_run.human_tasks() if t.element_id == element_id]
    workflow_run.complete_task(task.task_id, dict(values or {}))
    assert workflow_run.incident is None, workflow_run.incident
