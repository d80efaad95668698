"""Vendor dialects into the Camunda 7 dialect the engine runs.

Camunda 8 (Zeebe) says the same things as Camunda 7 in other elements: ``zeebe:assignmentDefinition``
is ``camunda:assignee``/``candidateGroups``, ``zeebe:taskDefinition`` is an external task topic, FEEL
``=x`` is ``${x}``, Those are rewritten; a linked Camunda Form stays as drawn (the task page renders it). Camunda 7
extensions the engine does not run (listeners, input/output and call-activity mappings) are reported
and dropped. What each activity needs to run (Java delegates, connectors, scripts) is the
``activities`` pass's.
"""

from __future__ import annotations

import json
import re

from lxml import etree

from engine.bpmn.bpmn_xml import CAMUNDA_NS, JOB_RETRIES_PROPERTY, LOCAL_INPUT_PREFIX, ZEEBE_NS, bpmn, camunda
from engine.bpmn.diagnostics import local_name
from engine.bpmn.expressions import translate_expression
from engine.bpmn.feel_runtime import check_feel
from engine.bpmn.normalize import zeebe_vars
from engine.bpmn.normalize.context import Context
from engine.bpmn.normalize.forms import camunda_form
from engine.bpmn.zeebe_elements import CAMUNDA_8, EXECUTION_PLATFORM
from engine.domain.messages import msg

# Camunda 8 extensions that change nothing about how the process runs here: the user task marker (every
# user task is a complaintflow task), the version tag, and the modeller's own bookkeeping.
_NO_EFFECT = frozenset({"userTask", "linkedResources", "linkedResource"})

# Kept in the diagram: the task page finds a user task's Camunda Form through them (engine.store.camunda_form_queries).
_FORM_LINKS = frozenset({"formDefinition", "userTaskForm"})

HOW_TO_RUN = msg("hint.how-to-run")


def _zeebe(name: str) -> str:
    return f"{{{ZEEBE_NS}}}{name}"


def _extension(owner: etree._Element) -> etree._Element:
    """The element's extensionElements, created after its documentation when missing."""
    existing = owner.find(bpmn("extensionElements"))
    if existing is not None:
        return existing
    extension = etree.Element(bpmn("extensionElements"))
    position = sum(1 for child in owner if local_name(child) == "documentation")
    owner.insert(position, extension)
    return extension


def set_property(owner: etree._Element, name: str, value: str) -> None:
    extension = _extension(owner)
    properties = extension.find(camunda("properties"))
    if properties is None:
        properties = etree.SubElement(extension, camunda("properties"))
    for existing in properties.iterchildren(camunda("property")):
        if existing.get("name") == name:
            existing.set("value", value)
            return
    etree.SubElement(properties, camunda("property"), name=name, value=value)


def _feel_value(ctx: Context, owner: etree._Element, value: str, what: str, severity: str = "error") -> str | None:
    """A Zeebe attribute value: literal text, or ``=expr`` as a Camunda ``${...}`` expression."""
    value = (value or "").strip()
    if not value.startswith("="):
        return value
    literal_list = re.fullmatch(r"=\s*\[\s*((?:\"[^\"]*\"\s*,?\s*)*)\]", value)
    if literal_list:
        return ",".join(re.findall(r"\"([^\"]*)\"", literal_list.group(1)))
    literal = re.fullmatch(r"=\s*\"([^\"]*)\"", value)
    if literal:
        return literal.group(1)
    translation = translate_expression(value)
    if translation.python is None:
        ctx.note(
            owner,
            severity,
            "feel-untranslatable",
            msg("diag.feel-untranslatable", what=what, value=value, problem=translation.problem),
            msg("hint.feel-untranslatable"),
        )
        return None
    return "${" + translation.python + "}"


def _collect_forms(ctx: Context) -> dict[str, str]:
    forms = {}
    for process in ctx.processes:
        for form in process.iter(_zeebe("userTaskForm")):
            forms[form.get("id", "")] = form.text or ""
    return forms


