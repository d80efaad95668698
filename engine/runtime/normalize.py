"""Normalising uploaded diagrams: keep what a modeller's export means to execute, drop decoration.

Real exports carry vendor dialects (Camunda 7 and 8, Signavio, Trisotech, ARIS, Yaoqiang, ...) and
modelling shortcuts that SpiffWorkflow does not parse (implicit splits, missing start events, link
events, data stores). Deployment runs every upload through :func:`normalize_resources` before parsing:
the executable meaning is rewritten into the dialect the engine runs (Camunda 7 attributes, Python
expressions), decoration is dropped, and whatever cannot be kept becomes an ERROR diagnostic that names
the element, so the deploy is refused with a precise reason instead of a stack trace or a silent change.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from lxml import etree

from engine.bpmn.bpmn_xml import (
    ACTIVITI_NS,
    BPMN_NS,
    BPMNDI_NS,
    CAMUNDA_NS,
    FLOW_NODES,
    ZEEBE_NS,
    XmlRejected,
    bpmn,
    index_by_id,
    is_dmn,
    load_xml,
    to_text,
    with_camunda_prefix,
)
from engine.bpmn.diagnostics import ERROR, INFO, WARNING, Diagnostic, at, local_name
from engine.bpmn.resources import Resource
from engine.domain.errors import DeploymentError


class DiagramRejected(DeploymentError):
    """An upload with elements that cannot run; ``diagnostics`` lists every one, located and with a hint."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        first = self.diagnostics[0]
        more = len(self.diagnostics) - 1
        message = first.message + (f" (and {more} more problem{'s' if more != 1 else ''})" if more else "")
        if first.hint:
            message += f". Hint: {first.hint}"
        super().__init__(message, filename=first.file, element_id=first.element_id, line=first.line)


class Context:
    """One document being normalised: the tree, the mode, the findings and fresh-id bookkeeping."""

    def __init__(self, root: etree._Element, filename: str, as_executable: bool) -> None:
        self.root = root
        self.filename = filename
        self.as_executable = as_executable
        self.diagnostics: list[Diagnostic] = []
        self.changed = False
        self.removed: set[str] = set()
        self.processes: list[etree._Element] = []  # the processes that will run; others are left alone
        self._ids = set(index_by_id(root))
        self._dropped: dict[str, list[etree._Element]] = defaultdict(list)
        self._dropped_text: dict[str, str] = {}

    def note(self, node: etree._Element | None, severity: str, code: str, message: str, hint: str = "") -> None:
        self.diagnostics.append(at(node, severity, code, message, hint, file=self.filename))

    def error(self, node: etree._Element | None, code: str, message: str, hint: str = "") -> None:
        self.note(node, ERROR, code, message, hint)

    def warn(self, node: etree._Element | None, code: str, message: str, hint: str = "") -> None:
        self.note(node, WARNING, code, message, hint)

    def new_id(self, base: str) -> str:
        candidate = re.sub(r"[^A-Za-z0-9_.-]", "_", base)
        if not re.match(r"^[A-Za-z_]", candidate):
            candidate = f"cf_{candidate}"
        number, result = 1, candidate
        while result in self._ids:
            number += 1
            result = f"{candidate}_{number}"
        self._ids.add(result)
        return result

    def remove(self, node: etree._Element, code: str | None = None, what: str = "") -> None:
        """Drop an element (and its diagram shapes later); decoration drops are summarised per kind."""
        parent = node.getparent()
        if parent is None:
            return
        for child in node.iter():
            if isinstance(child.tag, str) and child.get("id"):
                self.removed.add(child.get("id", ""))
        if code:
            self._dropped[code].append(node)
            self._dropped_text[code] = what
        parent.remove(node)
        self.changed = True

    def summarise_drops(self) -> None:
        for code, nodes in self._dropped.items():
            count = len(nodes)
            first = nodes[0]
            self.diagnostics.append(
                Diagnostic(
                    INFO,
                    code,
                    f"{self._dropped_text[code]}: dropped {count} element{'s' if count != 1 else ''} "
                    "that do not change how the process runs",
                    element_id=first.get("id") or None,
                    element_type=local_name(first) or None,
                    line=first.sourceline or None,
                    file=self.filename,
                )
            )


@dataclass
class NormalizedFile:
    """An uploaded file and the text the engine runs; ``content is original`` when nothing changed."""

    filename: str
    original: str
    content: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    root: etree._Element | None = None

    @property
    def changed(self) -> bool:
        return self.content != self.original

    @property
    def resource(self) -> Resource:
        return Resource(self.filename, self.content)


# Namespaces whose extension elements mean something to run in some engine; everything else is decoration.
_FOREIGN_ENGINES = ("spiffworkflow", "jboss.org/drools", "jbpm", "flowable", "bonitasoft", "activiti")


def _namespace_of(node: etree._Element) -> str:
    return etree.QName(node).namespace or ""


def _rename_activiti(ctx: Context) -> None:
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
            "Camunda extensions written in the Activiti namespace were read as Camunda extensions",
        )


