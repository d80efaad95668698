"""The token cursor under the FEEL parser, and the grammar of type references."""

from __future__ import annotations

from typing import Any

from engine.bpmn.feel.lexer import Token
from engine.bpmn.feel.values import FeelError
from engine.domain.messages import msg

Node = tuple[Any, ...]


class Cursor:
    """A position in a token list with the look-ahead helpers the grammar needs."""

    text: str
    tokens: list[Token]
    index: int

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def at(self, kind: str, value: str | None = None) -> bool:
        token = self.tokens[self.index]
        return token.kind == kind and (value is None or token.value == value)

    def at_op(self, *values: str) -> bool:
        token = self.tokens[self.index]
        return token.kind == "op" and token.value in values

    def next(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, kind: str, value: str | None = None) -> Token:
        if not self.at(kind, value):
            token = self.token
            wanted = value or kind
            found = token.value or "the end"
            raise FeelError(msg("feel.expected_found", wanted=wanted, found=found), token.pos)
        return self.next()

    def error(self, message: str) -> FeelError:
        return FeelError(message, self.token.pos)

    def done(self) -> None:
        if not self.at("eof"):
            raise self.error(msg("feel.unexpected", token=self.token.value))

    def slice_until(self, stop_kind: str, stop_value: str) -> str:
        """The source text of the tokens up to (not including) the stop token, consumed."""
        start = self.token.pos
        while not self.at(stop_kind, stop_value):
            if self.at("eof"):
                raise self.error(msg("feel.expected", token=stop_value))
            self.next()
        return " ".join(self.text[start : self.token.pos].split())

    def name_words(self) -> str:
        """A name: one token, or several one-word names in a row (``Monthly Income``)."""
        token = self.token
        if token.kind not in ("name", "kw"):
            raise self.error(msg("feel.expected_name"))
        self.next()
        words = [token.value]
        while self.at("name"):
            words.append(self.next().value)
        return " ".join(words)

    def type_ref(self) -> Node:
        name = self.name_words()
        if name in ("list", "range") and self.at_op("<"):
            self.next()
            inner = self.type_ref()
            self.expect("op", ">")
            return (name, inner)
        if name == "context" and self.at_op("<"):
            self.next()
            fields: list[tuple[str, Node]] = []
            while not self.at_op(">"):
                key = self.name_words()
                self.expect("op", ":")
                fields.append((key, self.type_ref()))
                if not self.at_op(">"):
                    self.expect("op", ",")
            self.next()
            return ("context", fields)
        if name == "function" and self.at_op("<"):
            self.next()
            params: list[Node] = []
            while not self.at_op(">"):
                params.append(self.type_ref())
                if not self.at_op(">"):
                    self.expect("op", ",")
            self.next()
            self.expect("op", "->")
            return ("function", params, self.type_ref())
        return ("named", name)
