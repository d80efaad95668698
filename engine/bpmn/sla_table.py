"""The ``sla_targets`` decision table as rows a form can edit, and back to DMN.

A rule matches a priority (or any) and a set of channels (or any) and gives the first-response target, the
resolution target and the business calendar. Only the cell forms the form writes are understood: ``-``,
``"high"``, ``? in ("chat", "social_media")`` for inputs and string literals for outputs; a table a designer
wrote with other expressions raises :class:`NotEditable` and is edited in the modeller (download/upload).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from engine.domain.messages import msg

DECISION_ID = "sla_targets"
DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"
_LITERAL = re.compile(r'^"([^"\\]*)"$')
_IN_LIST = re.compile(r'^\?\s+in\s+\(\s*("[^"\\]*"(?:\s*,\s*"[^"\\]*")*)\s*,?\s*\)$')
_OUTPUTS = ("first_response_target", "resolution_target", "sla_calendar")


class NotEditable(ValueError):
    """The table uses expressions the form cannot show; edit it in the modeller."""


@dataclass(frozen=True)
class SlaRule:
    """One row: ``priority``/``channels`` None means any; targets such as "4 business hours" or "PT2H"."""

    priority: str | None
    channels: tuple[str, ...] | None
    first_response: str
    resolution: str
    calendar: str
    description: str = ""

    def matches(self, channel: str, priority: str) -> bool:
        """Whether the rule applies to a complaint of this channel and priority."""
        return (self.priority is None or self.priority == priority) and (
            self.channels is None or channel in self.channels
        )


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in node if _local(child) == name]


def _text(node: etree._Element) -> str:
    texts = _children(node, "text")
    return (texts[0].text or "").strip() if texts else ""


def _literal(cell: str, rule: int) -> str:
    match = _LITERAL.match(cell)
    if not match:
        raise NotEditable(msg("sla_table.not_plain", rule=rule, cell=cell))
    return match.group(1)


def _input(cell: str, rule: int) -> tuple[str, ...] | None:
    if cell in ("", "-"):
        return None
    single = _LITERAL.match(cell)
    if single:
        return (single.group(1),)
    listed = _IN_LIST.match(cell)
    if listed:
        return tuple(_literal(part.strip(), rule) for part in listed.group(1).split(","))
    raise NotEditable(msg("sla_table.not_input", rule=rule, cell=cell))


def parse_sla_table(xml: str) -> list[SlaRule]:
    """The rules of the ``sla_targets`` decision; NotEditable when the table has another shape."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser)
    except etree.XMLSyntaxError as error:
        raise NotEditable(msg("sla_table.not_xml", error=str(error))) from None  # the XML parser's words
    decision = next((n for n in root.iter() if _local(n) == "decision" and n.get("id") == DECISION_ID), None)
    if decision is None:
        raise NotEditable(msg("sla_table.no_decision", decision=DECISION_ID))
    [table] = _children(decision, "decisionTable") or [None]
    if table is None or (table.get("hitPolicy") or "UNIQUE").upper() != "FIRST":
        raise NotEditable(msg("sla_table.not_first"))
    inputs = [_text(_children(entry, "inputExpression")[0]) for entry in _children(table, "input")]
    outputs = [entry.get("name") for entry in _children(table, "output")]
    if inputs != ["priority", "channel"] or tuple(outputs) != _OUTPUTS:
        raise NotEditable(msg("sla_table.wrong_columns", outputs=", ".join(_OUTPUTS)))
    rules = []
    for number, rule in enumerate(_children(table, "rule"), start=1):
        cells = [_text(entry) for entry in _children(rule, "inputEntry")]
        values = [_text(entry) for entry in _children(rule, "outputEntry")]
        priority = _input(cells[0], number)
        if priority is not None and len(priority) != 1:
            raise NotEditable(msg("sla_table.one_priority", rule=number))
        descriptions = _children(rule, "description")
        rules.append(
            SlaRule(
                priority=None if priority is None else priority[0],
                channels=_input(cells[1], number),
                first_response=_literal(values[0], number),
                resolution=_literal(values[1], number),
                calendar=_literal(values[2], number),
                description=(descriptions[0].text or "").strip() if descriptions else "",
            )
        )
    return rules


def _quoted(value: str) -> str:
    return escape(f'"{value}"')


def _rule_xml(number: int, rule: SlaRule) -> str:
    rid = f"rule_{number}"
    priority = "-" if rule.priority is None else _quoted(rule.priority)
    if rule.channels is None:
        channel = "-"
    elif len(rule.channels) == 1:
        channel = _quoted(rule.channels[0])
    else:
        channel = escape("? in (" + ", ".join(f'"{c}"' for c in rule.channels) + ")")
    description = f"\n        <description>{escape(rule.description)}</description>" if rule.description else ""
    return f"""      <rule id="{rid}">{description}
        <inputEntry id="{rid}_priority"><text>{priority}</text></inputEntry>
        <inputEntry id="{rid}_channel"><text>{channel}</text></inputEntry>
        <outputEntry id="{rid}_first_response"><text>{_quoted(rule.first_response)}</text></outputEntry>
        <outputEntry id="{rid}_resolution"><text>{_quoted(rule.resolution)}</text></outputEntry>
        <outputEntry id="{rid}_calendar"><text>{_quoted(rule.calendar)}</text></outputEntry>
      </rule>
"""


def render_sla_table(rules: list[SlaRule], note: str = "") -> str:
    """The DMN file of the ``sla_targets`` decision with these rules (first matching rule wins)."""
    body = "".join(_rule_xml(number, rule) for number, rule in enumerate(rules, start=1))
    comment = f"<!-- {escape(note).replace('--', '- -')} -->\n" if note else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{comment}<definitions xmlns="{DMN_NS}"
             xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/"
             xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/"
             id="definitions_sla_targets" name="SLA targets" namespace="https://complaintflow.org/processes"
             exporter="complaintflow" exporterVersion="0.1">
  <decision id="{DECISION_ID}" name={quoteattr("SLA targets")}>
    <description>First-response and resolution targets by priority and channel, handed to the SLA clock.</description>
    <decisionTable id="table_sla_targets" hitPolicy="FIRST">
      <input id="input_priority" label="Priority">
        <inputExpression id="input_priority_expression" typeRef="string"><text>priority</text></inputExpression>
      </input>
      <input id="input_channel" label="Channel">
        <inputExpression id="input_channel_expression" typeRef="string"><text>channel</text></inputExpression>
      </input>
      <output id="output_first_response" label="First response within" name="first_response_target" typeRef="string" />
      <output id="output_resolution" label="Resolution within" name="resolution_target" typeRef="string" />
      <output id="output_calendar" label="Business calendar" name="sla_calendar" typeRef="string" />
{body}    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="diagram_sla_targets">
      <dmndi:DMNShape id="sla_targets_di" dmnElementRef="{DECISION_ID}">
        <dc:Bounds height="80" width="180" x="160" y="100" />
      </dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
"""
