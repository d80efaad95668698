"""Removing personal data from a stored workflow state without running the workflow (data protection).

The state is the instance-only JSON of :mod:`engine.runtime.serialization`. Only task and workflow *data*
(variables, their deltas, message correlations and pending event payloads) is rewritten; task specs, ids and
states stay untouched, so the state still loads and could run on.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Collection
from typing import Any

from engine.runtime.serialization import decode_state

# The parts of the serialized state that hold variable values rather than structure. A task's ``delta`` is
# walked as structure: its ``updates`` are values, its ``deletions`` are variable names and stay as they are.
_DATA_KEYS = frozenset({"data", "updates", "correlations", "bpmn_events", "payload"})


def redact_value(value: Any, replace: Callable[[str], str], personal_keys: Collection[str], placeholder: str) -> Any:
    """``value`` with every variable named in ``personal_keys`` set to ``placeholder`` and ``replace`` applied
    to every other string (keys are kept: they are variable names, not personal data)."""
    if isinstance(value, dict):
        return {
            key: placeholder
            if key in personal_keys and item not in (None, "")
            else redact_value(item, replace, personal_keys, placeholder)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact_value(item, replace, personal_keys, placeholder) for item in value]
    if isinstance(value, str):
        return replace(value)
    return value


def _walk(node: Any, inside_data: bool, redact: Callable[[Any], Any]) -> Any:
    if inside_data:
        return redact(node)
    if isinstance(node, dict):
        return {key: _walk(item, key in _DATA_KEYS, redact) for key, item in node.items()}
    if isinstance(node, list):
        return [_walk(item, False, redact) for item in node]
    return node


def redact_state(
    state: bytes, replace: Callable[[str], str], personal_keys: Collection[str], placeholder: str
) -> bytes:
    """The stored state with personal data removed from its variables (see :func:`redact_value`)."""
    if not state:
        return state
    decoded = decode_state(state)
    cleaned = _walk(decoded, False, lambda node: redact_value(node, replace, personal_keys, placeholder))
    return zlib.compress(json.dumps(cleaned, separators=(",", ":")).encode("utf-8"), 6)