def translate_vendor_extensions(ctx: Context) -> None:
    """Zeebe extensions to Camunda 7 ones; Camunda 7 extensions the engine does not run are reported."""
    forms = _collect_forms(ctx)
    for process in ctx.processes:
        for extension in list(process.iter(bpmn("extensionElements"))):
            owner = extension.getparent()
            for child in list(extension):
                if not isinstance(child.tag, str):
                    continue
                namespace = etree.QName(child).namespace
                if namespace == ZEEBE_NS:
                    if ctx.root.get(EXECUTION_PLATFORM) is None:
                        # The runtime gives a Camunda 8 file's processes Camunda 8 variable scopes
                        # (engine.runtime.zeebe_shared); the Modeler marks such files so, hand-written ones not.
                        ctx.root.set(EXECUTION_PLATFORM, CAMUNDA_8)
                    _translate_zeebe(ctx, owner, child, forms)
                    if etree.QName(child).localname not in zeebe_vars.KEPT | _FORM_LINKS:
                        extension.remove(child)
                    ctx.changed = True
                elif namespace == CAMUNDA_NS:
                    _camunda_extension(ctx, owner, child)


def _translate_zeebe(ctx: Context, owner: etree._Element, child: etree._Element, forms: dict[str, str]) -> None:
    name = etree.QName(child).localname
    if name == "assignmentDefinition":
        for attribute in ("assignee", "candidateGroups", "candidateUsers"):
            if child.get(attribute):
                value = _feel_value(ctx, owner, child.get(attribute, ""), attribute)
                if value:
                    owner.set(camunda(attribute), value)
    elif name in ("taskSchedule", "priorityDefinition"):
        if (child.get("followUpDate") or "").strip():
            # complaintflow's tasks have a due date but no follow-up date: dropping it would be silent.
            ctx.error(owner, "follow-up-date", msg("diag.follow-up-date"), msg("hint.follow-up-date"))
        for attribute in ("dueDate", "priority"):
            if child.get(attribute):
                value = _feel_value(ctx, owner, child.get(attribute, ""), attribute)
                if value:
                    owner.set(camunda(attribute), value)
    elif name == "taskDefinition":
        topic = _feel_value(ctx, owner, child.get("type", ""), msg("part.job_type"))
        if topic and "${" not in topic:
            owner.set(camunda("type"), "external")
            owner.set(camunda("topic"), topic)
            _job_retries(ctx, owner, child)
        elif topic:
            ctx.error(owner, "dynamic-topic", msg("diag.dynamic-topic"), msg("hint.dynamic-topic"))
    elif name == "taskHeaders":
        for header in child.iterchildren(_zeebe("header")):
            if header.get("key"):
                set_property(owner, header.get("key", ""), header.get("value", ""))
    elif name == "properties" and (
        owner.get(camunda("type")) == "external" or owner.find(f".//{_zeebe('taskDefinition')}") is not None
    ):
        # A job's worker sees its zeebe:taskHeaders, never its extension properties (Camunda 8 keeps those for
        # the modeller): as properties here they would reach the worker as custom headers.
        ctx.note(owner, "info", "zeebe-dropped", msg("diag.zeebe-dropped", name=name))
    elif name == "properties":
        for prop in child.iterchildren(_zeebe("property")):
            if prop.get("name"):
                set_property(owner, prop.get("name", ""), prop.get("value", ""))
    elif name == "ioMapping":
        zeebe_vars.io_mapping(ctx, owner, child)
        _inputs_as_properties(owner, child)
    elif name == "calledElement":
        zeebe_vars.called_element(ctx, owner, child)
    elif name == "versionTag":
        # A process's version tag: call activities bound by versionTag find the version by it.
        if (child.get("value") or "").strip():
            owner.set(camunda("versionTag"), (child.get("value") or "").strip())
    elif name == "calledDecision":
        zeebe_vars.called_decision(ctx, owner, child)
    elif name == "loopCharacteristics":
        zeebe_vars.loop(ctx, owner, child)
    elif name == "script":
        # FEEL stays FEEL: the runtime evaluates it with the FEEL engine (engine.runtime.scripting.FEEL_SCRIPT).
        expression = (child.get("expression") or "").strip()
        result = (child.get("resultVariable") or "").strip() or "result"
        problem = check_feel(expression) if expression else "no expression"
        if problem or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", result):
            why = f"is not FEEL: {problem or result}"
            ctx.error(owner, "script-untranslatable", msg("diag.script-untranslatable", problem=why))
        else:
            for old in owner.iterchildren(bpmn("script")):
                owner.remove(old)
            script = etree.SubElement(owner, bpmn("script"))
            script.text = f"{result} = feel_script({json.dumps(expression)})\n"
            owner.set("scriptFormat", "python")
    elif name == "formDefinition":
        camunda_form(ctx, owner, child, forms)
    elif name in ("executionListeners", "taskListeners"):
        # Camunda 8 listeners are jobs the process waits for: skipping them would not run the model faithfully.
        ctx.error(
            owner,
            "listeners-unsupported",
            msg("diag.listeners-unsupported"),
            msg("hint.listeners-unsupported"),
        )
    elif name in _NO_EFFECT:
        ctx.note(owner, "info", "zeebe-dropped", msg("diag.zeebe-dropped", name=name))
    elif name != "userTaskForm":
        ctx.error(owner, "zeebe-unsupported", msg("diag.zeebe-unsupported", name=name),
                  msg("hint.zeebe-unsupported"))  # fmt: skip


