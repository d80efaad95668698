"""A task's documentation text with its ``{{ variable }}`` placeholders filled, showing only what is set.

Designers write one text for every case ("Product {{ product }}, order {{ order_ref }}, amount in dispute
{{ amount }} EUR."). A placeholder without a value (missing, empty, or a zero amount) drops the part of the
sentence it stands in, so the agent reads "Product kettle." instead of "Product …, order …, amount in
dispute 0.0 EUR."; a sentence left with none of its placeholders is dropped as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# After ".", "!" or "?", and after a placeholder followed by a capital: "{{ description }} Product {{ product }}"
# holds two sentences, the customer's text being one of its own.
_FILLED = re.compile(PLACEHOLDER.pattern + r"(\.?)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=\}\})\s+(?=[A-Z][a-z])")


def _is_set(value: Any) -> bool:
    if value is None or isinstance(value, dict | list):
        return False
    if isinstance(value, bool):
        return True
    if isinstance(value, int | float | Decimal):
        return value != 0
    return bool(str(value).strip())


def _clauses(sentence: str) -> list[str]:
    """The sentence cut at ", " outside parentheses."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(sentence):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0 and sentence[index + 1 : index + 2] == " ":
            parts.append(sentence[start:index])
            start = index + 2
    parts.append(sentence[start:])
    return parts


def _keep(sentence: str, variables: Mapping[str, Any]) -> str:
    clauses = _clauses(sentence.rstrip("."))
    with_values = [c for c in clauses if not PLACEHOLDER.search(c) or all(
        _is_set(variables.get(name)) for name in PLACEHOLDER.findall(c))]  # fmt: skip
    if len(with_values) == len(clauses):
        return sentence
    if not any(PLACEHOLDER.search(c) for c in with_values):
        return ""
    kept = ", ".join(with_values)
    return kept[:1].upper() + kept[1:] + ("." if sentence.endswith(".") else "")


def fill_documentation(text: str, variables: Mapping[str, Any]) -> str:
    """``text`` with every placeholder filled and the parts about unset values left out."""
    sentences = [_keep(sentence, variables) for sentence in _SENTENCE_END.split(text.strip())]

    def fill(match: re.Match[str]) -> str:
        value = str(variables.get(match.group(1)))
        # "{{ customer_info }}." with a value that ends its own sentence: one full stop, not two.
        return value + ("" if value.endswith((".", "!", "?")) else match.group(2))

    return " ".join(_FILLED.sub(fill, sentence) for sentence in sentences if sentence)
