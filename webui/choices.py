"""Select options in the form WTForms wants (SelectChoice objects, not the deprecated tuples)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms.fields.choices import SelectChoice

LANGUAGE_PAIRS = (("en", "English"), ("de", "Deutsch"))


def options(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as select options."""
    return [SelectChoice(value, label) for value, label in pairs]


def language_options() -> list[SelectChoice]:
    """The UI languages, each named in its own language."""
    return options(LANGUAGE_PAIRS)
