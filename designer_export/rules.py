"""Semantic rules over a normalised diagram: what the schema cannot see but the engine needs.

Run after normalisation, so the rules judge what will actually run (a JUEL condition has become Python,
an implicit split a gateway). Elements keep the line they had in the uploaded file, so every finding
points at what the designer drew.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lxml import etree
from RestrictedPython import compile_restricted_eval, compile_restricted_exec

from designer_export.trial import LimitingTransformer
from engine.bpmn.bpmn_xml import BPMN_NS, BPMNDI_NS, DC_NS, DI_NS, FLOW_NODES, bpmn, camunda, text_of
from engine.bpmn.diagnostics import ERROR, WARNING, Diagnostic, at, local_name
from engine.bpmn.diagram_texts import missing_in_process
from engine.bpmn.expressions import assigned_names, free_names, juel_to_python
from engine.bpmn.feel_runtime import check_feel, is_feel
from engine.domain.messages import msg

# ISO 8601 as the engine's timers read it: durations, date-times, and repeating intervals.
_DURATION = r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
_DATETIME = r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?"
_ISO = {
    "timeDuration": re.compile(rf"^{_DURATION}$"),
    "timeDate": re.compile(rf"^{_DATETIME}$"),
    "timeCycle": re.compile(rf"^R\d*/(({_DATETIME}/)?{_DURATION}|{_DURATION}/{_DATETIME})$"),
}
_HUMAN = {"userTask", "manualTask", "task"}
_ID_NAMESPACES = (BPMN_NS, BPMNDI_NS, DI_NS, DC_NS)

# report(node, severity, code, message, hint="")
Reporter = Callable[..., None]


@dataclass
class Known:
    """What exists outside the file: processes and decisions of the upload and of deployed versions."""

    processes: dict[str, bool] = field(default_factory=dict)  # process id -> executable
    decisions: set[str] = field(default_factory=set)


def _executable_processes(root: etree._Element) -> list[etree._Element]:
    return [
        p
        for p in root.iterchildren(bpmn("process"))
        if (p.get("isExecutable") or "true").lower() == "true" and any(local_name(c) in FLOW_NODES for c in p)
    ]


def check_rules(root: etree._Element, filename: str, known: Known) -> list[Diagnostic]:
    """Every semantic finding for one normalised BPMN document."""
    found: list[Diagnostic] = []

    def report(node: etree._Element | None, severity: str, code: str, message: str, hint: str = "") -> None:
        found.append(at(node, severity, code, message, hint, file=filename))

    _duplicate_ids(root, report)
    processes = _executable_processes(root)
    if not processes:
        descriptive = any(p.get("isExecutable") == "false" for p in root.iterchildren(bpmn("process")))
        report(
            root,
            ERROR,
            "no-executable-process",
            msg("diag.no-executable-process"),
            msg("hint.no-executable-process") if descriptive else "",
        )
    set_anywhere = _variables_set(root)
    for process in processes:
        _references(process, known, report)
        _flows(process, report)
        _human_tasks(process, report)
        _translations(process, report)
        _expressions(process, set_anywhere, report)
        _reachability(process, report)
    return found


def _translations(process: etree._Element, report: Reporter) -> None:
    """A process that declares languages (``i18n:languages``) should translate every text a person reads."""
    by_id = {node.get("id"): node for node in process.iter() if isinstance(node.tag, str) and node.get("id")}
    for missing in missing_in_process(process):
        report(
            by_id.get(missing.element_id, process),
            WARNING,
            "missing-translation",
            msg("diag.missing-translation", key=missing.key, language=missing.language),
            msg("hint.missing-translation", language=missing.language, key=missing.key),
        )


def _model_elements(root: etree._Element) -> Iterable[etree._Element]:
    # Ids are unique among BPMN and diagram elements; vendor extensions (camunda:value ids) have their own.
    for node in root.iter():
        if isinstance(node.tag, str) and etree.QName(node).namespace in _ID_NAMESPACES and node.get("id"):
            yield node


def _duplicate_ids(root: etree._Element, report: Reporter) -> None:
    counts = Counter(node.get("id") for node in _model_elements(root))
    seen: set[str] = set()
    for node in _model_elements(root):
        node_id = node.get("id", "")
        if counts[node_id] > 1 and node_id not in seen:
            seen.add(node_id)
            report(
                node,
                ERROR,
                "duplicate-id",
                msg("diag.duplicate-id", node_id=node_id, counts=counts[node_id]),
                msg("hint.duplicate-id"),
            )


def _references(process: etree._Element, known: Known, report: Reporter) -> None:
    for call in process.iter(bpmn("callActivity")):
        called = (call.get("calledElement") or "").strip()
        if not called:
            continue
        if called not in known.processes:
            report(
                call,
                ERROR,
                "unknown-called-process",
                msg("diag.unknown-called-process", called=called),
                msg("hint.unknown-called-process", called=called),
            )
        elif not known.processes[called]:
            report(
                call,
                ERROR,
                "called-process-not-executable",
                msg("diag.called-process-not-executable", called=called),
                msg("hint.called-process-not-executable"),
            )
        elif called == process.get("id"):
            report(
                call,
                ERROR,
                "recursive-call",
                msg("diag.recursive-call"),
                msg("hint.recursive-call"),
            )
    for task in process.iter(bpmn("businessRuleTask")):
        decision = (task.get(camunda("decisionRef")) or "").strip()
        if decision and decision not in known.decisions:
            report(
                task,
                ERROR,
                "unknown-decision",
                msg("diag.unknown-decision", decision=decision),
                msg("hint.unknown-decision", decision=decision),
            )


def _flows(process: etree._Element, report: Reporter) -> None:
    for scope in [process, *process.iter(bpmn("subProcess"), bpmn("transaction"), bpmn("adHocSubProcess"))]:
        ids = {child.get("id") for child in scope if local_name(child) in FLOW_NODES}
        for flow in scope.iterchildren(bpmn("sequenceFlow")):
            for end in ("sourceRef", "targetRef"):
                ref = flow.get(end)
                if ref not in ids:
                    report(
                        flow,
                        ERROR,
                        "dangling-flow",
                        msg("diag.dangling-flow", end=end, ref=ref),
                        msg("hint.dangling-flow"),
                    )
        starts = [s for s in scope.iterchildren(bpmn("startEvent")) if not _definitions(s)]
        if local_name(scope) == "process" and len(starts) > 1:
            report(
                starts[1],
                WARNING,
                "several-start-events",
                msg("diag.several-start-events", count=len(starts), id=starts[0].get("id")),
                msg("hint.several-start-events"),
            )
        for boundary in scope.iterchildren(bpmn("boundaryEvent")):
            if boundary.get("attachedToRef") not in ids:
                report(
                    boundary,
                    ERROR,
                    "dangling-boundary",
                    msg("diag.dangling-boundary", attachedtoref=boundary.get("attachedToRef")),
                )


def _definitions(node: etree._Element) -> list[etree._Element]:
    return [child for child in node if local_name(child).endswith("EventDefinition")]


def _lanes(process: etree._Element) -> set[str]:
    return {text_of(ref) for ref in process.iter(bpmn("flowNodeRef"))}


def _human_tasks(process: etree._Element, report: Reporter) -> None:
    in_lane = _lanes(process)
    for node in process.iter():
        if local_name(node) not in _HUMAN or etree.QName(node).namespace is None:
            continue
        assigned = any(node.get(camunda(a)) for a in ("assignee", "candidateGroups", "candidateUsers"))
        lane_holder = node
        while lane_holder is not None and lane_holder.get("id") not in in_lane and lane_holder is not process:
            lane_holder = lane_holder.getparent()  # tasks inside a subprocess sit in the subprocess's lane
        if not assigned and (lane_holder is None or lane_holder is process):
            report(
                node,
                WARNING,
                "unassigned-task",
                msg("diag.unassigned-task"),
                msg("hint.unassigned-task"),
            )


def _variables_set(root: etree._Element) -> set[str]:
    """Variables a form, script or decision in the file sets (a timer or condition may read them)."""
    names = {f.get("id", "") for f in root.iter(camunda("formField"))}
    for script in root.iter(bpmn("script")):
        names |= assigned_names(text_of(script))
    for node in root.iter():
        if isinstance(node.tag, str) and node.get(camunda("resultVariable")):
            names.add(node.get(camunda("resultVariable"), ""))
    return names


# Compiled fine by RestrictedPython but missing at run time: say so now, not as an incident later.
_UNAVAILABLE = {"open", "exec", "eval", "compile", "__import__", "globals", "locals", "vars", "input", "breakpoint"}


def _compile_problem(source: str, mode: str) -> str:
    if mode == "eval" and is_feel(source):
        problem = check_feel(source)  # Camunda 8 FEEL runs on the FEEL engine, as the engine evaluates it
        return msg("part.feel_problem", problem=problem) if problem else ""
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    code = source if mode == "exec" else juel_to_python(source.strip())
    try:
        # The same policy the engine compiles with: what the check accepts, the engine runs.
        result = compiler(code, policy=LimitingTransformer)
    except (SyntaxError, ValueError, TypeError) as error:
        return str(error)
    if result.errors:
        return "; ".join(result.errors)
    tree = ast.parse(code, mode=mode)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            return f"line {node.lineno}: imports are not available in diagram code"
        if isinstance(node, ast.Name) and node.id in _UNAVAILABLE:
            return f"line {node.lineno}: {node.id}() is not available in diagram code"
    return ""


def _expressions(process: etree._Element, set_anywhere: set[str], report: Reporter) -> None:
    for task in process.iter(bpmn("scriptTask")):
        problem = _compile_problem(text_of(task.find(bpmn("script"))), "exec")
        if problem:
            report(
                task,
                ERROR,
                "script-invalid",
                msg("diag.script-invalid", problem=problem),
                msg("hint.script-invalid"),
            )
    for condition in process.iter(bpmn("conditionExpression"), bpmn("condition")):
        owner = condition.getparent()
        if local_name(owner) == "conditionalEventDefinition":
            owner = owner.getparent()
        problem = _compile_problem(text_of(condition), "eval") if text_of(condition) else ""
        if problem:
            report(
                owner,
                ERROR,
                "condition-invalid",
                msg("diag.condition-invalid", text_of=text_of(condition), problem=problem),
                msg("hint.condition-invalid"),
            )
    for timer in process.iter(bpmn("timeDuration"), bpmn("timeDate"), bpmn("timeCycle")):
        _timer(timer, set_anywhere, report)


def _timer(timer: etree._Element, set_anywhere: set[str], report: Reporter) -> None:
    event = timer.getparent().getparent() if timer.getparent() is not None else timer
    kind, value = local_name(timer), text_of(timer)
    if len(value.split()) >= 5:
        return  # a cron expression: the normaliser already refused it with its own hint
    literal = value[1:-1] if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"" else value
    if _ISO[kind].match(literal):
        return
    looks_iso = re.fullmatch(r"(R\d*/)?P[0-9A-Z.]*", literal) or re.fullmatch(r"\d{4}-[0-9T:.+-Z]*", literal)
    if looks_iso or (re.fullmatch(r"[A-Za-z0-9:./+-]+", literal) and not re.fullmatch(r"[A-Za-z_]\w*", literal)):
        report(
            event,
            ERROR,
            "timer-invalid",
            msg("diag.timer-invalid", value=value, lower=kind[4:].lower()),
            msg("hint.timer-invalid"),
        )
        return
    problem = _compile_problem(value, "eval")
    if problem:
        report(event, ERROR, "timer-invalid", msg("diag.timer-invalid.2", value=value, problem=problem))
        return
    unknown = sorted(name for name in free_names(juel_to_python(value)) if name not in set_anywhere)
    if unknown:
        report(
            event,
            WARNING,
            "timer-variable",
            msg("diag.timer-variable", names=", ".join(unknown)),
            msg("hint.timer-variable"),
        )


def _successors(scope_nodes: Iterable[etree._Element], flows: list[etree._Element]) -> dict[str, set[str]]:
    following: dict[str, set[str]] = {}
    for flow in flows:
        following.setdefault(flow.get("sourceRef", ""), set()).add(flow.get("targetRef", ""))
    for node in scope_nodes:
        if local_name(node) == "boundaryEvent":
            following.setdefault(node.get("attachedToRef", ""), set()).add(node.get("id", ""))
    return following


def _reachability(process: etree._Element, report: Reporter) -> None:
    """Elements no token can reach are never parsed by the engine, so their problems would go unnoticed."""
    scopes = [
        process,
        *(s for s in process.iter() if local_name(s) in ("subProcess", "transaction", "adHocSubProcess")),
    ]
    for scope in scopes:
        nodes = [child for child in scope if local_name(child) in FLOW_NODES]
        following = _successors(nodes, list(scope.iterchildren(bpmn("sequenceFlow"))))
        if local_name(scope) == "adHocSubProcess":
            continue  # every activity of an ad-hoc subprocess may start on its own
        reached = set()
        pending = [n.get("id") for n in nodes if local_name(n) == "startEvent"]
        pending += [
            n.get("id") for n in nodes if n.get("triggeredByEvent") == "true" or n.get("isForCompensation") == "true"
        ]
        while pending:
            current = pending.pop()
            if current in reached:
                continue
            reached.add(current)
            pending.extend(following.get(current or "", ()))
        for node in nodes:
            if node.get("id") not in reached:
                report(
                    node,
                    WARNING,
                    "unreachable",
                    msg("diag.unreachable"),
                    msg("hint.unreachable"),
                )
