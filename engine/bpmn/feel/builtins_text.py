"""FEEL string built-ins; patterns are XML Schema regular expressions run with Python's ``re``."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from engine.bpmn.feel import budget
from engine.bpmn.feel.builtins_core import builtin, integer
from engine.bpmn.feel.xpath_regex import translate


def _regex(pattern: Any, flags: Any) -> re.Pattern[str]:
    """An XPath pattern with its flags; ``ValueError`` for what XPath refuses."""
    if type(pattern) is not str or (flags is not None and type(flags) is not str):
        raise TypeError("pattern")
    return translate(pattern, flags or "")


def _text(value: Any) -> str:
    if type(value) is list and len(value) == 1:
        value = value[0]
    if type(value) is not str:
        raise TypeError("not a string")
    return value


@builtin("substring", "string, start position, length", optional=1)
def _substring(text: Any, start: Any, length: Any = None) -> Any:
    chars = list(_text(text))
    first = integer(start) if start == start.to_integral_value() else round(start)
    if first == 0:
        return None
    index = first - 1 if first > 0 else len(chars) + first
    index = max(index, 0)
    if length is None:
        return "".join(chars[index:])
    if type(length) is not Decimal or length < 0:
        return None
    count = int(length)
    return "".join(chars[index : index + count])


@builtin("string length", "string")
def _length(text: Any) -> Any:
    return Decimal(len(_text(text)))


@builtin("upper case", "string")
def _upper(text: Any) -> Any:
    return _text(text).upper()


@builtin("lower case", "string")
def _lower(text: Any) -> Any:
    return _text(text).lower()


@builtin("substring before", "string, match")
def _before(text: Any, match: Any) -> Any:
    value, needle = _text(text), _text(match)
    index = value.find(needle)
    return "" if index < 0 else value[:index]


@builtin("substring after", "string, match")
def _after(text: Any, match: Any) -> Any:
    value, needle = _text(text), _text(match)
    index = value.find(needle)
    return "" if index < 0 else value[index + len(needle) :]


@builtin("contains", "string, match")
def _contains(text: Any, match: Any) -> Any:
    return _text(match) in _text(text)


@builtin("starts with", "string, match")
def _starts(text: Any, match: Any) -> Any:
    return _text(text).startswith(_text(match))


@builtin("ends with", "string, match")
def _ends(text: Any, match: Any) -> Any:
    return _text(text).endswith(_text(match))


def _replacement(text: str) -> str:
    """XPath ``$1`` group references as Python's ``\\g<1>``."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            out.append(text[index + 1].replace("\\", "\\\\"))
            index += 2
            continue
        if char == "$":
            found = re.match(r"\d+", text[index + 1 :])
            if not found:
                raise ValueError("a '$' in a replacement must start a group reference")
            out.append(f"\\g<{found.group()}>")
            index += 1 + found.end()
            continue
        out.append("\\\\" if char == "\\" else char)
        index += 1
    return "".join(out)


@builtin("replace", "input, pattern, replacement, flags", optional=1)
def _replace(text: Any, pattern: Any, replacement: Any, flags: Any = None) -> Any:
    compiled = _regex(pattern, flags)
    if compiled.match(""):
        return None
    replacement_text = _text(replacement) if "q" not in (flags or "") else _text(replacement).replace("\\", "\\\\")
    return compiled.sub(_replacement(replacement_text) if "q" not in (flags or "") else replacement_text, _text(text))


@builtin("matches", "input, pattern, flags", optional=1)
def _matches(text: Any, pattern: Any, flags: Any = None) -> Any:
    return _regex(pattern, flags).search(_text(text)) is not None


@builtin("split", "string, delimiter")
def _split(text: Any, delimiter: Any) -> Any:
    compiled = _regex(delimiter, None)
    if compiled.match(""):
        return None
    return compiled.split(_text(text))


@builtin("string join", "list, delimiter", optional=1)
def _join(items: Any, delimiter: Any = None) -> Any:
    if type(items) is str:
        items = [items]
    if type(items) is not list or any(item is not None and type(item) is not str for item in items):
        return None
    if delimiter is not None and type(delimiter) is not str:
        return None
    budget.create(sum(len(item) for item in items if item is not None) + len(delimiter or "") * len(items))
    return (delimiter or "").join(item for item in items if item is not None)
