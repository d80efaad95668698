"""FEEL grammar (DMN 1.5, chapter 10.3.1) as a precedence-climbing parser producing tuples.

Precedence, loosest first: ``if/for/some/every/function``, ``or``, ``and``, comparisons
(``= != < <= > >= between in``), ``instance of``, ``+ -``, ``* /``, ``**``, unary ``-``, then
path, filter and invocation. Nodes are tuples whose first item names the node kind; the
compiler turns them into closures.
"""

from __future__ import annotations

from decimal import Decimal

from engine.bpmn.feel.cursor import Cursor, Node
from engine.bpmn.feel.lexer import NameTable, local_names, tokenize
from engine.bpmn.feel.values import CONTEXT, FeelError
from engine.domain.messages import msg

_COMPARISONS = {"=", "!=", "<", "<=", ">", ">="}


class Parser(Cursor):
    """One expression's tokens and the grammar over them."""

    def __init__(self, text: str, names: NameTable) -> None:
        table = names.copy()
        table.add_all(local_names(text))
        self.text = text
        self.tokens = tokenize(text, table)
        self.index = 0
        self.no_filter = 0

    # -- expressions ----------------------------------------------------------------------------
    def expression(self) -> Node:
        token = self.token
        if token.kind == "kw":
            if token.value == "if":
                return self.if_expression()
            if token.value == "for":
                return self.for_expression()
            if token.value in ("some", "every"):
                return self.quantified()
            if token.value == "function":
                return self.function_definition()
        return self.binary(0)

    def binary(self, floor: int) -> Node:
        left = self.unary()
        while True:
            token = self.token
            if token.kind == "kw":
                value = token.value
                if value == "or" and floor < 10:
                    self.next()
                    left = ("or", left, self.binary(10))
                    continue
                if value == "and" and floor < 20:
                    self.next()
                    left = ("and", left, self.binary(20))
                    continue
                if value == "between" and floor < 30:
                    self.next()
                    low = self.binary(30)
                    self.expect("kw", "and")
                    left = ("between", left, low, self.binary(30))
                    continue
                if value == "in" and floor < 30:
                    self.next()
                    left = ("in", left, self.in_tests())
                    continue
                if value == "instance" and floor < 35:
                    self.next()
                    self.expect("kw", "of")
                    left = ("instance", left, self.type_ref())
                    continue
                return left
            if token.kind != "op":
                return left
            value = token.value
            if value in _COMPARISONS and floor < 30:
                self.next()
                left = ("cmp", value, left, self.binary(30))
            elif value in ("+", "-") and floor < 40:
                self.next()
                left = ("arith", value, left, self.binary(40))
            elif value in ("*", "/") and floor < 50:
                self.next()
                left = ("arith", value, left, self.binary(50))
            elif value == "**" and floor < 60:
                self.next()
                left = ("arith", "**", left, self.binary(60))
            else:
                return left

    def unary(self) -> Node:
        if self.at_op("-"):
            self.next()
            operand = self.unary()
            if operand[0] == "num":
                return ("num", -operand[1])
            return ("neg", operand)
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            if self.at_op("."):
                self.next()
                node = ("path", node, self.name_words())
            elif self.at_op("[") and not self.no_filter:
                self.next()
                saved, self.no_filter = self.no_filter, 0
                condition = self.expression()
                self.no_filter = saved
                self.expect("op", "]")
                node = ("filter", node, condition)
            elif self.at_op("("):
                self.next()
                node = ("call", node, *self.arguments())
            else:
                return node

    def arguments(self) -> tuple[list[Node], dict[str, Node] | None]:
        positional: list[Node] = []
        named: dict[str, Node] | None = None
        saved, self.no_filter = self.no_filter, 0
        while not self.at_op(")"):
            if self._named_argument_ahead():
                name = self.slice_until("op", ":")
                self.next()
                named = named if named is not None else {}
                named[name] = self.expression()
            else:
                positional.append(self.expression())
            if not self.at_op(")"):
                self.expect("op", ",")
        self.next()
        self.no_filter = saved
        if named is not None and positional:
            raise self.error(msg("feel.mixed_arguments"))
        return positional, named

    def _named_argument_ahead(self) -> bool:
        offset = 0
        while self.peek(offset).kind in ("name", "kw"):
            offset += 1
        following = self.peek(offset)
        return offset > 0 and following.kind == "op" and following.value == ":"

    def primary(self) -> Node:
        token = self.next()
        kind, value = token.kind, token.value
        if kind == "num":
            return ("num", CONTEXT.create_decimal(value))
        if kind == "str":
            return ("str", value)
        if kind == "name":
            words = [value]
            while self.at("name"):
                words.append(self.next().value)
            return ("name", " ".join(words))
        if kind == "kw":
            if value in ("true", "false"):
                return ("bool", value == "true")
            if value == "null":
                return ("null",)
            if value in ("if", "for", "some", "every", "function"):
                self.index -= 1
                return self.expression()
            raise FeelError(msg("feel.unexpected", token=value), token.pos)
        if kind == "op":
            if value == "(":
                return self.parenthesis()
            if value == "[":
                return self.bracket()
            if value == "]":
                return self.range_rest(False, self.endpoint())
            if value == "{":
                return self.context_literal()
            if value == "@":
                return ("at", self.expect("str").value)
            if value in ("<", "<=", ">", ">=", "=", "!="):
                return ("ut_range", value, self.endpoint())
        if kind == "eof":
            raise FeelError(msg("feel.unexpected_end"), token.pos)
        raise FeelError(msg("feel.unexpected", token=value), token.pos)

    def endpoint(self) -> Node:
        self.no_filter += 1
        try:
            return self.binary(30)
        finally:
            self.no_filter -= 1

    def parenthesis(self) -> Node:
        saved, self.no_filter = self.no_filter, 0
        inner = self.expression()
        self.no_filter = saved
        if self.at_op(".."):
            return self.range_rest(False, inner)
        self.expect("op", ")")
        return inner

    def bracket(self) -> Node:
        if self.at_op("]"):
            self.next()
            return ("list", [])
        saved, self.no_filter = self.no_filter, 0
        first = self.expression()
        self.no_filter = saved
        if self.at_op(".."):
            return self.range_rest(True, first)
        items = [first]
        while self.at_op(","):
            self.next()
            items.append(self.expression())
        self.expect("op", "]")
        return ("list", items)

    def range_rest(self, start_included: bool, start: Node) -> Node:
        self.expect("op", "..")
        end = self.endpoint()
        closing = self.next()
        if closing.kind != "op" or closing.value not in ("]", "[", ")"):
            raise FeelError(msg("feel.range_end"), closing.pos)
        return ("range", start_included, start, end, closing.value == "]")

    def context_literal(self) -> Node:
        entries: list[tuple[str, Node]] = []
        while not self.at_op("}"):
            key = self.next().value if self.at("str") else self.slice_until("op", ":")
            self.expect("op", ":")
            entries.append((key, self.expression()))
            if not self.at_op("}"):
                self.expect("op", ",")
        self.next()
        return ("context", entries)

    def if_expression(self) -> Node:
        self.expect("kw", "if")
        condition = self.expression()
        self.expect("kw", "then")
        then = self.expression()
        self.expect("kw", "else")
        return ("if", condition, then, self.expression())

    def iterators(self) -> list[tuple[str, Node]]:
        result: list[tuple[str, Node]] = []
        while True:
            name = self.slice_until("kw", "in")
            self.next()
            domain = self.expression()
            if self.at_op(".."):
                self.next()
                domain = ("span", domain, self.expression())
            result.append((name, domain))
            if not self.at_op(","):
                return result
            self.next()

    def for_expression(self) -> Node:
        self.expect("kw", "for")
        iterators = self.iterators()
        self.expect("kw", "return")
        return ("for", iterators, self.expression())

    def quantified(self) -> Node:
        kind = self.next().value
        iterators = self.iterators()
        self.expect("kw", "satisfies")
        return (kind, iterators, self.expression())

    def function_definition(self) -> Node:
        self.expect("kw", "function")
        self.expect("op", "(")
        params: list[tuple[str, Node | None]] = []
        while not self.at_op(")"):
            name = self.name_words()
            param_type = None
            if self.at_op(":"):
                self.next()
                param_type = self.type_ref()
            params.append((name, param_type))
            if not self.at_op(")"):
                self.expect("op", ",")
        self.next()
        if self.at("kw", "external"):
            self.next()
            return ("external", params, self.expression())
        return ("function", params, self.expression())

    # -- unary tests ---------------------------------------------------------------------------
    def in_tests(self) -> list[Node]:
        """The right side of ``in``: one positive unary test or several in parentheses."""
        if self.at_op("("):
            start = self.index
            self.next()
            tests = [self.positive_test()]
            if self.at_op(".."):
                self.index = start
                return [("ut_expr", self.postfix(self.primary()))]
            while self.at_op(","):
                self.next()
                tests.append(self.positive_test())
            self.expect("op", ")")
            return tests
        return [self.positive_test()]

    def positive_test(self) -> Node:
        if self.at_op("<", "<=", ">", ">=", "=", "!="):
            operator = self.next().value
            return ("ut_cmp", operator, self.endpoint())
        return ("ut_expr", self.expression())

    def unary_tests(self) -> Node:
        if self.at_op("-") and self.peek().kind == "eof":
            self.next()
            return ("ut_any",)
        if self.at("name", "not") and self.peek().kind == "op" and self.peek().value == "(":
            start = self.index
            self.next()
            self.next()
            tests = self.test_list(")")
            if self.at("eof"):
                return ("ut_not", tests)
            self.index = start
        return ("ut_tests", self.test_list(None))

    def test_list(self, closing: str | None) -> list[Node]:
        tests = [self.positive_test()]
        while self.at_op(","):
            self.next()
            tests.append(self.positive_test())
        if closing is not None:
            self.expect("op", closing)
        return tests


def parse_expression(text: str, names: NameTable) -> Node:
    """The syntax tree of a FEEL expression."""
    parser = Parser(text, names)
    node = parser.expression()
    parser.done()
    return node


def parse_unary_tests(text: str, names: NameTable) -> Node:
    """The syntax tree of FEEL unary tests (a decision table input entry)."""
    parser = Parser(text, names)
    node = parser.unary_tests()
    parser.done()
    return node


def number_literal(text: str) -> Decimal:
    """A number token's value."""
    return CONTEXT.create_decimal(text)
