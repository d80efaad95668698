"""FEEL tokens, with names that contain spaces and symbols.

FEEL names may contain spaces and the symbols ``. / - ' + *`` ("Date of Birth", "Loan-to-value"),
so the grammar alone cannot tell a name from an expression: the specification resolves them
against the names in scope. The lexer gets those names (the model's variables, the built-ins,
plus names the expression introduces itself: context keys, function parameters, iteration
variables) and matches the longest one at each position; any other word becomes a one-word name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from engine.bpmn.feel.values import FeelError
from engine.domain.messages import msg

KEYWORDS = frozenset(
    [
        "if",
        "then",
        "else",
        "for",
        "in",
        "return",
        "some",
        "every",
        "satisfies",
        "between",
        "instance",
        "of",
        "function",
        "external",
        "and",
        "or",
        "true",
        "false",
        "null",
    ]
)

_NAME_START = "?A-Za-z_\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\U0010ffff"
_NAME_PART = _NAME_START + "0-9\u00b7\u0300-\u036f\u203f-\u2040"
WORD = re.compile(f"[{_NAME_START}][{_NAME_PART}]*")
_NAME_CHAR = re.compile(f"[{_NAME_PART}]")
_NUMBER = re.compile(r"(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?")
_SPACE = re.compile(r"(?:\s|//[^\n]*|/\*.*?\*/)+", re.S)
_OPERATORS = (
    "..",
    "**",
    "->",
    "!=",
    "<=",
    ">=",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    "=",
    "<",
    ">",
    "+",
    "-",
    "*",
    "/",
    "@",
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}

BUILTIN_NAMES = (
    "date and time",
    "years and months duration",
    "days and time duration",
    "string length",
    "upper case",
    "lower case",
    "substring before",
    "substring after",
    "starts with",
    "ends with",
    "list contains",
    "insert before",
    "index of",
    "distinct values",
    "round up",
    "round down",
    "round half up",
    "round half down",
    "day of year",
    "day of week",
    "month of year",
    "week of year",
    "get value",
    "get entries",
    "context put",
    "context merge",
    "met by",
    "overlaps before",
    "overlaps after",
    "overlapped by",
    "finished by",
    "started by",
    "string join",
    "list replace",
    "last day of month",
    "time offset",
    "start included",
    "end included",
    "is",
)


@dataclass(slots=True)
class Token:
    """One token: ``kind`` is num, str, name, kw, op, at (``@"..."``) or eof."""

    kind: str
    value: str
    pos: int


class NameTable:
    """Multi-word names indexed by their first word, longest first."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._by_word: dict[str, list[tuple[int, re.Pattern[str]]]] = {}
        self._seen: set[str] = set()
        self.add_all(BUILTIN_NAMES)
        self.add_all(names)

    def add_all(self, names: Iterable[str]) -> None:
        """Add names; one-word names need no entry (every word is a name)."""
        for name in names:
            name = name.strip()
            if not name or name in self._seen:
                continue
            first = WORD.match(name)
            if first is None or first.end() == len(name):
                continue
            self._seen.add(name)
            pattern = re.compile(r"\s+".join(re.escape(part) for part in name.split()))
            entries = self._by_word.setdefault(first.group(), [])
            entries.append((len(name), pattern))
            entries.sort(key=lambda entry: -entry[0])

    def match(self, text: str, pos: int, word: str) -> int | None:
        """End offset of the longest known name starting at ``pos`` whose first word is ``word``."""
        for _length, pattern in self._by_word.get(word, ()):
            found = pattern.match(text, pos)
            if found is None:
                continue
            end = found.end()
            if end < len(text) and _NAME_CHAR.match(text, end):
                continue
            return end
        return None

    def copy(self) -> NameTable:
        """An independent table with the same names."""
        table = NameTable.__new__(NameTable)
        table._by_word = {word: list(entries) for word, entries in self._by_word.items()}
        table._seen = set(self._seen)
        return table


_CONTEXT_KEY = re.compile(r"[{,]\s*([^\s\"{},:\[\]()][^{},:\"\[\]()]*?)\s*:")
_FUNCTION_PARAMS = re.compile(r"function\s*\(([^)]*)\)")
_ITERATOR = re.compile(r"(?:\bfor|\bsome|\bevery|,)\s+([^,()\[\]{}]+?)\s+in\s")


def local_names(text: str) -> list[str]:
    """Names the expression introduces itself: context keys, parameters, iteration variables."""
    names = [found.group(1) for found in _CONTEXT_KEY.finditer(text)]
    for found in _FUNCTION_PARAMS.finditer(text):
        names.extend(param.split(":")[0] for param in found.group(1).split(","))
    names.extend(found.group(1) for found in _ITERATOR.finditer(text))
    return names


def _string(text: str, pos: int) -> tuple[str, int]:
    """The string literal starting at ``pos`` (the opening quote) and the offset after it."""
    out: list[str] = []
    index = pos + 1
    while index < len(text):
        char = text[index]
        if char == '"':
            return _join_surrogates("".join(out)), index + 1
        if char == "\\" and index + 1 < len(text):
            code = text[index + 1]
            if code == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[index + 2 : index + 6]):
                out.append(chr(int(text[index + 2 : index + 6], 16)))
                index += 6
                continue
            if code == "U" and re.fullmatch(r"[0-9a-fA-F]{6}", text[index + 2 : index + 8]):
                out.append(chr(int(text[index + 2 : index + 8], 16)))
                index += 8
                continue
            if code in _ESCAPES:
                out.append(_ESCAPES[code])
                index += 2
                continue
        out.append(char)
        index += 1
    raise FeelError(msg("feel.unterminated_string"), pos)


def _join_surrogates(text: str) -> str:
    """``"\\ud83d\\udc0e"`` escapes a surrogate pair: one code point, as in Java."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16")


def tokenize(text: str, names: NameTable) -> list[Token]:
    """The tokens of ``text``; ``names`` resolves names containing spaces or symbols."""
    tokens: list[Token] = []
    pos = 0
    length = len(text)
    while True:
        space = _SPACE.match(text, pos)
        if space:
            pos = space.end()
        if pos >= length:
            tokens.append(Token("eof", "", pos))
            return tokens
        char = text[pos]
        if char == '"':
            value, end = _string(text, pos)
            tokens.append(Token("str", value, pos))
            pos = end
            continue
        if char.isdigit() or (char == "." and pos + 1 < length and text[pos + 1].isdigit()):
            found = _NUMBER.match(text, pos)
            assert found is not None
            tokens.append(Token("num", found.group(), pos))
            pos = found.end()
            continue
        word = WORD.match(text, pos)
        if word:
            known_end = names.match(text, pos, word.group())
            if known_end is not None:
                tokens.append(Token("name", " ".join(text[pos:known_end].split()), pos))
                pos = known_end
                continue
            value = word.group()
            tokens.append(Token("kw" if value in KEYWORDS else "name", value, pos))
            pos = word.end()
            continue
        for operator in _OPERATORS:
            if text.startswith(operator, pos):
                tokens.append(Token("op", operator, pos))
                pos += len(operator)
                break
        else:
            raise FeelError(msg("feel.unexpected_character", character=char), pos)
