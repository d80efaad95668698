"""The designer check warns about what makes dmn-js (Camunda Modeler) stumble in a DMN file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.designer.helpers import check, codes, find

ROOT = Path(__file__).resolve().parents[2]
TABLE = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="n">
  <decision id="size" name="Size">
    <decisionTable id="t" hitPolicy="FIRST">
      <input id="i1"><inputExpression id="e1" typeRef="number"><text>amount</text></inputExpression></input>
      <output id="o" name="size" typeRef="string"/>
      <rule id="r1"><inputEntry id="r1_amount"><text>&lt; 100</text></inputEntry>
        <outputEntry id="r1_amount"><text>"small"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="r2_amount"><text>-</text></inputEntry>
        <inputEntry id="r2_extra"><text>-</text></inputEntry>
        <outputEntry id="r2_size"><text>"large"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


def test_duplicate_ids_and_rows_that_do_not_match_the_columns_are_reported() -> None:
    report = check(TABLE, "size.dmn")
    duplicate = find(report, "duplicate-id")
    assert duplicate.severity == "warning" and duplicate.line == 8 and "r1_amount" in duplicate.message
    columns = find(report, "dmn-columns")
    assert columns.line == 9 and "rule 2 has 2 input and 1 output cells for 1 inputs and 1 outputs" in columns.message
    # The engine cannot evaluate a rule with a cell too many: the file is refused, located.
    assert report.status == "rejected"


@pytest.mark.parametrize("path", sorted((ROOT / "processes").glob("*.dmn")) + sorted((ROOT / "examples").glob("*.dmn")))
def test_shipped_dmn_files_have_no_modeller_warnings(path: Path) -> None:
    report = check(path.read_text(encoding="utf-8"), path.name)
    assert report.status != "rejected"
    assert not codes(report) & {"duplicate-id", "dmn-columns", "dmn-feel", "dmn-call"}, [
        d.text() for d in report.diagnostics
    ]


def test_a_built_in_call_that_is_always_null_is_a_located_warning() -> None:
    text = TABLE.replace('<text>"large"</text>', "<text>string()</text>").replace(
        '<inputEntry id="r2_extra"><text>-</text></inputEntry>', ""
    )
    report = check(text, "size.dmn")
    call = find(report, "dmn-call")
    assert call.severity == "warning" and call.line == 11 and call.element_id == "Size"
    assert "'string' with 0 arguments" in call.message
    assert report.status != "rejected"
