"""Static check of a DMN model beyond "does every expression parse": a decision or business
knowledge model that uses the name of another element of the graph without requiring it (a BKM
calling itself, a decision reading an input it has no information requirement for) is refused,
as the DMN scoping rules ask (DMN 1.5, 6.3: an expression sees only what its element requires).

Names that no element defines are left to evaluation (they are null there, as FEEL specifies for
an unknown function), so only a missing requirement edge makes a model non-compliant.
"""

from __future__ import annotations

from lxml import etree

from engine.bpmn.dmn.drg import Definitions
from engine.bpmn.dmn.errors import DmnError
from engine.bpmn.dmn.model import Element, Model, local
from engine.bpmn.feel import FeelError
from engine.bpmn.feel.analysis import free_names
from engine.bpmn.feel.parser import parse_expression, parse_unary_tests

_EXPRESSION_TEXTS = {"literalExpression", "inputExpression", "outputEntry", "defaultOutputEntry"}
_TEST_TEXTS = {"inputEntry"}
_DECLARING = {"variable", "formalParameter", "column", "parameter"}


def _declared(node: etree._Element) -> set[str]:
    """Names the element's boxed expression declares (context entries, parameters, iterators...);
    the element's own ``<variable>`` is not one of them."""
    names: set[str] = set()
    for item in node.iter():
        if not isinstance(item.tag, str) or (item.getparent() is node and local(item) == "variable"):
            continue
        if local(item) in _DECLARING and item.get("name"):
            names.add(item.get("name") or "")
        if item.get("iteratorVariable"):
            names.add(item.get("iteratorVariable") or "")
    return names


def _visible(defs: Definitions, element: Element) -> frozenset[str]:
    names = _declared(element.node)
    for ref in element.required_decisions + element.required_inputs + element.required_knowledge:
        required = defs.element(ref)
        if required is None:
            continue
        names.add(required.name)
        for imported in element.model.imports:
            if imported.namespace == required.model.namespace:
                names.add(imported.name)
    return frozenset(names)


def _texts(node: etree._Element) -> list[tuple[etree._Element, str, bool]]:
    found = []
    for item in node.iter():
        if not isinstance(item.tag, str) or local(item) != "text":
            continue
        parent = item.getparent()
        kind = local(parent) if parent is not None else ""
        if kind in _EXPRESSION_TEXTS or kind in _TEST_TEXTS:
            found.append((item, item.text or "", kind in _TEST_TEXTS))
    return found


def _element_problems(defs: Definitions, model: Model, element: Element) -> list[DmnError]:
    problems: list[DmnError] = []
    visible = _visible(defs, element)
    graph_names = set(model.by_name)
    for node, text, is_test in _texts(element.node):
        stripped = text.strip()
        if not stripped or (is_test and stripped == "-"):
            continue
        try:
            tree = parse_unary_tests(text, model.names) if is_test else parse_expression(text, model.names)
        except FeelError:
            continue  # reported by compilation with its position
        for name in sorted(set(free_names(tree, visible)) & graph_names):
            message = f"uses {name!r} without a requirement on it (add an information or knowledge requirement)"
            problems.append(DmnError(message, node.sourceline, element.name))
    return problems


def scope_problems(defs: Definitions) -> list[DmnError]:
    """Graph elements used without a requirement, in every decision and BKM of the main model."""
    problems: list[DmnError] = []
    model = defs.main
    for element in model.elements.values():
        if element.kind in ("decision", "businessKnowledgeModel"):
            problems.extend(_element_problems(defs, model, element))
    return problems
