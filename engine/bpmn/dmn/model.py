"""A DMN document (DMN 1.1 to 1.5) read into plain objects: the elements of the decision
requirements graph, their boxed expressions still as XML, the item definitions, the imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.bpmn.feel import NameTable


def local(node: etree._Element) -> str:
    """The element's name without its namespace."""
    tag = node.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def children(node: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in node if local(child) == name]


def child(node: etree._Element, name: str) -> etree._Element | None:
    for item in node:
        if local(item) == name:
            return item
    return None


def text_of(node: etree._Element | None) -> str:
    """The ``<text>`` of a literal expression or unary tests ("" when absent)."""
    if node is None:
        return ""
    text = child(node, "text")
    return (text.text or "") if text is not None else ""


@dataclass
class ItemDefinition:
    """A DMN type: a FEEL type reference, a structure of components or a collection of either."""

    name: str
    type_ref: str | None = None
    is_collection: bool = False
    components: list[ItemDefinition] = field(default_factory=list)
    allowed_values: str | None = None
    type_constraint: str | None = None
    function_item: bool = False
    line: int | None = None


@dataclass
class Element:
    """A DRG element: decision, inputData, businessKnowledgeModel or decisionService."""

    kind: str
    id: str
    name: str
    node: etree._Element
    model: Model
    type_ref: str | None = None
    required_decisions: list[str] = field(default_factory=list)
    required_inputs: list[str] = field(default_factory=list)
    required_knowledge: list[str] = field(default_factory=list)
    service_refs: dict[str, list[str]] = field(default_factory=dict)

    @property
    def line(self) -> int | None:
        return self.node.sourceline


@dataclass
class Import:
    name: str
    namespace: str


@dataclass
class Model:
    """One DMN file."""

    name: str
    namespace: str
    root: etree._Element
    filename: str = ""
    elements: dict[str, Element] = field(default_factory=dict)
    by_name: dict[str, Element] = field(default_factory=dict)
    item_definitions: dict[str, ItemDefinition] = field(default_factory=dict)
    imports: list[Import] = field(default_factory=list)
    names: NameTable = field(default_factory=NameTable)


_DRG = {"decision", "inputData", "businessKnowledgeModel", "decisionService"}


def _item_definition(node: etree._Element) -> ItemDefinition:
    type_ref = child(node, "typeRef")
    allowed = child(node, "allowedValues")
    constraint = child(node, "typeConstraint")
    return ItemDefinition(
        name=node.get("name") or "",
        type_ref=(type_ref.text or "").strip() if type_ref is not None else None,
        is_collection=node.get("isCollection") == "true",
        components=[_item_definition(item) for item in children(node, "itemComponent")],
        allowed_values=text_of(allowed) if allowed is not None else None,
        type_constraint=text_of(constraint) if constraint is not None else None,
        function_item=child(node, "functionItem") is not None,
        line=node.sourceline,
    )


def _href(node: etree._Element, namespace: str) -> str:
    """A requirement's target as ``namespace#id``."""
    href = node.get("href") or ""
    target_namespace, _, ident = href.rpartition("#")
    return f"{target_namespace or namespace}#{ident}"


def _requirements(node: etree._Element, namespace: str, element: Element) -> None:
    for requirement in node.iter():
        name = local(requirement)
        if name == "requiredDecision":
            element.required_decisions.append(_href(requirement, namespace))
        elif name == "requiredInput":
            element.required_inputs.append(_href(requirement, namespace))
        elif name == "requiredKnowledge":
            element.required_knowledge.append(_href(requirement, namespace))


def read_model(root: etree._Element, filename: str = "") -> Model:
    """The DRG of a parsed ``<definitions>`` element."""
    namespace = root.get("namespace") or ""
    model = Model(name=root.get("name") or "", namespace=namespace, root=root, filename=filename)
    for node in root:
        kind = local(node)
        if kind == "itemDefinition":
            item = _item_definition(node)
            model.item_definitions[item.name] = item
        elif kind == "import":
            model.imports.append(Import(node.get("name") or "", node.get("namespace") or ""))
        elif kind in _DRG:
            variable = child(node, "variable")
            element = Element(
                kind=kind,
                id=node.get("id") or node.get("name") or "",
                name=node.get("name") or "",
                node=node,
                model=model,
                type_ref=variable.get("typeRef") if variable is not None else None,
            )
            if kind == "decisionService":
                for part in ("outputDecision", "encapsulatedDecision", "inputDecision", "inputData"):
                    for ref in children(node, part):
                        element.service_refs.setdefault(part, []).append(_href(ref, namespace))
            else:
                for requirement in node:
                    if local(requirement) in ("informationRequirement", "knowledgeRequirement"):
                        _requirements(requirement, namespace, element)
            model.elements[element.id] = element
            model.by_name[element.name] = element
    model.names = NameTable(_all_names(root))
    return model


def _all_names(root: etree._Element) -> list[str]:
    """Every name in the document: the lexer needs them to read names with spaces."""
    names: set[str] = set()
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        name = node.get("name")
        if name and local(node) not in ("DMNDiagram", "DMNStyle"):
            names.add(name)
    return sorted(names)
