"""Normalising uploaded diagrams: keep what a modeller's export means to execute, drop decoration.

Real exports carry vendor dialects (Camunda 7 and 8, Signavio, Trisotech, ARIS, Yaoqiang, ...) and
modelling shortcuts that SpiffWorkflow does not parse (implicit splits, missing start events, link
events, data stores). Deployment runs every upload through :func:`normalize_resources` before parsing:
the executable meaning is rewritten into the dialect the engine runs (Camunda 7 attributes, Python
expressions), decoration is dropped, and whatever cannot be kept becomes an ERROR diagnostic that names
the element, so the deploy is refused with a precise reason instead of a stack trace or a silent change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from engine.bpmn.bpmn_xml import BPMN_NS, XmlRejected, is_dmn, load_xml, to_text, with_camunda_prefix
from engine.bpmn.diagnostics import ERROR, Diagnostic
from engine.bpmn.dmn.dialect import FEEL, dialect
from engine.bpmn.normalize import activities, diagram, document, events, external, flow, vendor
from engine.bpmn.normalize.context import Context
from engine.bpmn.normalize.dmn import check_dmn
from engine.bpmn.normalize.dmn_cells import check_cells
from engine.bpmn.normalize.feel_dmn import feel_dmn_diagnostics, modeller_diagnostics
from engine.bpmn.resources import Resource
from engine.domain.errors import DeploymentError
from engine.domain.messages import msg


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


def normalize_tree(
    root: etree._Element, filename: str, *, as_executable: bool = False, forms: Mapping[str, str] | None = None
) -> Context:
    """Normalise a parsed BPMN document in place; the context holds diagnostics and whether it changed.

    ``forms``: the Camunda Forms (id -> JSON) a user task's ``formId`` may link to.
    """
    ctx = Context(root, filename, as_executable, forms)
    if etree.QName(root).namespace != BPMN_NS or etree.QName(root).localname != "definitions":
        ctx.error(root, "not-bpmn", msg("diag.not-bpmn"))
        return ctx
    document.rename_activiti(ctx)
    document.ensure_target_namespace(ctx)
    document.unqualify_refs(ctx)
    document.select_processes(ctx)
    vendor.translate_vendor_extensions(ctx)
    document.drop_decoration(ctx)
    external.external_message_events(ctx)
    events.normalize_events(ctx)
    activities.normalize_activities(ctx)
    flow.normalize_structure(ctx)
    diagram.add_missing_diagram_info(ctx)
    document.drop_orphan_shapes(ctx)
    ctx.summarise_drops()
    if ctx.changed:
        ctx.root = with_camunda_prefix(root)
    return ctx


def normalize_resources(
    resources: list[Resource], *, as_executable: bool = False, forms: Mapping[str, str] | None = None
) -> list[NormalizedFile]:
    """Normalise every uploaded file; unreadable XML becomes an ERROR diagnostic on that file.

    ``forms``: the Camunda Forms (id -> JSON) at hand for the diagrams' linked forms.
    """
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
            result.diagnostics.extend(modeller_diagnostics(root, resource.filename))
        if (resource.kind == "dmn" or is_dmn(root)) and dialect(root) == FEEL:
            result.diagnostics.extend(feel_dmn_diagnostics(resource.content, resource.filename))
        elif resource.kind == "dmn" or is_dmn(root):
            result.diagnostics.extend(check_dmn(root, resource.filename))
            cell_diagnostics, cells_changed = check_cells(root, resource.filename)
            result.diagnostics.extend(cell_diagnostics)
            if cells_changed:
                result.content = to_text(root)
        else:
            ctx = normalize_tree(root, resource.filename, as_executable=as_executable, forms=forms)
            result.diagnostics.extend(ctx.diagnostics)
            result.root = ctx.root
            if ctx.changed:
                result.content = to_text(ctx.root)
        results.append(result)
    return results


def blocking(files: list[NormalizedFile]) -> list[Diagnostic]:
    """The ERROR diagnostics of a normalised upload, in file order."""
    return [d for f in files for d in f.diagnostics if d.severity == ERROR]
