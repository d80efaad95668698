"""Document-level passes: namespaces, references, which processes run, decoration and orphan shapes.

They run first (and the orphan-shape sweep last) so that the element passes see one dialect, plain
ids and only the processes that will be deployed.
"""

from __future__ import annotations

import re

from lxml import etree

from engine.bpmn.bpmn_xml import ACTIVITI_NS, BPMNDI_NS, CAMUNDA_NS, FLOW_NODES, ZEEBE_NS, bpmn
from engine.bpmn.diagnostics import INFO, local_name
from engine.bpmn.normalize.context import Context
from engine.domain.messages import N_, msg

# Namespaces whose extension elements mean something to run in some engine; everything else is decoration.
_FOREIGN_ENGINES = ("spiffworkflow", "jboss.org/drools", "jbpm", "flowable", "bonitasoft", "activiti")


def _namespace_of(node: etree._Element) -> str:
    return etree.QName(node).namespace or ""


def rename_activiti(ctx: Context) -> None:
    """The Camunda Eclipse plugin writes Camunda's extensions in Activiti's namespace."""
    renamed = False
    for node in ctx.root.iter():
        if not isinstance(node.tag, str):
            continue
        if _namespace_of(node) == ACTIVITI_NS:
            node.tag = f"{{{CAMUNDA_NS}}}{etree.QName(node).localname}"
            renamed = True
        for key in [k for k in node.attrib if k.startswith(f"{{{ACTIVITI_NS}}}")]:
            node.set(f"{{{CAMUNDA_NS}}}{etree.QName(key).localname}", node.attrib.pop(key))
            renamed = True
    if renamed:
        ctx.changed = True
        ctx.note(
            ctx.root,
            INFO,
            "activiti-namespace",
            msg("diag.activiti-namespace"),
        )


def drop_decoration(ctx: Context) -> None:
    """Vendor extension elements, artifacts and data stores/objects carry no executable meaning here."""
    for extension in list(ctx.root.iter(bpmn("extensionElements"))):
        for child in list(extension):
            if not isinstance(child.tag, str):
                continue
            namespace = _namespace_of(child)
            if namespace in (CAMUNDA_NS, ZEEBE_NS):
                continue
            if any(marker in namespace for marker in _FOREIGN_ENGINES):
                owner = extension.getparent()
                ctx.warn(
                    owner,
                    "foreign-engine-extension",
                    msg("diag.foreign-engine-extension", localname=etree.QName(child).localname, namespace=namespace),
                    msg("hint.foreign-engine-extension"),
                )
                ctx.remove(child)
                continue
            ctx.remove(child, "vendor-extension", N_("vendor extension elements (layout, colours, tool metadata)"))
    for tag, what in (
        ("group", N_("groups")),
        ("textAnnotation", N_("text annotations")),
        ("association", N_("associations")),
        ("dataStore", N_("data stores")),
        ("dataStoreReference", N_("data stores")),
        ("dataInputAssociation", N_("data associations")),
        ("dataOutputAssociation", N_("data associations")),
        ("dataObject", N_("data objects")),
        ("dataObjectReference", N_("data objects")),
        ("property", N_("properties")),
    ):
        for node in list(ctx.root.iter(bpmn(tag))):
            ctx.remove(node, f"dropped-{tag}", what)
    for spec in list(ctx.root.iter(bpmn("ioSpecification"))):
        owner = spec.getparent()
        loop = owner.find(bpmn("multiInstanceLoopCharacteristics")) if owner is not None else None
        if loop is not None and (loop.find(bpmn("loopDataInputRef")) is not None):
            continue  # the multi-instance collection is declared there
        ctx.remove(spec, "dropped-ioSpecification", N_("data inputs and outputs (ioSpecification)"))
    for binding in list(ctx.root.iter(bpmn("ioBinding"))):
        ctx.remove(binding)
    for extension in list(ctx.root.iter(bpmn("extensionElements"))):
        if len(extension) == 0 and extension.getparent() is not None:
            extension.getparent().remove(extension)


