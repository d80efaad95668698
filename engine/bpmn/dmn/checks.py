"""Static check of a DMN model beyond "does every expression parse": a decision or business
knowledge model that uses the name of another element of the graph without requiring it (a BKM
calling itself, a decision reading an input it has no information requirement for) is refused,
as the DMN scoping rules ask (DMN 1.5, 6.3: an expression sees only what its element requires).

Names that no element defines are left to evaluation (they are null there, as FEEL specifies for
an unknown function), so only a missing requirement edge makes a model non-compliant.

A name FEEL code refers to (a decision, input, BKM, variable, parameter, item definition...) must
not begin with a FEEL keyword (DMN 1.5, 10.3.1.2: names may not start with a keyword such as
``and``, ``true`` or ``every``): ``and1`` or ``in total`` cannot be told apart from the keyword
followed by more text, so such a model is refused too.

A call of a built-in whose arguments fit none of its parameter lists (``string()``,
``substring("a", 1, 2, 3)``, ``round up(m: 1)``) is always null: DMN 1.5, 10.3.2.13.5 asks that a
positional call supply every parameter. The TCK's compliant models make such calls on purpose and
expect null, so they are warnings (``call_problems``), not reasons to refuse a model.
"""

from __future__ import annotations

import re

from lxml import etree

from engine.bpmn.dmn.drg import Definitions
from engine.bpmn.dmn.errors import DmnError
from engine.bpmn.dmn.model import Element, Model, local
from engine.bpmn.feel import FeelError
from engine.bpmn.feel.analysis import free_names, off_signature_calls
from engine.bpmn.feel.lexer import KEYWORDS
from engine.bpmn.feel.parser import parse_expression, parse_unary_tests
from engine.bpmn.feel.scope import BUILTINS

_EXPRESSION_TEXTS = {"literalExpression", "inputExpression", "outputEntry", "defaultOutputEntry"}
_TEST_TEXTS = {"inputEntry"}
_DECLARING = {"variable", "formalParameter", "column", "parameter"}
# Elements whose ``name`` is a FEEL name (definitions, knowledge sources and the like are not).
_FEEL_NAMED = _DECLARING | {
    "decision", "inputData", "businessKnowledgeModel", "decisionService", "itemDefinition", "itemComponent",
    "import", "output",
}  # fmt: skip
# A keyword followed by anything but a letter, `_` or `?`: ``and1``, ``true value``; not ``order``, ``android``.
_KEYWORDS = "|".join(sorted(KEYWORDS, key=len, reverse=True))
_KEYWORD_START = re.compile(rf"^({_KEYWORDS})(?![^\W\d]|\?)")


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


def name_problems(defs: Definitions) -> list[DmnError]:
    """Names of the main model that begin with a FEEL keyword, each reported once where it first appears."""
    problems: list[DmnError] = []
    seen: set[str] = set()
    for node in defs.main.root.iter():
        if not isinstance(node.tag, str) or local(node) not in _FEEL_NAMED:
            continue
        name = (node.get("name") or "").strip()
        found = _KEYWORD_START.match(name)
        if found is None or name in seen:
            continue
        seen.add(name)
        message = (
            f"the name {name!r} begins with the FEEL keyword {found.group(1)!r}; FEEL names may not start with a"
            " keyword (DMN 1.5, 10.3.1.2): rename it"
        )
        problems.append(DmnError(message, node.sourceline, name))
    return problems


def _signatures(name: str) -> str:
    function = BUILTINS[name]
    required = len(function.params) - function.optional
    main = [param + ("?" if index >= required else "") for index, param in enumerate(function.params)]
    if function.variadic and main:
        main[-1] += "..."
    return " or ".join(f"{name}({', '.join(params)})" for params in [main, *function.alt_params])


def call_problems(defs: Definitions) -> list[DmnError]:
    """Built-in calls in the main model's decisions and BKMs whose arguments fit no parameter list."""
    problems: list[DmnError] = []
    model = defs.main
    for element in model.elements.values():
        if element.kind not in ("decision", "businessKnowledgeModel"):
            continue
        shadowing = frozenset(set(model.by_name) | _declared(element.node))
        for node, text, is_test in _texts(element.node):
            try:
                tree = parse_unary_tests(text, model.names) if is_test else parse_expression(text, model.names)
            except FeelError:
                continue  # reported by compilation with its position
            for name, count, names in off_signature_calls(tree, shadowing):
                given = f"the named arguments {', '.join(names)}" if names is not None else f"{count} arguments"
                message = (
                    f"calls the built-in {name!r} with {given}, which fit none of {_signatures(name)}: the call is"
                    " always null (DMN 1.5, 10.3.2.13.5: a positional call supplies every parameter, a named one"
                    " only parameter names)"
                )
                problems.append(DmnError(message, node.sourceline, element.name))
    return problems
