"""Boxed expressions (literal expression, context, list, relation, invocation, function definition,
conditional, iterators, filter, decision table) compiled into closures ``scope -> value``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from engine.bpmn.dmn.errors import DmnError
from engine.bpmn.dmn.model import Model, child, children, local, text_of
from engine.bpmn.dmn.tables import compile_table
from engine.bpmn.dmn.typing import Types
from engine.bpmn.feel import FeelError, Function, Scope, compile_expression
from engine.bpmn.feel.calls import invoke
from engine.bpmn.feel.external import java_function
from engine.bpmn.feel.ops import truthy
from engine.domain.messages import message_of, msg

Compiled = Callable[[Scope], Any]
EXPRESSION_KINDS = {
    "literalExpression",
    "context",
    "decisionTable",
    "relation",
    "list",
    "invocation",
    "functionDefinition",
    "conditional",
    "for",
    "some",
    "every",
    "filter",
}


def expression_of(node: etree._Element) -> etree._Element | None:
    """The boxed expression inside an element (a decision, a context entry, a binding...)."""
    for item in node:
        if local(item) in EXPRESSION_KINDS:
            return item
    return None


class BoxedCompiler:
    """Compiles the boxed expressions of one model."""

    def __init__(self, model: Model, types: Types) -> None:
        self.model = model
        self.types = types

    def literal(self, text: str, node: etree._Element) -> Compiled:
        try:
            expression = compile_expression(text, self.model.names)
        except FeelError as error:
            problem = msg("dmn.feel", error=message_of(error) or str(error), text=text.strip()[:80])
            raise DmnError(problem, node.sourceline, node.get("id")) from None
        return expression._run

    def compile(self, node: etree._Element | None) -> Compiled:
        """The closure of a boxed expression; no expression evaluates to null."""
        if node is None:
            return lambda scope: None
        kind = local(node)
        handler = getattr(self, "_" + kind, None) if kind in EXPRESSION_KINDS else None
        if handler is None:
            raise DmnError(msg("dmn.unsupported_expression", kind=kind), node.sourceline, node.get("id"))
        compiled: Compiled = handler(node)
        type_ref = node.get("typeRef")
        if type_ref and kind not in ("functionDefinition", "decisionTable"):
            model, types = self.model, self.types
            inner = compiled

            def typed(scope: Scope) -> Any:
                return types.coerce(inner(scope), type_ref, model)

            return typed
        return compiled

    def _literalExpression(self, node: etree._Element) -> Compiled:  # noqa: N802 - DMN element name
        if node.get("expressionLanguage") not in (None, "", "http://www.omg.org/spec/FEEL/20140401") and not (
            node.get("expressionLanguage") or ""
        ).lower().endswith("/feel/"):
            raise DmnError(msg("dmn.only_feel"), node.sourceline, node.get("id"))
        text = text_of(node)
        if not text.strip():
            return lambda scope: None
        return self.literal(text, node)

    def _context(self, node: etree._Element) -> Compiled:
        entries: list[tuple[str | None, Compiled, str | None]] = []
        for entry in children(node, "contextEntry"):
            variable = child(entry, "variable")
            name = variable.get("name") if variable is not None else None
            type_ref = variable.get("typeRef") if variable is not None else None
            entries.append((name, self.compile(expression_of(entry)), type_ref))
        model, types = self.model, self.types

        def evaluate(scope: Scope) -> Any:
            result: dict[str, Any] = {}
            inner = scope.child(result)
            for name, expression, type_ref in entries:
                value = expression(inner)
                if name is None:
                    return value
                result[name] = types.coerce(value, type_ref, model) if type_ref else value
            return result

        return evaluate

    def _list(self, node: etree._Element) -> Compiled:
        items = [self.compile(item) for item in node if local(item) in EXPRESSION_KINDS]
        return lambda scope: [item(scope) for item in items]

    def _relation(self, node: etree._Element) -> Compiled:
        columns = [column.get("name") or "" for column in children(node, "column")]
        rows = []
        for row in children(node, "row"):
            cells = [self.compile(item) for item in row if local(item) in EXPRESSION_KINDS]
            if len(cells) != len(columns):
                raise DmnError(msg("dmn.relation_row"), row.sourceline, row.get("id"))
            rows.append(cells)
        return lambda scope: [dict(zip(columns, [cell(scope) for cell in cells], strict=True)) for cells in rows]

    def _invocation(self, node: etree._Element) -> Compiled:
        callee = self.compile(expression_of(node))
        bindings = []
        for binding in children(node, "binding"):
            parameter = child(binding, "parameter")
            name = parameter.get("name") if parameter is not None else ""
            bindings.append((name or "", self.compile(expression_of(binding))))

        def evaluate(scope: Scope) -> Any:
            return invoke(callee(scope), [], {name: value(scope) for name, value in bindings})

        return evaluate

    def _functionDefinition(self, node: etree._Element) -> Compiled:  # noqa: N802 - DMN element name
        kind = (node.get("kind") or "FEEL").upper()
        params = [(param.get("name") or "", param.get("typeRef")) for param in children(node, "formalParameter")]
        names = [name for name, _ in params]
        if kind == "JAVA":
            mapping = self.compile(expression_of(node))
            return lambda scope: java_function(names, {"java": mapping(scope)})
        if kind != "FEEL":
            return lambda scope: Function(names, lambda *args: None, name=f"{kind} function")
        body = self.compile(expression_of(node))
        return self.function(params, body)

    def function(self, params: list[tuple[str, str | None]], body: Compiled) -> Compiled:
        """A FEEL function value whose arguments are checked against the parameters' types."""
        names = [name for name, _ in params]
        model, types = self.model, self.types

        def define(scope: Scope) -> Function:
            def call(*args: Any) -> Any:
                bound: dict[str, Any] = {}
                for (name, type_ref), value in zip(params, args, strict=False):
                    fits, converted = types.check(value, type_ref, model)
                    if not fits:
                        return None
                    bound[name] = converted
                return body(scope.child(bound))

            return Function(names, call)

        return define

    @staticmethod
    def _part(node: etree._Element, name: str) -> etree._Element | None:
        part = child(node, name)
        return expression_of(part) if part is not None else None

    def _conditional(self, node: etree._Element) -> Compiled:
        parts = [self.compile(self._part(node, name)) for name in ("if", "then", "else")]
        condition, then, otherwise = parts

        def evaluate(scope: Scope) -> Any:
            decided = condition(scope)
            if decided is not None and type(decided) is not bool:
                return None
            return then(scope) if truthy(decided) else otherwise(scope)

        return evaluate

    def _iterator(self, node: etree._Element, body_name: str) -> tuple[str, Compiled, Compiled]:
        domain = self.compile(self._part(node, "in"))
        body = self.compile(self._part(node, body_name))
        return node.get("iteratorVariable") or "", domain, body

    def _for(self, node: etree._Element) -> Compiled:
        name, domain, body = self._iterator(node, "return")

        def evaluate(scope: Scope) -> Any:
            values = domain(scope)
            if values is None:
                return None
            results: list[Any] = []
            for item in values if type(values) is list else [values]:
                results.append(body(scope.child({name: item, "partial": results})))
            return results

        return evaluate

    def _quantifier(self, node: etree._Element, every: bool) -> Compiled:
        name, domain, body = self._iterator(node, "satisfies")

        def evaluate(scope: Scope) -> Any:
            values = domain(scope)
            if values is None:
                return None
            outcomes = [body(scope.child({name: item})) for item in (values if type(values) is list else [values])]
            if any(outcome is not None and type(outcome) is not bool for outcome in outcomes):
                return None
            if every:
                return False if False in outcomes else (True if all(item is True for item in outcomes) else None)
            return True if True in outcomes else (False if all(item is False for item in outcomes) else None)

        return evaluate

    def _some(self, node: etree._Element) -> Compiled:
        return self._quantifier(node, every=False)

    def _every(self, node: etree._Element) -> Compiled:
        return self._quantifier(node, every=True)

    def _filter(self, node: etree._Element) -> Compiled:
        domain = self.compile(self._part(node, "in"))
        match = self.compile(self._part(node, "match"))

        def evaluate(scope: Scope) -> Any:
            values = domain(scope)
            if values is None:
                return None
            selected = []
            for item in values if type(values) is list else [values]:
                bindings = {"item": item}
                if type(item) is dict:
                    bindings.update(item)
                kept = match(scope.child(bindings))
                if kept is not None and type(kept) is not bool:
                    return None
                if kept is True:
                    selected.append(item)
            return selected

        return evaluate

    def _decisionTable(self, node: etree._Element) -> Compiled:  # noqa: N802 - DMN element name
        return compile_table(node, self)


__all__ = ["BoxedCompiler", "DmnError", "expression_of"]
