"""XML Schema / XPath regular expressions (the dialect of FEEL's ``matches``, ``replace`` and
``split``) translated into Python's ``re`` syntax.

The differences that matter: ``.`` does not match carriage returns or newlines, character class
subtraction (``[A-Z-[OI]]``), ``\\p{IsBlock}`` block escapes, the ``x`` flag removing whitespace
outside classes only, and back-references that XPath forbids inside classes or before their group.
"""

from __future__ import annotations

import re

_FLAGS = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE}
_BLOCKS = {
    "IsBasicLatin": "\\x00-\\x7f",
    "IsLatin-1Supplement": "\\x80-\\xff",
    "IsGreek": "\\u0370-\\u03ff",
    "IsCyrillic": "\\u0400-\\u04ff",
    "IsHebrew": "\\u0590-\\u05ff",
    "IsArabic": "\\u0600-\\u06ff",
}
_CATEGORIES = {"L": "^\\W\\d_", "Lu": "A-Z\\u00c0-\\u00de", "Ll": "a-z\\u00df-\\u00ff", "N": "\\d", "Nd": "\\d"}


class RegexError(ValueError):
    """A pattern or flag that XPath does not accept."""


def _property(pattern: str, index: int, negated: bool, extended: bool) -> tuple[str, int]:
    """``\\p{...}`` whose brace is at ``index`` as class contents, and the index after it."""
    end = pattern.find("}", index)
    if pattern[index : index + 1] != "{" or end < 0:
        raise RegexError("\\p needs {name}")
    name = pattern[index + 1 : end]
    if extended:
        name = re.sub(r"\s+", "", name)
    contents = _BLOCKS.get(name) or _CATEGORIES.get(name)
    if contents is None:
        raise RegexError(f"unknown property {name!r}")
    if contents.startswith("^"):
        contents = contents[1:]
        negated = not negated
    return ("^" if negated else "") + contents, end + 1


def _class(pattern: str, index: int, extended: bool) -> tuple[str, int]:
    """The character class starting after ``[`` at ``index``: its Python form and the index after ``]``."""
    out: list[str] = []
    negated = pattern[index : index + 1] == "^"
    if negated:
        index += 1
    while index < len(pattern):
        char = pattern[index]
        if char == "]":
            body = "".join(out)
            return ("[^" if negated else "[") + body + "]", index + 1
        if char == "-" and pattern[index + 1 : index + 2] == "[":
            subtracted, after = _class(pattern, index + 2, extended)
            if pattern[after : after + 1] != "]":
                raise RegexError("a subtraction ends its class")
            body = ("[^" if negated else "[") + "".join(out) + "]"
            return f"(?:(?!{subtracted}){body})", after + 1
        if char == "\\":
            code = pattern[index + 1 : index + 2]
            if code.isdigit():
                raise RegexError("no back-reference inside a character class")
            if code in ("p", "P"):
                contents, index = _property(pattern, index + 2, code == "P", extended)
                if contents.startswith("^"):
                    raise RegexError("negated property inside a class")
                out.append(contents)
                continue
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[":
            raise RegexError("'[' inside a class must be escaped")
        out.append(char)
        index += 1
    raise RegexError("unterminated character class")


def translate(pattern: str, flags: str = "") -> re.Pattern[str]:
    """The compiled Python equivalent; ``RegexError`` for what XPath refuses."""
    value = 0
    for flag in flags:
        if flag in _FLAGS:
            value |= _FLAGS[flag]
        elif flag not in ("x", "q"):
            raise RegexError(f"unknown flag {flag!r}")
    if "q" in flags:
        return re.compile(re.escape(pattern), value)
    extended = "x" in flags
    if extended:
        pattern = _without_spaces(pattern)
    out: list[str] = []
    groups = 0
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if extended and char in " \t\n\r":
            index += 1
            continue
        if char == "[":
            text, index = _class(pattern, index + 1, extended)
            out.append(text)
            continue
        if char == "\\":
            code = pattern[index + 1 : index + 2]
            if code.isdigit():
                found = re.match(r"\d+", pattern[index + 1 :])
                assert found is not None
                if code == "0" or int(found.group()) > groups:
                    raise RegexError("a back-reference before its group")
                out.append(f"(?:\\{found.group()})")
                index += 1 + found.end()
                continue
            if code in ("p", "P"):
                contents, index = _property(pattern, index + 2, code == "P", extended)
                out.append(f"[{contents}]")
                continue
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "(" and pattern[index + 1 : index + 2] != "?":
            groups += 1
        if char == "." and not value & re.DOTALL:
            out.append("[^\\n\\r]")
            index += 1
            continue
        out.append(char)
        index += 1
    try:
        return re.compile("".join(out), value)
    except re.error as error:
        raise RegexError(str(error)) from None


def _without_spaces(pattern: str) -> str:
    """The x flag: whitespace outside character classes is removed before the pattern is read."""
    out: list[str] = []
    depth = 0
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and depth:
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[" and (index == 0 or pattern[index - 1] != "\\"):
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        elif char in " \t\n\r" and not depth:
            index += 1
            continue
        out.append(char)
        index += 1
    return "".join(out)
