"""What an uploaded file is and declares: its kind, its processes and decisions, its element names.

Read from the XML alone (no SpiffWorkflow), so deployment, the designer and the CLI can ask what a file
contains before, or without, parsing it into a runnable spec.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from engine.bpmn.bpmn_xml import BPMN_NS, CAMUNDA_NS, XmlRejected, load_xml
from engine.domain.errors import DeploymentError


@dataclass(frozen=True)
class Resource:
    """One deployed file: a BPMN or DMN document."""

    filename: str
    content: str

    @property
    def kind(self) -> str:
        return "dmn" if self.filename.lower().endswith(".dmn") else "bpmn"


@dataclass(frozen=True)
class ProcessInfo:
    """What a BPMN file declares: a process id, its name and what it needs from other files."""

    process_id: str
    name: str
    filename: str
    executable: bool
    called_processes: frozenset[str]
    decisions: frozenset[str]
    # Which version of its decision each business rule task uses.
    decision_bindings: tuple[DecisionBinding, ...] = ()


@dataclass(frozen=True)
class DecisionBinding:
    """Which version of a decision a business rule task uses (Camunda's ``decisionRefBinding``)."""

    decision_id: str
    binding: str  # latest, deployment, version or versionTag
    value: str = ""  # decisionRefVersion or decisionRefVersionTag
    element_id: str = ""


def parse_xml(resource: Resource) -> etree._Element:
    """Parse a resource safely (see ``bpmn_xml.load_xml``); raises DeploymentError with the line of a problem."""
    try:
        return load_xml(resource.content)
    except XmlRejected as error:
        raise DeploymentError(error.message, filename=resource.filename, line=error.line) from None


def element_names(resource: Resource) -> dict[str, str]:
    """The ``name`` of every named element of a BPMN resource by id (tasks, events, gateways, lanes...)."""
    return {
        node.get("id", ""): " ".join((node.get("name") or "").split())
        for node in parse_xml(resource).iter()
        if isinstance(node.tag, str) and node.get("id") and (node.get("name") or "").strip()
    }


def describe_bpmn(resource: Resource) -> list[ProcessInfo]:
    """List the processes declared in a BPMN resource with their call-activity and DMN dependencies."""
    root = parse_xml(resource)
    infos = []
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        called = {node.get("calledElement") for node in process.iter(f"{{{BPMN_NS}}}callActivity")}
        tasks = list(process.iter(f"{{{BPMN_NS}}}businessRuleTask"))
        decisions = {node.get(f"{{{CAMUNDA_NS}}}decisionRef") for node in tasks}
        bindings = tuple(_binding(node) for node in tasks if node.get(f"{{{CAMUNDA_NS}}}decisionRef"))
        infos.append(
            ProcessInfo(
                process_id=process.get("id", ""),
                name=process.get("name") or process.get("id", ""),
                filename=resource.filename,
                executable=process.get("isExecutable", "true").lower() == "true",
                called_processes=frozenset(c for c in called if c),
                decisions=frozenset(d for d in decisions if d),
                decision_bindings=bindings,
            )
        )
    return infos


def _binding(node: etree._Element) -> DecisionBinding:
    binding = (node.get(f"{{{CAMUNDA_NS}}}decisionRefBinding") or "latest").strip()
    value = node.get(
        f"{{{CAMUNDA_NS}}}decisionRefVersion" if binding == "version" else f"{{{CAMUNDA_NS}}}decisionRefVersionTag"
    )
    return DecisionBinding(
        node.get(f"{{{CAMUNDA_NS}}}decisionRef") or "", binding, (value or "").strip(), node.get("id", "")
    )


def describe_dmn(resource: Resource) -> list[str]:
    """Decision ids declared in a DMN resource (any DMN namespace version)."""
    root = parse_xml(resource)
    return [
        node.get("id", "")
        for node in root.iter()
        if isinstance(node.tag, str) and etree.QName(node).localname == "decision"
    ]


def dmn_namespaces(resource: Resource) -> tuple[str, list[str]]:
    """A DMN file's namespace and the namespaces it imports (its ``<import>`` elements)."""
    root = parse_xml(resource)
    imports = [
        node.get("namespace") or ""
        for node in root
        if isinstance(node.tag, str) and etree.QName(node).localname == "import"
    ]
    return root.get("namespace") or "", imports
