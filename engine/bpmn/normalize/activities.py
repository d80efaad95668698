"""What each activity needs to run: an implementation, a script in Python, conditions and timers in Python.

Java delegates and connectors become external tasks named after them (deployable, an incident until a
handler for the topic exists), Groovy/JavaScript that only sets variables and JUEL/FEEL/XPath
conditions are translated, and with ``as_executable`` tasks a descriptive diagram left without
implementation become human tasks in their lane. Everything else that cannot run is an ERROR.
"""

from __future__ import annotations

import ast
import re

from lxml import etree

from engine.bpmn.bpmn_xml import bpmn, camunda, text_of
from engine.bpmn.diagnostics import local_name
from engine.bpmn.expressions import PYTHON, juel_to_python, translate_expression, translate_script
from engine.bpmn.feel_runtime import check_feel, is_feel
from engine.bpmn.normalize.context import Context
from engine.bpmn.normalize.graph import all_scopes, flow_nodes, sequence_flows, to_user_task
from engine.bpmn.normalize.vendor import HOW_TO_RUN, set_property
from engine.domain.messages import msg

_CRON = re.compile(r"^\S+(\s+\S+){4,6}$")


def normalize_activities(ctx: Context) -> None:
    """Each activity either has an implementation the engine runs, becomes a human task, or is reported."""
    for scope in all_scopes(ctx):
        for node in flow_nodes(scope):
            kind = local_name(node)
            if kind in ("serviceTask", "sendTask", "businessRuleTask"):
                _service_like(ctx, node, kind)
            elif kind == "receiveTask" and not node.get("messageRef"):
                if ctx.as_executable:
                    to_user_task(ctx, node, msg("part.waits_for_no_message"))
                else:
                    ctx.error(node, "missing-message", msg("diag.missing-message"), msg("hint.missing-message"))
            elif kind == "scriptTask" and node.get(camunda("type")) == "external":
                # A Camunda 8 script task with a zeebe:taskDefinition is a job for a worker, not a script.
                node.tag = bpmn("serviceTask")
                ctx.changed = True
            elif kind == "scriptTask":
                _script(ctx, node)
            elif kind == "callActivity" and not (node.get("calledElement") or "").strip():
                if ctx.as_executable:
                    to_user_task(ctx, node, msg("part.calls_no_process"))
                    continue
                ctx.error(
                    node,
                    "missing-called-element",
                    msg("diag.missing-called-element"),
                    msg("hint.missing-called-element"),
                )
            if kind == "task" and ctx.as_executable:
                node.tag = bpmn("userTask")  # what "plain tasks become human tasks" means: with a form
                ctx.changed = True
            if local_name(node) in ("userTask", "manualTask", "task"):
                _human_task(ctx, node)
            _expressions_of(ctx, node)
        for flow in sequence_flows(scope):
            _expressions_of(ctx, flow)


def _service_like(ctx: Context, node: etree._Element, kind: str) -> None:
    if kind == "businessRuleTask" and node.get(camunda("decisionRef")):
        return
    if node.get(camunda("type")) == "external" or node.get(camunda("topic")):
        if not node.get(camunda("topic")):
            ctx.error(node, "missing-topic", msg("diag.missing-topic"), HOW_TO_RUN)
        if kind in ("businessRuleTask", "sendTask"):
            # Camunda lets these be external tasks; SpiffWorkflow's need a decision or a message.
            node.tag = bpmn("serviceTask")
            ctx.changed = True
        return
    if kind == "sendTask" and node.get("messageRef"):
        return
    java = [a for a in ("class", "delegateExpression", "expression") if node.get(camunda(a))]
    connector = node.find(f".//{camunda('connectorId')}")
    if java or connector is not None:
        _java_to_topic(ctx, node, kind, java[0] if java else None, connector)
    elif ctx.as_executable:
        to_user_task(ctx, node, msg("part.no_implementation"))
    else:
        needs = msg("part.decision_ref") if kind == "businessRuleTask" else msg("part.implementation")
        ctx.error(
            node, "missing-implementation", msg("diag.missing-implementation", kind=kind, needs=needs), HOW_TO_RUN
        )


def _java_to_topic(
    ctx: Context, node: etree._Element, kind: str, attribute: str | None, connector: etree._Element | None
) -> None:
    """Java code cannot run here: the task calls the system action named after it.

    Deploying keeps the step where the designer drew it; until a handler for the topic is registered, an
    instance reaching it gets an incident that names the topic, and a retry runs it once the handler exists.
    It is deliberately not an external task: no worker was meant to fetch Java code's work, so waiting for
    one would leave the instance silently stuck instead of visibly failed.
    """
    if attribute:
        raw = node.get(camunda(attribute), "")
        inner = re.sub(r"^[$#]\{(.*)\}$", r"\1", raw.strip()).strip()
        topic = re.sub(r"\(.*\)$", "", inner) if attribute != "class" else raw.strip()
        what = f"camunda:{attribute} {raw!r}"
        del node.attrib[camunda(attribute)]
    else:
        topic = f"connector:{text_of(connector)}"
        what = f"the connector {text_of(connector)!r}"
    for field in node.findall(f".//{camunda('field')}"):
        value = field.get("stringValue") or field.get("expression") or text_of(field)
        if field.get("name"):
            set_property(node, field.get("name", ""), value)
        field.getparent().remove(field)
    node.set(camunda("topic"), topic)
    if kind in ("businessRuleTask", "sendTask"):
        node.tag = bpmn("serviceTask")
    ctx.changed = True
    ctx.warn(
        node,
        "java-implementation",
        msg("diag.java-implementation", kind=kind, what=what, topic=topic),
        msg("hint.java-implementation", topic=topic, how_to_run=HOW_TO_RUN),
    )


