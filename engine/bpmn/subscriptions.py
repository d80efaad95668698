"""Camunda 8 message subscriptions: the correlation key a waiting message event subscribes under.

``<bpmn:message name="…"><extensionElements><zeebe:subscription correlationKey="=expr"/>`` names a FEEL
expression; Camunda evaluates it when the catch event or receive task is reached, and a published message
with that name and key is delivered there. The message elements sit outside the processes, so the
normalisation passes leave them as they are and this module reads them from the deployed files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lxml import etree

from engine.bpmn.bpmn_xml import ZEEBE_NS, bpmn
from engine.bpmn.feel import FeelError, evaluate


def correlation_expressions(documents: Iterable[str]) -> dict[str, str]:
    """Message name -> FEEL correlation key expression (without ``=``), from the BPMN files' messages."""
    found: dict[str, str] = {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    for document in documents:
        try:
            root = etree.fromstring(document.encode("utf-8"), parser)
        except etree.XMLSyntaxError:
            continue
        for message in root.iter(bpmn("message")):
            subscription = message.find(f"{bpmn('extensionElements')}/{{{ZEEBE_NS}}}subscription")
            key = subscription.get("correlationKey", "").strip() if subscription is not None else ""
            if message.get("name") and key:
                found[message.get("name", "")] = key[1:].strip() if key.startswith("=") else f'"{key}"'
    return found


def correlation_key(expression: str, variables: Mapping[str, Any]) -> str | None:
    """The key the expression gives for these variables, as text (Camunda's keys are strings or numbers)."""
    try:
        value = evaluate(expression, dict(variables))
    except FeelError:
        return None
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
