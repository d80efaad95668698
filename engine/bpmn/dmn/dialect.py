"""Which expression language a DMN file is written in: FEEL (the DMN default, what Camunda Modeler
writes) or the restricted Python of complaintflow's first decision tables.

An ``expressionLanguage`` on the definitions or on a table, expression or entry decides. Without
one, the file is FEEL unless its cells use Python that FEEL does not have: ``True``/``False``/
``None``, ``==``, single-quoted strings, or ``or``/``and`` picking a value in an output entry
(``category or "billing"``). Those older files keep running on the Python evaluator.
"""

from __future__ import annotations

import re

from lxml import etree

FEEL = "feel"
PYTHON = "python"
_PYTHON_WORDS = re.compile(r"\b(True|False|None)\b|==|'[^'\n]*'")
_VALUE_CHOICE = re.compile(r"\b(or|and)\s+(\"|\d)")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _local(node: etree._Element) -> str:
    return node.tag.rsplit("}", 1)[-1] if isinstance(node.tag, str) else ""


def _declared(root: etree._Element) -> str | None:
    for node in root.iter():
        language = (node.get("expressionLanguage") or "").lower() if isinstance(node.tag, str) else ""
        if not language:
            continue
        if "python" in language or "juel" in language:
            return PYTHON
        if "feel" in language:
            return FEEL
    return None


def dialect(root: etree._Element) -> str:
    """FEEL or PYTHON for a parsed DMN ``<definitions>`` element."""
    declared = _declared(root)
    if declared is not None:
        return declared
    for node in root.iter():
        if _local(node) != "text" or not node.text:
            continue
        parent = node.getparent()
        text = _STRING.sub('""', node.text)
        if _PYTHON_WORDS.search(text):
            return PYTHON
        if parent is not None and _local(parent) == "outputEntry" and _VALUE_CHOICE.search(text):
            return PYTHON
    return FEEL