def _script(ctx: Context, node: etree._Element) -> None:
    script = node.find(bpmn("script"))
    source = script.text if script is not None and script.text else ""
    if node.get(camunda("resource")):
        ctx.error(
            node,
            "external-script",
            msg("diag.external-script"),
            msg("hint.external-script"),
        )
        return
    if not source.strip():
        if ctx.as_executable:
            to_user_task(ctx, node, msg("part.no_script"))
        else:
            ctx.error(node, "empty-script", msg("diag.empty-script"), msg("hint.empty-script"))
        return
    script_format = (node.get("scriptFormat") or "python").strip().lower()
    if script_format == "juel":
        translation = translate_expression(source)
        result = node.get(camunda("resultVariable")) or "result"
        python = f"{result} = {translation.python}\n" if translation.python else None
    else:
        translation = translate_script(source, script_format)
        python = translation.python
    if python is None:
        ctx.error(
            node,
            "script-language",
            msg("diag.script-language", problem=translation.problem),
            msg("hint.script-language"),
        )
    elif python != source and script is not None:
        script.text = python
        node.set("scriptFormat", "python")
        ctx.changed = True
        ctx.note(node, "info", "script-translated", msg("diag.script-translated", script_format=script_format))


def _human_task(ctx: Context, node: etree._Element) -> None:
    has_form = node.find(f".//{camunda('formData')}") is not None
    form_key = node.get(camunda("formKey")) or node.get(camunda("formRef"))
    if form_key and not has_form:
        ctx.warn(
            node,
            "form-not-rendered",
            msg("diag.form-not-rendered", form_key=form_key),
            msg("hint.form-not-rendered"),
        )
    if local_name(node) == "task" and not ctx.as_executable:
        ctx.note(node, "info", "plain-task", msg("diag.plain-task"))


def _language(ctx: Context, node: etree._Element) -> str | None:
    return node.get("language") or ctx.root.get("expressionLanguage")


def _expressions_of(ctx: Context, node: etree._Element) -> None:
    """Conditions and timer values in JUEL/FEEL/XPath become Python; cron and untranslatables are errors."""
    for condition in node.iter(bpmn("conditionExpression"), bpmn("condition")):
        _translate_condition(ctx, node, condition)
    for timer in node.iter(bpmn("timeDate"), bpmn("timeDuration"), bpmn("timeCycle")):
        value = text_of(timer)
        if _CRON.match(value) and not value.startswith(("${", "#{", "=")):
            ctx.error(
                node,
                "cron-timer",
                msg("diag.cron-timer", value=value),
                msg("hint.cron-timer"),
            )
        elif is_feel(value):
            # Camunda 8 FEEL stays FEEL: evaluated at run time (a duration or date and time as ISO text).
            problem = check_feel(value)
            if problem:
                ctx.error(node, "feel-syntax", msg("diag.feel-syntax", text=value, problem=problem))
        elif value.startswith(("${", "#{")):
            translation = translate_expression(value)
            if translation.python is None:
                ctx.error(
                    node, "timer-expression", msg("diag.timer-expression", value=value, problem=translation.problem)
                )
            elif not _runs_as_is(value, translation.python):
                timer.text = translation.python
                ctx.changed = True


def _runs_as_is(text: str, python: str) -> bool:
    """True when the engine already evaluates ``text`` as ``python`` (``juel_to_python``): keep the file as drawn."""
    try:
        return ast.dump(ast.parse(juel_to_python(text.strip()), mode="eval")) == ast.dump(
            ast.parse(python, mode="eval")
        )
    except SyntaxError:
        return False


def _translate_condition(ctx: Context, owner: etree._Element, condition: etree._Element) -> None:
    text = text_of(condition)
    if not text and local_name(condition) == "condition":
        return  # a conditional event without condition is reported with the event
    if not text:
        condition.getparent().remove(condition)  # an empty condition is no condition (gateway rules apply)
        ctx.changed = True
        return
    if is_feel(text):
        # Camunda 8 FEEL stays FEEL: the engine evaluates ``=expr`` with the FEEL engine at run time.
        problem = check_feel(text)
        if problem:
            ctx.error(owner, "feel-syntax", msg("diag.feel-syntax", text=text, problem=problem))
        return
    translation = translate_expression(text, _language(ctx, condition))
    if translation.python is None and translation.dialect == PYTHON:
        return  # plain Python with a syntax error: the deploy-time lint reports it with its line
    if translation.python is None:
        ctx.error(
            owner,
            "condition-untranslatable",
            msg("diag.condition-untranslatable", text=text, problem=translation.problem),
            msg("hint.condition-untranslatable"),
        )
        return
    if not _runs_as_is(text, translation.python):
        for child in list(condition):
            condition.remove(child)
        condition.text = translation.python
        condition.attrib.pop("language", None)
        ctx.changed = True
    for name in translation.renamed:
        python_name = "_".join(name.lower().split())
        ctx.warn(
            owner,
            "renamed-variable",
            msg("diag.renamed-variable", name=name, python_name=python_name),
            msg("hint.renamed-variable"),
        )