def _drop_decoration(ctx: Context) -> None:
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
                    f"the {etree.QName(child).localname} extension of another engine ({namespace}) is ignored",
                    "express it with Camunda 7 attributes (assignee, candidateGroups, formData, topic)",
                )
                ctx.remove(child)
                continue
            ctx.remove(child, "vendor-extension", "vendor extension elements (layout, colours, tool metadata)")
    for tag, what in (
        ("group", "groups"),
        ("textAnnotation", "text annotations"),
        ("association", "associations"),
        ("dataStore", "data stores"),
        ("dataStoreReference", "data stores"),
        ("dataInputAssociation", "data associations"),
        ("dataOutputAssociation", "data associations"),
        ("dataObject", "data objects"),
        ("dataObjectReference", "data objects"),
        ("property", "properties"),
    ):
        for node in list(ctx.root.iter(bpmn(tag))):
            ctx.remove(node, f"dropped-{tag}", what)
    for spec in list(ctx.root.iter(bpmn("ioSpecification"))):
        owner = spec.getparent()
        loop = owner.find(bpmn("multiInstanceLoopCharacteristics")) if owner is not None else None
        if loop is not None and (loop.find(bpmn("loopDataInputRef")) is not None):
            continue  # the multi-instance collection is declared there
        ctx.remove(spec, "dropped-ioSpecification", "data inputs and outputs (ioSpecification)")
    for binding in list(ctx.root.iter(bpmn("ioBinding"))):
        ctx.remove(binding)
    for extension in list(ctx.root.iter(bpmn("extensionElements"))):
        if len(extension) == 0 and extension.getparent() is not None:
            extension.getparent().remove(extension)


def _ensure_target_namespace(ctx: Context) -> None:
    if not ctx.root.get("targetNamespace"):
        ctx.root.set("targetNamespace", "http://complaintflow.invalid/imported")
        ctx.changed = True
        ctx.note(ctx.root, INFO, "target-namespace", "the definitions had no targetNamespace; one was added")


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


def _unqualify_refs(ctx: Context) -> None:
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
        ctx.note(ctx.root, INFO, "qualified-references", f"{count} namespace-qualified references were simplified")


def _select_processes(ctx: Context) -> None:
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
                "the descriptive process is deployed as executable: plain tasks are human tasks in their lane",
            )
        elif executable:
            ctx.error(process, "empty-process", "the process has no elements to run")
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
        "the process is not executable; it is left out of the deployment",
        "deploy with --as-executable to run descriptive processes",
    )


def _drop_orphan_shapes(ctx: Context) -> None:
    """Diagram shapes and edges of removed elements would dangle; remove them with their elements."""
    if not ctx.removed:
        return
    for tag in ("BPMNShape", "BPMNEdge"):
        for shape in list(ctx.root.iter(f"{{{BPMNDI_NS}}}{tag}")):
            if shape.get("bpmnElement") in ctx.removed and shape.getparent() is not None:
                shape.getparent().remove(shape)


def normalize_tree(root: etree._Element, filename: str, *, as_executable: bool = False) -> Context:
    """Normalise a parsed BPMN document in place; the context holds diagnostics and whether it changed."""
    # Imported here: the passes import Context from this module.
    from engine.runtime import normalize_activities, normalize_events, normalize_flow, normalize_vendor

    ctx = Context(root, filename, as_executable)
    if etree.QName(root).namespace != BPMN_NS or etree.QName(root).localname != "definitions":
        ctx.error(root, "not-bpmn", "the root element is not a BPMN 2.0 <definitions> element")
        return ctx
    _rename_activiti(ctx)
    _ensure_target_namespace(ctx)
    _unqualify_refs(ctx)
    _select_processes(ctx)
    normalize_vendor.translate_vendor_extensions(ctx)
    _drop_decoration(ctx)
    normalize_events.normalize_events(ctx)
    normalize_activities.normalize_activities(ctx)
    normalize_flow.normalize_structure(ctx)
    _drop_orphan_shapes(ctx)
    ctx.summarise_drops()
    if ctx.changed:
        ctx.root = with_camunda_prefix(root)
    return ctx


def normalize_resources(resources: list[Resource], *, as_executable: bool = False) -> list[NormalizedFile]:
    """Normalise every uploaded file; unreadable XML becomes an ERROR diagnostic on that file."""
    results = []
    for resource in resources:
        result = NormalizedFile(resource.filename, resource.content, resource.content)
        try:
            root = load_xml(resource.content)
        except XmlRejected as error:
            result.diagnostics.append(Diagnostic(ERROR, "xml", error.message, line=error.line, file=resource.filename))
            results.append(result)
            continue
        result.root = root
        if resource.kind == "dmn" or is_dmn(root):
            from engine.runtime.normalize_dmn import check_dmn
            from engine.runtime.normalize_dmn_cells import check_cells

            result.diagnostics.extend(check_dmn(root, resource.filename))
            cell_diagnostics, cells_changed = check_cells(root, resource.filename)
            result.diagnostics.extend(cell_diagnostics)
            if cells_changed:
                result.content = to_text(root)
        else:
            ctx = normalize_tree(root, resource.filename, as_executable=as_executable)
            result.diagnostics.extend(ctx.diagnostics)
            result.root = ctx.root
            if ctx.changed:
                result.content = to_text(ctx.root)
        results.append(result)
    return results


def blocking(files: list[NormalizedFile]) -> list[Diagnostic]:
    """The ERROR diagnostics of a normalised upload, in file order."""
    return [d for f in files for d in f.diagnostics if d.severity == ERROR]
