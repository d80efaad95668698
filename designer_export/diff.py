"""A readable diff between two versions of a process: elements added, removed and changed.

Elements are matched by id (what modellers keep stable); for matched elements the comparison covers
what changes behaviour or wording: type, name, flow ends, conditions, scripts, timers, documentation,
Camunda attributes and form fields. Layout (the diagram interchange part) is left out on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from engine.bpmn.bpmn_xml import BPMN_NS, CAMUNDA_NS, XmlRejected, load_xml, text_of
from engine.bpmn.diagnostics import local_name

# Child elements whose text is part of an element's meaning, by the label shown in the diff.
_TEXT_PARTS = {
    "conditionExpression": "condition",
    "script": "script",
    "timeDuration": "timer duration",
    "timeDate": "timer date",
    "timeCycle": "timer cycle",
    "documentation": "documentation",
    "loopCardinality": "loop cardinality",
    "completionCondition": "completion condition",
}
_SKIPPED = {"incoming", "outgoing", "extensionElements", "flowNodeRef", "definitions"}


@dataclass(frozen=True)
class ElementSummary:
    element_id: str
    element_type: str
    name: str


@dataclass(frozen=True)
class ElementChange:
    element_id: str
    element_type: str
    name: str
    changes: tuple[str, ...]


@dataclass
class DiagramDiff:
    """What differs between two versions; empty lists mean the process model is unchanged."""

    added: list[ElementSummary] = field(default_factory=list)
    removed: list[ElementSummary] = field(default_factory=list)
    changed: list[ElementChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def text(self) -> str:
        """The diff for a terminal or a plain-text page."""
        if self.unchanged and not self.problems:
            return "no changes to the process model (layout changes are not shown)"
        lines = [f"cannot read {problem}" for problem in self.problems]
        lines += [f"+ {e.element_type} {e.element_id!r} {e.name!r}".rstrip() for e in self.added]
        lines += [f"- {e.element_type} {e.element_id!r} {e.name!r}".rstrip() for e in self.removed]
        for change in self.changed:
            lines.append(f"~ {change.element_type} {change.element_id!r} {change.name!r}".rstrip())
            lines.extend(f"    {detail}" for detail in change.changes)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "added": [vars(e) for e in self.added],
            "removed": [vars(e) for e in self.removed],
            "changed": [{**vars(c), "changes": list(c.changes)} for c in self.changed],
            "problems": list(self.problems),
        }


def _elements(files: Iterable[tuple[str, str]], problems: list[str]) -> dict[str, etree._Element]:
    found: dict[str, etree._Element] = {}
    for filename, text in files:
        try:
            root = load_xml(text)
        except XmlRejected as error:
            problems.append(f"{filename}: {error.message}")
            continue
        for node in root.iter():
            if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN_NS:
                continue
            if node.get("id") and local_name(node) not in _SKIPPED:
                found.setdefault(node.get("id", ""), node)
    return found


def _facts(node: etree._Element) -> dict[str, str]:
    """What an element says, as label -> value, for comparison."""
    facts = {"type": local_name(node), "name": " ".join((node.get("name") or "").split())}
    for key, value in node.attrib.items():
        name = etree.QName(key)
        if name.namespace is None and key not in ("id", "name"):
            facts[key] = value
        elif name.namespace == CAMUNDA_NS:
            facts[f"camunda:{name.localname}"] = value
    for child in node:
        label = _TEXT_PARTS.get(local_name(child))
        if label:
            facts[label] = text_of(child)
        elif local_name(child).endswith("EventDefinition"):
            facts["trigger"] = local_name(child).replace("EventDefinition", "")
            for part in child:
                part_label = _TEXT_PARTS.get(local_name(part))
                if part_label:
                    facts[part_label] = text_of(part)
    fields = [
        f"{f.get('id')}:{f.get('type')}" for f in node.iter(f"{{{CAMUNDA_NS}}}formField") if f.get("id") is not None
    ]
    if fields:
        facts["form fields"] = ", ".join(fields)
    properties = [f"{p.get('name')}={p.get('value')}" for p in node.iter(f"{{{CAMUNDA_NS}}}property")]
    if properties:
        facts["properties"] = ", ".join(properties)
    return facts


def _summary(element_id: str, node: etree._Element) -> ElementSummary:
    return ElementSummary(element_id, local_name(node), " ".join((node.get("name") or "").split()))


def diff_versions(old: Iterable[tuple[str, str]], new: Iterable[tuple[str, str]]) -> DiagramDiff:
    """Compare the files of two versions (``(filename, text)`` pairs) element by element."""
    result = DiagramDiff()
    before, after = _elements(old, result.problems), _elements(new, result.problems)
    result.added = [_summary(i, n) for i, n in after.items() if i not in before]
    result.removed = [_summary(i, n) for i, n in before.items() if i not in after]
    for element_id, node in after.items():
        if element_id not in before:
            continue
        old_facts, new_facts = _facts(before[element_id]), _facts(node)
        changes = tuple(
            f"{label}: {old_facts.get(label, '')!r} -> {new_facts.get(label, '')!r}"
            for label in sorted(set(old_facts) | set(new_facts))
            if old_facts.get(label, "") != new_facts.get(label, "")
        )
        if changes:
            result.changed.append(ElementChange(element_id, local_name(node), new_facts["name"], changes))
    return result
