"""Camunda 8 events on small diagrams: escalations (throw, end, boundary; interrupting and not), errors out of
called processes, event-based gateways with a message and a timer, and a timer cycle that fires five times."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.designer.helpers import diagram, ready, run

ESCALATIONS = '<escalation id="esc_late" escalationCode="late"/><escalation id="esc_stop" escalationCode="stop"/>'


def _flows(*pairs: tuple[str, str]) -> str:
    return "".join(f'<sequenceFlow id="f_{a}_{b}" sourceRef="{a}" targetRef="{b}"/>' for a, b in pairs)


def _escalation(event_id: str, kind: str, code_ref: str) -> str:
    return f'<{kind} id="{event_id}"><escalationEventDefinition escalationRef="{code_ref}"/></{kind}>'


def test_a_thrown_escalation_runs_the_non_interrupting_boundary_beside_the_sub_process() -> None:
    text = diagram(
        '<startEvent id="start"/><subProcess id="sub"><startEvent id="s_start"/>'
        + _escalation("warn", "intermediateThrowEvent", "esc_late")
        + '<userTask id="work"/><endEvent id="s_end"/>'
        + _flows(("s_start", "warn"), ("warn", "work"), ("work", "s_end"))
        + '</subProcess><boundaryEvent id="late" attachedToRef="sub" cancelActivity="false">'
        '<escalationEventDefinition escalationRef="esc_late"/></boundaryEvent>'
        '<userTask id="notify"/><userTask id="after"/><endEvent id="end"/><endEvent id="end_n"/>'
        + _flows(("start", "sub"), ("sub", "after"), ("after", "end"), ("late", "notify"), ("notify", "end_n")),
        before=ESCALATIONS,
    )
    workflow = run(text)
    assert workflow.incident is None and ready(workflow) == ["notify", "work"]  # both: the sub-process goes on


def test_an_escalation_end_event_is_caught_by_the_interrupting_boundary() -> None:
    text = diagram(
        '<startEvent id="start"/><subProcess id="sub"><startEvent id="s_start"/><userTask id="check"/>'
        + _escalation("stop_end", "endEvent", "esc_stop")
        + _flows(("s_start", "check"), ("check", "stop_end"))
        + '</subProcess><boundaryEvent id="stopped" attachedToRef="sub">'
        '<escalationEventDefinition escalationRef="esc_stop"/></boundaryEvent>'
        '<userTask id="handle"/><userTask id="after"/><endEvent id="end"/><endEvent id="end_h"/>'
        + _flows(("start", "sub"), ("sub", "after"), ("after", "end"), ("stopped", "handle"), ("handle", "end_h")),
        before=ESCALATIONS,
    )
    workflow = run(text)
    [check] = workflow.human_tasks()
    workflow.complete_task(check.task_id, {"reason": "vendor declined"})
    assert workflow.incident is None and ready(workflow) == ["handle"]  # the sub-process was interrupted
    assert workflow.variables()["reason"] == "vendor declined"


CHILD = (
    '<process id="child" isExecutable="true"><startEvent id="c_start"/><userTask id="c_review"/>'
    '<exclusiveGateway id="c_gate" default="c_f3"/><endEvent id="c_ok"/>'
    '<endEvent id="c_fail"><errorEventDefinition errorRef="err_refused"/></endEvent>'
    '<sequenceFlow id="c_f1" sourceRef="c_start" targetRef="c_review"/>'
    '<sequenceFlow id="c_f2" sourceRef="c_review" targetRef="c_gate"/>'
    '<sequenceFlow id="c_f3" sourceRef="c_gate" targetRef="c_ok"/>'
    '<sequenceFlow id="c_f4" sourceRef="c_gate" targetRef="c_fail"><conditionExpression>=refused</conditionExpression>'
    "</sequenceFlow></process>"
)


def test_an_error_end_event_in_a_called_process_is_caught_on_the_call_activity() -> None:
    text = diagram(
        '<startEvent id="start"/><callActivity id="call" calledElement="child"><extensionElements>'
        '<zeebe:calledElement processId="child"/></extensionElements></callActivity>'
        '<boundaryEvent id="refused" attachedToRef="call"><errorEventDefinition errorRef="err_refused"/>'
        "</boundaryEvent>"
        '<userTask id="handled"/><userTask id="after"/><endEvent id="end"/><endEvent id="end_r"/>'
        + _flows(("start", "call"), ("call", "after"), ("after", "end"), ("refused", "handled"), ("handled", "end_r")),
        before='<error id="err_refused" errorCode="refused"/>',
        after=CHILD,
    )
    for refused, expected in ((True, ["handled"]), (False, ["after"])):
        workflow = run(text)
        [review] = workflow.human_tasks()
        workflow.complete_task(review.task_id, {"refused": refused})
        assert workflow.incident is None and ready(workflow) == expected


def _gateway_diagram() -> str:
    return diagram(
        '<startEvent id="start"/><eventBasedGateway id="g"/>'
        '<intermediateCatchEvent id="answer"><extensionElements/><messageEventDefinition messageRef="msg_answer"/>'
        "</intermediateCatchEvent>"
        '<intermediateCatchEvent id="silence"><timerEventDefinition><timeDuration>P2D</timeDuration>'
        "</timerEventDefinition></intermediateCatchEvent>"
        '<userTask id="read"/><userTask id="chase"/><endEvent id="end1"/><endEvent id="end2"/>'
        + _flows(("start", "g"), ("g", "answer"), ("g", "silence"), ("answer", "read"), ("silence", "chase"))
        + _flows(("read", "end1"), ("chase", "end2")),
        after='<message id="msg_answer" name="answer"><extensionElements><zeebe:subscription '
        'correlationKey="=case_id"/></extensionElements></message>',
    )


def test_an_event_based_gateway_takes_the_message_or_the_timer_whichever_comes_first() -> None:
    answered = run(_gateway_diagram(), {"case_id": "C-1"})
    assert [wait.message_name for wait in answered.message_waits()] == ["answer"]
    answered.now += timedelta(days=1)
    answered.send_message("answer", {"text": "here you are"})
    assert ready(answered) == ["read"] and answered.timers() == [] and answered.variables()["text"] == "here you are"
    silent = run(_gateway_diagram(), {"case_id": "C-2"})
    silent.now += timedelta(days=2, seconds=1)
    silent.fire_timers()
    assert ready(silent) == ["chase"] and silent.message_waits() == []


def test_a_timer_cycle_r5_fires_five_times() -> None:
    text = diagram(
        '<startEvent id="start"/><userTask id="wait"/>'
        '<boundaryEvent id="remind" attachedToRef="wait" cancelActivity="false"><timerEventDefinition>'
        "<timeCycle>R5/P2D</timeCycle></timerEventDefinition></boundaryEvent>"
        '<serviceTask id="reminder"><extensionElements><zeebe:taskDefinition type="remind"/></extensionElements>'
        '</serviceTask><endEvent id="end"/><endEvent id="end_r"/>'
        + _flows(("start", "wait"), ("wait", "end"), ("remind", "reminder"), ("reminder", "end_r"))
    )
    workflow = run(text)
    fired: list[Any] = []
    for _ in range(7):  # fourteen days: a cycle of five every two days, then no more
        workflow.now += timedelta(days=2, seconds=1)
        workflow.fire_timers()
        for call in workflow.service_calls():
            fired.append(workflow.now)
            workflow.complete_service_call(call.task_id, {})
    assert len(fired) == 5 and ready(workflow) == ["wait"]


def test_feel_timer_values_run_as_feel() -> None:
    """Camunda 8 timers written in FEEL: a duration, a date and time, a variable, a cycle as text."""
    cases = {
        ("timeDuration", '=duration("PT36H")'): "2026-11-24T21:00:00+00:00",
        ("timeDuration", "=wait"): "2026-11-25T09:00:00+00:00",
        ("timeDate", '=date and time("2026-11-30T08:00:00@Europe/Berlin")'): "2026-11-30T07:00:00+00:00",
        ("timeCycle", '="R2/PT1H"'): "2026-11-23T10:00:00+00:00",
    }
    for (kind, value), due in cases.items():
        text = diagram(
            '<startEvent id="start"/><intermediateCatchEvent id="t"><timerEventDefinition>'
            f"<{kind}>{value.replace('&', '&amp;')}</{kind}></timerEventDefinition></intermediateCatchEvent>"
            '<userTask id="next"/><endEvent id="end"/>' + _flows(("start", "t"), ("t", "next"), ("next", "end"))
        )
        workflow = run(text, {"wait": "P2D"})
        [timer] = workflow.timers()
        assert workflow.incident is None and timer.due_at == datetime.fromisoformat(due), value
