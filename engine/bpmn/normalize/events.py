"""Normalising events: message/signal references, timers, conditions, link events, global tasks.

SpiffWorkflow silently ends a process at a link throw event and crashes (TypeError) on a dangling
message reference; modellers export timers without a time and messages without a name. Link pairs are
joined into sequence flows, nameless references get the event's label, and blank timers whose label
says the time ("7 days") take it from there. Compensation has no equivalent and is an ERROR.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

from engine.bpmn.bpmn_xml import EVENTS, bpmn, index_by_id, text_of
from engine.bpmn.diagnostics import local_name
from engine.bpmn.normalize.context import Context
from engine.bpmn.normalize.graph import add_flow, all_scopes, flow_nodes, root_element, sequence_flows, to_user_task
from engine.domain.messages import msg

_DEFINITIONS = {
    "messageEventDefinition": ("messageRef", "message"),
    "signalEventDefinition": ("signalRef", "signal"),
    "errorEventDefinition": ("errorRef", "error"),
    "escalationEventDefinition": ("escalationRef", "escalation"),
}


_GLOBAL_TASKS = {
    "globalTask": "task",
    "globalUserTask": "userTask",
    "globalManualTask": "manualTask",
    "globalScriptTask": "scriptTask",
    "globalBusinessRuleTask": "businessRuleTask",
}


def inline_global_tasks(ctx: Context) -> None:
    """A call activity calling a global task is that task, drawn once and reused: copy it in place."""
    globals_by_id = {g.get("id"): g for g in ctx.root if local_name(g) in _GLOBAL_TASKS}
    if not globals_by_id:
        return
    for scope in all_scopes(ctx):
        for call in list(scope.iterchildren(bpmn("callActivity"))):
            target = globals_by_id.get(call.get("calledElement"))
            if target is None:
                continue
            call.tag = bpmn(_GLOBAL_TASKS[local_name(target)])
            del call.attrib["calledElement"]
            for key, value in target.attrib.items():
                if key not in ("id", "name") and key not in call.attrib:
                    call.set(key, value)
            for child in target:
                if local_name(child) == "script" and call.find(child.tag) is None:
                    call.append(copy.deepcopy(child))
                elif local_name(child) == "extensionElements" and call.find(child.tag) is None:
                    call.insert(sum(1 for c in call if local_name(c) == "documentation"), copy.deepcopy(child))
            ctx.changed = True
            ctx.note(
                call,
                "info",
                "global-task",
                msg("diag.global-task", id=target.get("id"), type=local_name(call)),
            )


def normalize_events(ctx: Context) -> None:
    """Names for nameless messages, checked references, link events rewired, unsupported events reported."""
    inline_global_tasks(ctx)
    index = index_by_id(ctx.root)
    for tag in ("message", "signal", "error", "escalation"):
        for element in ctx.root.iterchildren(bpmn(tag)):
            if not (element.get("name") or "").strip() and element.get("id"):
                element.set("name", element.get("id", ""))
                ctx.changed = True
    for scope in all_scopes(ctx):
        for node in flow_nodes(scope):
            if local_name(node) in EVENTS or local_name(node) == "receiveTask" or local_name(node) == "sendTask":
                _check_event(ctx, node, index)
        _rewire_links(ctx, scope)
    if ctx.as_executable:
        _plain_starts(ctx)


def _check_event(ctx: Context, node: etree._Element, index: dict[str, etree._Element]) -> None:
    kind = local_name(node)
    for definition_tag, (ref_attr, target_tag) in _DEFINITIONS.items():
        definitions = (
            [node] if kind in ("receiveTask", "sendTask") and definition_tag == "messageEventDefinition" else []
        )
        definitions += list(node.iterchildren(bpmn(definition_tag)))
        for definition in definitions:
            ref = (definition.get(ref_attr) or "").strip()
            if ref and local_name(index.get(ref)) != target_tag:
                ctx.error(
                    node,
                    f"dangling-{target_tag}",
                    msg(f"diag.dangling-{target_tag}", ref=ref),
                    msg(f"hint.dangling-{target_tag}", ref=ref),
                )
            elif not ref and target_tag in ("message", "signal") and definition is not node:
                # The modeller left the message/signal unnamed: the event's own label is what it waits for.
                name = (node.get("name") or node.get("id") or target_tag).strip()
                element = root_element(ctx, target_tag, f"{target_tag}_{node.get('id')}", name)
                definition.set(ref_attr, element.get("id", ""))
                ctx.warn(
                    node,
                    f"{target_tag}-added",
                    msg(f"diag.{target_tag}-added", name=name),
                    msg(f"hint.{target_tag}-added"),
                )
    if node.find(bpmn("compensateEventDefinition")) is not None:
        ctx.error(
            node,
            "compensation",
            msg("diag.compensation"),
            msg("hint.compensation"),
        )
    if kind == "boundaryEvent" and not any(local_name(child).endswith("EventDefinition") for child in node):
        ctx.error(node, "boundary-without-trigger", msg("diag.boundary-without-trigger"))
    for timer in node.iterchildren(bpmn("timerEventDefinition")):
        parts = [child for child in timer if local_name(child) in ("timeDate", "timeDuration", "timeCycle")]
        if not parts or not any(text_of(part) for part in parts):
            _timer_without_time(ctx, node, timer, parts)
    for conditional in node.iterchildren(bpmn("conditionalEventDefinition")):
        if not text_of(conditional.find(bpmn("condition"))):
            hint = msg("hint.condition-incomplete")
            _without_trigger(ctx, node, conditional, "condition", msg("diag.condition-incomplete"), hint)


_LABEL_DURATION = re.compile(
    r"(\d+)\s*(minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|years?)\b", re.IGNORECASE
)
_LABEL_CYCLES = {"hourly": "R/PT1H", "daily": "R/P1D", "weekly": "R/P1W", "monthly": "R/P1M"}


def timer_from_label(label: str) -> tuple[str, str] | None:
    """``("timeDuration", "P7D")`` for a label such as "Timeout (7 days)"; None when it names no time."""
    text = (label or "").lower()
    for word, cycle in _LABEL_CYCLES.items():
        if re.search(rf"\b{word}\b", text):
            return "timeCycle", cycle
    match = _LABEL_DURATION.search(text)
    if not match:
        return None
    amount, unit = match.group(1), match.group(2).lower()
    if unit.startswith("mi"):
        return "timeDuration", f"PT{amount}M"
    if unit.startswith("h"):
        return "timeDuration", f"PT{amount}H"
    if unit.startswith("mo"):
        return "timeDuration", f"P{amount}M"
    return "timeDuration", f"P{amount}{unit[0].upper()}"


def _timer_without_time(ctx: Context, node: etree._Element, timer: etree._Element, parts: list[etree._Element]) -> None:
    from_label = timer_from_label(node.get("name") or "")
    if from_label:
        for part in parts:
            timer.remove(part)
        element = etree.SubElement(timer, bpmn(from_label[0]))
        element.text = from_label[1]
        ctx.changed = True
        ctx.warn(
            node,
            "timer-from-label",
            msg("diag.timer-from-label", name=node.get("name"), from_label=from_label[1]),
            msg("hint.timer-from-label"),
        )
        return
    hint = msg("hint.timer-incomplete")
    _without_trigger(ctx, node, timer, "timer", msg("diag.timer-incomplete"), hint)


def _without_trigger(
    ctx: Context, node: etree._Element, definition: etree._Element, what: str, problem: str, hint: str
) -> None:
    """A timer or condition left blank: an error, or as executable the nearest runnable reading."""
    kind = local_name(node)
    parent = node.getparent()
    code = f"{what}-incomplete"
    if not ctx.as_executable:
        ctx.error(node, code, problem, hint)
    elif kind == "startEvent" and parent is not None and local_name(parent) == "process":
        return  # becomes a plain start (see _plain_starts)
    elif kind == "intermediateCatchEvent" and _after_event_gateway(node):
        # An event-based gateway races catch events: this one now waits for a message named after it.
        node.remove(definition)
        name = " ".join((node.get("name") or node.get("id") or "event").split())
        message = root_element(ctx, "message", f"message_{node.get('id')}", name)
        etree.SubElement(node, bpmn("messageEventDefinition"), messageRef=message.get("id", ""))
        ctx.warn(node, f"{what}-became-message", msg("diag.became-message", problem=problem, name=name), hint)
    elif kind == "intermediateCatchEvent":
        node.remove(definition)
        to_user_task(ctx, node, msg(f"part.no_{what}_detail", problem=problem))
    elif kind == "boundaryEvent":
        ctx.warn(node, f"{what}-dropped", msg("diag.boundary-dropped", problem=problem), hint)
        _remove_with_flows(ctx, node)
    elif kind == "startEvent" and parent is not None and parent.get("triggeredByEvent") == "true":
        ctx.warn(parent, "event-subprocess-dropped", msg("diag.event-subprocess-dropped", problem=problem), hint)
        grandparent = parent.getparent()
        if grandparent is not None:
            ctx.remove(parent)
    else:
        ctx.error(node, code, problem, hint)


def _after_event_gateway(node: etree._Element) -> bool:
    scope = node.getparent()
    if scope is None:
        return False
    sources = {f.get("sourceRef") for f in sequence_flows(scope) if f.get("targetRef") == node.get("id")}
    return any(local_name(n) == "eventBasedGateway" and n.get("id") in sources for n in scope)


def _remove_with_flows(ctx: Context, node: etree._Element) -> None:
    scope = node.getparent()
    if scope is None:
        return
    for flow in sequence_flows(scope):
        if node.get("id") in (flow.get("sourceRef"), flow.get("targetRef")):
            ctx.remove(flow)
    ctx.remove(node)


def _plain_starts(ctx: Context) -> None:
    """As executable, an instance is started by a person or the API: triggered starts become plain starts."""
    for process in ctx.processes:
        starts = list(process.iterchildren(bpmn("startEvent")))
        for start in starts:
            for definition in [
                c for c in start if local_name(c) in ("timerEventDefinition", "conditionalEventDefinition")
            ]:
                if not text_of(definition):
                    start.remove(definition)  # a blank trigger: a plain start like the others
                    ctx.changed = True
        if not starts or any(not any(local_name(c).endswith("EventDefinition") for c in s) for s in starts):
            continue
        for start in starts:
            for definition in [c for c in start if local_name(c).endswith("EventDefinition")]:
                start.remove(definition)
        ctx.changed = True
        ctx.warn(
            starts[0],
            "start-made-plain",
            msg("diag.start-made-plain"),
            msg("hint.start-made-plain"),
        )


def _link_name(event: etree._Element) -> str:
    definition = event.find(bpmn("linkEventDefinition"))
    name = definition.get("name") if definition is not None else None
    return " ".join((name or event.get("name") or "").split()).lower()


def _rewire_links(ctx: Context, scope: etree._Element) -> None:
    """A link throw/catch pair is a sequence flow drawn in two halves: connect the halves."""
    throws = [
        n for n in scope.iterchildren(bpmn("intermediateThrowEvent")) if n.find(bpmn("linkEventDefinition")) is not None
    ]
    catches = [
        n for n in scope.iterchildren(bpmn("intermediateCatchEvent")) if n.find(bpmn("linkEventDefinition")) is not None
    ]
    if not throws and not catches:
        return
    by_name: dict[str, etree._Element] = {}
    for catch in catches:
        by_name.setdefault(_link_name(catch), catch)
    for throw in throws:
        definition = throw.find(bpmn("linkEventDefinition"))
        target_ref = definition.findtext(bpmn("target")) if definition is not None else None
        catch = next((c for c in catches if c.get("id") == (target_ref or "").strip()), None)
        catch = catch if catch is not None else by_name.get(_link_name(throw))
        if catch is None and len(catches) == 1:
            catch = catches[0]  # one throw/catch pair per scope needs no matching names
            ctx.warn(
                throw,
                "link-paired",
                msg("diag.link-paired", id=catch.get("id")),
                msg("hint.link-paired"),
            )
        if catch is None:
            ctx.error(
                throw,
                "link-without-catch",
                msg("diag.link-without-catch", link_name=_link_name(throw)),
                msg("hint.link-without-catch"),
            )
            continue
        if definition is not None:
            throw.remove(definition)
        add_flow(ctx, scope, throw.get("id", ""), catch.get("id", ""))
    for catch in catches:
        definition = catch.find(bpmn("linkEventDefinition"))
        if definition is not None:
            catch.remove(definition)
        catch.attrib.pop("parallelMultiple", None)  # a catch-only attribute
        catch.tag = bpmn("intermediateThrowEvent")  # a none intermediate event just passes the token on
    ctx.changed = True
    ctx.note(throws[0] if throws else catches[0], "info", "link-events", msg("diag.link-events"))
