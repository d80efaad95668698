"""The BPMN 2.0 schema check: SpiffWorkflow ships the OMG XSDs; the validator is built once per process.

Building it costs about 10 ms, validating a diagram well under one. Violations inside the diagram
interchange part (``bpmndi``: shapes, edges, waypoints) only affect how a modeller draws the file and
are warnings; violations in the process model are errors, as in Camunda, which validates on deploy.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from importlib import resources

from lxml import etree

from engine.bpmn.bpmn_xml import BPMN_NS, BPMNDI_NS, DC_NS, DI_NS
from engine.bpmn.diagnostics import ERROR, WARNING, Diagnostic, local_name
from engine.domain.messages import msg

MAX_SCHEMA_DIAGNOSTICS = 20
_DIAGRAM_NAMESPACES = (BPMNDI_NS, DI_NS, DC_NS)
_PREFIXES = {BPMN_NS: "bpmn", BPMNDI_NS: "bpmndi", DI_NS: "di", DC_NS: "dc"}


@lru_cache(maxsize=1)
def bpmn_schema() -> etree.XMLSchema:
    """The BPMN 2.0 XSD (with DI, DC and semantic parts) as an lxml validator, built on first use."""
    directory = resources.files("SpiffWorkflow.bpmn.parser") / "schema"
    with resources.as_file(directory / "BPMN20.xsd") as path:
        # Our own packaged file: the schema includes its siblings by relative path, nothing from the network.
        document = etree.parse(str(path), parser=etree.XMLParser(no_network=True, resolve_entities=False))
        return etree.XMLSchema(document)


def _readable(message: str) -> str:
    for namespace, prefix in _PREFIXES.items():
        message = message.replace(f"{{{namespace}}}", f"{prefix}:")
    return re.sub(r"\s+", " ", message).strip()


def _prepared(root: etree._Element) -> etree._Element:
    # bpmn-js writes correlation retrieval expressions as formalExpression; SpiffWorkflow's validator
    # renames them to messagePath before validating, and so do we (on a copy, the tree stays as it is).
    quirks = root.findall(f".//{{{BPMN_NS}}}correlationPropertyRetrievalExpression/{{{BPMN_NS}}}formalExpression")
    if not quirks:
        return root
    prepared = copy.deepcopy(root)
    for node in prepared.iterfind(
        f".//{{{BPMN_NS}}}correlationPropertyRetrievalExpression/{{{BPMN_NS}}}formalExpression"
    ):
        node.tag = f"{{{BPMN_NS}}}messagePath"
    return prepared


def _element_at(tree: etree._ElementTree, path: str | None) -> etree._Element | None:
    if not path:
        return None
    namespaces = {prefix: uri for prefix, uri in (tree.getroot().nsmap or {}).items() if prefix}
    try:
        found = tree.xpath(path, namespaces=namespaces)
    except etree.XPathError:
        return None
    return found[0] if isinstance(found, list) and found and isinstance(found[0], etree._Element) else None


def _in_diagram(node: etree._Element | None) -> bool:
    while node is not None:
        if etree.QName(node).namespace in _DIAGRAM_NAMESPACES:
            return True
        node = node.getparent()
    return False


def schema_diagnostics(root: etree._Element, filename: str) -> list[Diagnostic]:
    """Every schema violation (at most MAX_SCHEMA_DIAGNOSTICS), located at its element and line."""
    schema = bpmn_schema()
    document = _prepared(root)
    if schema.validate(document):
        return []
    tree = document.getroottree()
    diagnostics = []
    for entry in list(schema.error_log)[:MAX_SCHEMA_DIAGNOSTICS]:
        element = _element_at(tree, entry.path)
        diagram = _in_diagram(element)
        line = entry.line or (element.sourceline if element is not None else None)
        diagnostics.append(
            Diagnostic(
                severity=WARNING if diagram else ERROR,
                code="schema-diagram" if diagram else "schema",
                message=msg("diag.schema", detail=_readable(entry.message)),
                hint=msg("hint.schema-diagram" if diagram else "hint.schema"),
                element_id=element.get("id") if element is not None else None,
                element_type=local_name(element) if element is not None else None,
                line=line or None,
                file=filename,
            )
        )
    return diagnostics
