"""DMN table cells: Camunda Modeler writes FEEL unary tests, SpiffWorkflow's decision engine reads Python.

SpiffWorkflow compares an input with a cell as ``(input) == (cell)`` or ``input<cell>`` (``>= 1000``,
glued without a space), and ``?`` stands for the input, so translations always spell out ``?``. The
FEEL forms designers use most translate: lists (``"a","b"``), ``not(...)``, ranges (``[1..10]``,
``]0..5[``), ``true``/``false``/``null``. A cell that is neither Python nor one of these is reported
with its rule and column instead of failing when the decision runs.
"""

from __future__ import annotations

import ast
import re

from lxml import etree

from engine.bpmn.diagnostics import ERROR, INFO, Diagnostic, at, local_name
from engine.domain.messages import msg

_RANGE = re.compile(r"^([\[\]\(])\s*(.+?)\s*\.\.\s*(.+?)\s*([\[\]\)])$")
_CONSTANTS = {"true": "True", "false": "False", "null": "None"}


def _parses(text: str) -> bool:
    candidate = text.replace("?", "dmninputexpr")
    for source in (candidate, f"v {candidate}"):
        try:
            ast.parse(source, mode="eval")
            return True
        except SyntaxError:
            continue
    return False


def _split_top_level(text: str) -> list[str]:
    parts, depth, quote, current = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        current += char
    parts.append(current.strip())
    return parts


def _value(text: str) -> str | None:
    text = _CONSTANTS.get(text.strip(), text.strip())
    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        return None
    return text


def translate_cell(text: str) -> str | None:
    """Python for a FEEL unary test (None when there is no translation); Python cells come back as they are."""
    text = text.strip()
    if not text or text == "-":
        return text
    if text in _CONSTANTS:
        return _CONSTANTS[text]
    negated = re.fullmatch(r"not\s*\((.*)\)", text, re.DOTALL)
    if negated:
        # FEEL not("a") means "anything but a"; as Python it would compare the input with False.
        inner = translate_cell(negated.group(1))
        if inner is None or inner in ("", "-"):
            return None
        if inner.startswith("? in "):
            return "? not in " + inner[len("? in ") :]
        return f"? != ({inner})" if _value(inner) else None
    span = _RANGE.match(text)
    if span:
        low, high = _value(span.group(2)), _value(span.group(3))
        if low is None or high is None:
            return None
        left = "<=" if span.group(1) == "[" else "<"
        right = "<=" if span.group(4) == "]" else "<"
        return f"{low} {left} ? {right} {high}"
    items = _split_top_level(text)
    if len(items) > 1:
        values = [_value(item) for item in items]
        return f"? in ({', '.join(v for v in values if v)},)" if all(values) else None
    return text if _parses(text) else None


def check_cells(root: etree._Element, filename: str) -> tuple[list[Diagnostic], bool]:
    """Translate FEEL input cells in place; report cells that stay unreadable. True when a cell changed."""
    diagnostics: list[Diagnostic] = []
    changed = False
    for table in root.iter():
        if local_name(table) != "decisionTable":
            continue
        for row, rule in enumerate((r for r in table if local_name(r) == "rule"), start=1):
            entries = [e for e in rule if local_name(e) == "inputEntry"]
            for column, entry in enumerate(entries, start=1):
                text_node = next((c for c in entry if local_name(c) == "text"), None)
                if text_node is None or not (text_node.text or "").strip():
                    continue
                original = text_node.text.strip()
                python = translate_cell(original)
                if python is None:
                    diagnostics.append(
                        at(
                            entry,
                            ERROR,
                            "dmn-cell",
                            msg("diag.dmn-cell", row=row, column=column, original=original),
                            msg("hint.dmn-cell"),
                            file=filename,
                        )
                    )
                elif python != original:
                    text_node.text = python
                    changed = True
    if changed:
        diagnostics.append(at(root, INFO, "dmn-feel", msg("diag.dmn-feel"), file=filename))
    return diagnostics, changed
