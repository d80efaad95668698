"""Decision tables on the FEEL engine without the TCK at hand: every hit policy and aggregation,
input values and output values (DMN 1.5, clause 8)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.bpmn.dmn import definitions_from_text

TABLE = """<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" namespace="urn:t" name="t">
  <decision id="d" name="d">
    <decisionTable hitPolicy="{policy}"{aggregation}>
      <input><inputExpression typeRef="number"><text>x</text></inputExpression>{input_values}</input>
      <output name="level" typeRef="{kind}">{output_values}</output>
      <rule><inputEntry><text>&gt; 10</text></inputEntry><outputEntry><text>{first}</text></outputEntry></rule>
      <rule><inputEntry><text>&gt; 20</text></inputEntry><outputEntry><text>{second}</text></outputEntry></rule>
      <rule><inputEntry><text>&gt; 15</text></inputEntry><outputEntry><text>{third}</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>"""
# Priority order of the output values: high before medium before low.
WORDS = {"kind": "string", "first": '"low"', "second": '"high"', "third": '"medium"'}
WORDS_VALUES = '<outputValues><text>"high","medium","low"</text></outputValues>'
NUMBERS = {"kind": "number", "first": "1", "second": "5", "third": "3"}


def _evaluate(policy: str, x: int, cells: dict[str, str], aggregation: str = "", **extra: str) -> object:
    xml = TABLE.format(
        policy=policy,
        aggregation=f' aggregation="{aggregation}"' if aggregation else "",
        input_values=extra.get("input_values", ""),
        output_values=extra.get("output_values", WORDS_VALUES if cells is WORDS else ""),
        **cells,
    )
    return definitions_from_text(xml).evaluate("d", {"x": x}, variables=True)


@pytest.mark.parametrize(
    ("policy", "aggregation", "cells", "three_match", "one_matches", "none_match"),
    [
        ("UNIQUE", "", WORDS, None, "low", None),  # three rules match: a UNIQUE table's error is null
        ("FIRST", "", WORDS, "low", "low", None),
        ("PRIORITY", "", WORDS, "high", "low", None),  # the output value listed first wins
        ("ANY", "", WORDS, None, "low", None),  # matching rules with different outputs: null
        ("RULE ORDER", "", WORDS, ["low", "high", "medium"], ["low"], []),
        ("OUTPUT ORDER", "", WORDS, ["high", "medium", "low"], ["low"], []),
        ("COLLECT", "", WORDS, ["low", "high", "medium"], ["low"], []),
        ("COLLECT", "SUM", NUMBERS, Decimal(9), Decimal(1), None),
        ("COLLECT", "MIN", NUMBERS, Decimal(1), Decimal(1), None),
        ("COLLECT", "MAX", NUMBERS, Decimal(5), Decimal(1), None),
        ("COLLECT", "COUNT", NUMBERS, Decimal(3), Decimal(1), Decimal(0)),
    ],
)
def test_hit_policies_and_aggregations(
    policy: str, aggregation: str, cells: dict[str, str], three_match: object, one_matches: object, none_match: object
) -> None:
    assert _evaluate(policy, 25, cells, aggregation) == three_match
    assert _evaluate(policy, 12, cells, aggregation) == one_matches
    assert _evaluate(policy, 1, cells, aggregation) == none_match


def test_any_with_equal_outputs_gives_that_output() -> None:
    same = {"kind": "string", "first": '"low"', "second": '"low"', "third": '"low"'}
    assert _evaluate("ANY", 25, same) == "low"


def test_input_values_limit_the_inputs_and_output_values_order_the_outputs() -> None:
    # An input outside the column's input values is an error: null (as Drools; Camunda ignores them).
    limited = "<inputValues><text>[0..100]</text></inputValues>"
    assert _evaluate("FIRST", 25, WORDS, input_values=limited) == "low"
    assert _evaluate("FIRST", 250, WORDS, input_values=limited) is None
    # The order of the output values is the priority: reversed, PRIORITY and OUTPUT ORDER follow it.
    reversed_values = '<outputValues><text>"low","medium","high"</text></outputValues>'
    assert _evaluate("PRIORITY", 25, WORDS, output_values=reversed_values) == "low"
    assert _evaluate("OUTPUT ORDER", 25, WORDS, output_values=reversed_values) == ["low", "medium", "high"]