def _job_retries(ctx: Context, owner: etree._Element, definition: etree._Element) -> None:
    """The job's retries (Camunda 8's default is 3), which the job's row starts with.

    Only a whole number of at least 1 runs as Camunda runs it: retries given by FEEL (evaluated per job in
    Camunda, an incident when not a number) and 0 (an incident as soon as the job exists) are refused.
    """
    retries = (definition.get("retries") or "").strip() or "3"
    if retries.isdigit() and int(retries) >= 1:
        set_property(owner, JOB_RETRIES_PROPERTY, str(int(retries)))
    else:
        ctx.error(owner, "job-retries", msg("diag.job-retries", value=retries), msg("hint.job-retries"))


def _inputs_as_properties(owner: etree._Element, mapping: etree._Element) -> None:
    """A job's inputs are also its properties: complaintflow's own system actions read parameters there.

    The runtime sets them as the job's local variables too (Camunda 8's meaning); an input with no simple
    translation is only a variable.
    """
    if owner.get(camunda("type")) != "external" and owner.find(f".//{_zeebe('taskDefinition')}") is None:
        return
    for item in mapping.iterchildren(_zeebe("input")):
        target, source = item.get("target", ""), (item.get("source") or "").strip()
        literal = re.fullmatch(r"=\s*\"([^\"]*)\"", source)
        translation = translate_expression(source) if literal is None else None
        if literal is not None:
            set_property(owner, target, literal.group(1))
        elif translation is not None and translation.python is not None and target:
            set_property(owner, target, "${" + translation.python + "}")


def _camunda_extension(ctx: Context, owner: etree._Element, child: etree._Element) -> None:
    name = etree.QName(child).localname
    if name == "inputOutput":
        external = owner.get(camunda("type")) == "external" or owner.get(camunda("topic"))
        for parameter in child.iterchildren(camunda("inputParameter")):
            nested = [c for c in parameter if isinstance(c.tag, str)]
            if external and not nested:
                set_property(owner, LOCAL_INPUT_PREFIX + parameter.get("name", ""), (parameter.text or "").strip())
            else:
                ctx.warn(
                    owner,
                    "input-mapping-ignored",
                    msg("diag.input-mapping-ignored", name=parameter.get("name")),
                )
        for parameter in child.iterchildren(camunda("outputParameter")):
            ctx.warn(owner, "output-mapping-ignored", msg("diag.output-mapping-ignored", name=parameter.get("name")))
        child.getparent().remove(child)
        ctx.changed = True
    elif name in ("executionListener", "taskListener"):
        ctx.warn(
            owner,
            "listeners-ignored",
            msg("diag.listeners-ignored", name=name),
            msg("hint.listeners-ignored"),
        )
        child.getparent().remove(child)
        ctx.changed = True
    elif name in ("in", "out") and child.get("variables") != "all":
        ctx.warn(
            owner,
            "call-mapping-ignored",
            msg("diag.call-mapping-ignored"),
        )
