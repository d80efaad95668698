"""What a Camunda 8 element says about its variables: input/output mappings, loops, called-process propagation.

Camunda 8 keeps these in ``zeebe:`` extension elements that the normalisation passes leave in the file the
engine runs (``zeebe:ioMapping``, ``zeebe:loopCharacteristics``, ``zeebe:calledElement``). This module reads
them into small frozen records, keyed by the id of the process or embedded sub-process that holds the
element (the name SpiffWorkflow gives that scope's spec) and the element id, for the runtime to apply.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from engine.bpmn.bpmn_xml import BPMN_NS, ZEEBE_NS, bpmn

_SCOPES = ("process", "subProcess", "transaction", "adHocSubProcess")
EXECUTION_PLATFORM = "{http://camunda.org/schema/modeler/1.0}executionPlatform"
CAMUNDA_8 = "Camunda Cloud"  # the Modeler's name for Camunda 8 (SaaS and self-managed alike)


def zeebe(name: str) -> str:
    return f"{{{ZEEBE_NS}}}{name}"


@dataclass(frozen=True)
class ZeebeLoop:
    """``zeebe:loopCharacteristics`` of a multi-instance activity."""

    input_collection: str
    input_element: str | None
    output_collection: str | None
    output_element: str | None
    sequential: bool
    completion_condition: str | None = None


@dataclass(frozen=True)
class ZeebeElement:
    """The variable rules of one element; defaults mean "as Camunda does without extensions"."""

    inputs: tuple[tuple[str, str], ...] = ()
    outputs: tuple[tuple[str, str], ...] = ()
    loop: ZeebeLoop | None = None
    is_call: bool = False
    propagate_parent: bool = True
    propagate_child: bool = True

    @property
    def local_names(self) -> tuple[str, ...]:
        """Variables the element creates in its own scope (input targets; a dotted target's first name)."""
        return tuple(dict.fromkeys(target.split(".")[0] for target, _ in self.inputs))


def _mappings(node: etree._Element, kind: str) -> tuple[tuple[str, str], ...]:
    found = []
    for mapping in node.findall(f"{bpmn('extensionElements')}/{zeebe('ioMapping')}/{zeebe(kind)}"):
        target = (mapping.get("target") or "").strip()
        if target:
            found.append((target, (mapping.get("source") or "").strip() or "=null"))
    return tuple(found)


def _loop(node: etree._Element) -> ZeebeLoop | None:
    characteristics = node.find(bpmn("multiInstanceLoopCharacteristics"))
    if characteristics is None:
        return None
    loop = characteristics.find(f"{bpmn('extensionElements')}/{zeebe('loopCharacteristics')}")
    if loop is None or not (loop.get("inputCollection") or "").strip():
        return None
    condition = characteristics.find(bpmn("completionCondition"))
    return ZeebeLoop(
        input_collection=(loop.get("inputCollection") or "").strip(),
        input_element=(loop.get("inputElement") or "").strip() or None,
        output_collection=(loop.get("outputCollection") or "").strip() or None,
        output_element=(loop.get("outputElement") or "").strip() or None,
        sequential=characteristics.get("isSequential") == "true",
        completion_condition=(condition.text or "").strip() or None if condition is not None else None,
    )


def _element(node: etree._Element) -> ZeebeElement | None:
    called = node.find(f"{bpmn('extensionElements')}/{zeebe('calledElement')}")
    element = ZeebeElement(
        inputs=_mappings(node, "input"),
        outputs=_mappings(node, "output"),
        loop=_loop(node),
        is_call=called is not None,
        propagate_parent=called is None or called.get("propagateAllParentVariables", "true") != "false",
        propagate_child=called is None or called.get("propagateAllChildVariables", "true") != "false",
    )
    return None if element == ZeebeElement() else element


def zeebe_elements(roots: Iterable[etree._Element]) -> dict[tuple[str, str], ZeebeElement]:
    """(scope id, element id) -> its Camunda 8 variable rules, for every element that has any."""
    found: dict[tuple[str, str], ZeebeElement] = {}
    for root in roots:
        for scope in root.iter(*(f"{{{BPMN_NS}}}{name}" for name in _SCOPES)):
            for node in scope:
                if not isinstance(node.tag, str) or not node.get("id"):
                    continue
                element = _element(node)
                if element is not None:
                    found[(scope.get("id", ""), node.get("id", ""))] = element
    return found


def camunda8_scopes(roots: Iterable[etree._Element]) -> set[str]:
    """Ids of the processes and sub-processes of Camunda 8 files (the Modeler's execution platform, or any
    ``zeebe:`` element): their variables live in Camunda 8's scopes."""
    found: set[str] = set()
    for root in roots:
        if root.get(EXECUTION_PLATFORM) != CAMUNDA_8 and next(root.iter(f"{{{ZEEBE_NS}}}*"), None) is None:
            continue
        for scope in root.iter(*(f"{{{BPMN_NS}}}{name}" for name in _SCOPES)):
            found.add(scope.get("id", ""))
    return found