def ensure_target_namespace(ctx: Context) -> None:
    if not ctx.root.get("targetNamespace"):
        ctx.root.set("targetNamespace", "http://complaintflow.invalid/imported")
        ctx.changed = True
        ctx.note(ctx.root, INFO, "target-namespace", msg("diag.target-namespace"))


_QNAME_ATTRIBUTES = (
    "messageRef",
    "signalRef",
    "errorRef",
    "escalationRef",
    "attachedToRef",
    "processRef",
    "calledElement",
    "operationRef",
    "sourceRef",
    "targetRef",
    "bpmnElement",
    "default",
)
_QNAME_ELEMENTS = ("incoming", "outgoing", "flowNodeRef")
_PREFIXED = re.compile(r"^([A-Za-z_][\w.-]*):([A-Za-z_].*)$")


def unqualify_refs(ctx: Context) -> None:
    """References are QNames: ``semantic:Task_1`` names ``Task_1``; SpiffWorkflow compares plain ids."""
    count = 0
    for node in ctx.root.iter():
        if not isinstance(node.tag, str):
            continue
        for attribute in _QNAME_ATTRIBUTES:
            value = node.get(attribute)
            match = _PREFIXED.match(value or "")
            if match and match.group(1) in (node.nsmap or {}):
                node.set(attribute, match.group(2))
                count += 1
        if local_name(node) in _QNAME_ELEMENTS:
            match = _PREFIXED.match((node.text or "").strip())
            if match and match.group(1) in (node.nsmap or {}):
                node.text = match.group(2)
                count += 1
    if count:
        ctx.changed = True
        ctx.note(ctx.root, INFO, "qualified-references", msg("diag.qualified-references", count=count))


def select_processes(ctx: Context) -> None:
    """Executable processes run; with ``as_executable`` so do descriptive ones that contain a flow."""
    for process in ctx.root.iterchildren(bpmn("process")):
        executable = (process.get("isExecutable") or "true").strip().lower() == "true"
        has_flow = any(local_name(child) in FLOW_NODES for child in process)
        if executable and has_flow:
            ctx.processes.append(process)
        elif ctx.as_executable and has_flow:
            process.set("isExecutable", "true")
            ctx.changed = True
            ctx.processes.append(process)
            ctx.note(
                process,
                INFO,
                "made-executable",
                msg("diag.made-executable"),
            )
        elif executable:
            ctx.error(process, "empty-process", msg("diag.empty-process"))
    if ctx.processes:
        # A pool with nothing in it, next to one that runs, is a black box (a customer, a supplier).
        ctx.diagnostics = [d for d in ctx.diagnostics if d.code != "empty-process"]
    for process in ctx.root.iterchildren(bpmn("process")):
        if process not in ctx.processes:
            _hollow(ctx, process)


def _hollow(ctx: Context, process: etree._Element) -> None:
    """A process that will not run keeps its id (participants refer to it) but loses its content.

    SpiffWorkflow reads every process of a file, so a descriptive pool beside the executable one would
    otherwise break the deploy with its own gaps (e.g. a business rule task without a decision).
    """
    content = [child for child in process if isinstance(child.tag, str)]
    if process.get("isExecutable") != "false":
        process.set("isExecutable", "false")
        ctx.changed = True
    if not content:
        return
    for child in content:
        ctx.remove(child)
    ctx.note(
        process,
        INFO,
        "not-deployed",
        msg("diag.not-deployed"),
        msg("hint.not-deployed"),
    )


def drop_orphan_shapes(ctx: Context) -> None:
    """Diagram shapes and edges of removed elements would dangle; remove them with their elements."""
    if not ctx.removed:
        return
    for tag in ("BPMNShape", "BPMNEdge"):
        for shape in list(ctx.root.iter(f"{{{BPMNDI_NS}}}{tag}")):
            if shape.get("bpmnElement") in ctx.removed and shape.getparent() is not None:
                shape.getparent().remove(shape)
