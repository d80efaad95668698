"""Running the DMN TCK's test cases through ``engine.bpmn.dmn`` (the product's evaluation path).

A test case (one ``<testCase>`` of a ``*-test-*.xml`` file) passes when every result node's value
equals the expected one; the outcome is SUCCESS, FAILURE (a wrong value) or ERROR (an exception),
the values the TCK's own ``tck_results.csv`` uses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree

from engine.bpmn.dmn import Definitions, DmnError, load_definitions
from engine.bpmn.feel import YearsMonths, ops, temporal
from engine.bpmn.feel.calls import invoke
from engine.bpmn.feel.values import CONTEXT

_XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
LEVELS = ("compliance-level-2", "compliance-level-3")


@dataclass
class Outcome:
    folder: str
    test_file: str
    case_id: str
    result: str
    message: str = ""


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)

    def counts(self, level: str) -> tuple[int, int]:
        rows = [row for row in self.outcomes if row.folder.startswith(level + "/")]
        return sum(row.result == "SUCCESS" for row in rows), len(rows)


def _local(node: etree._Element) -> str:
    return node.tag.rsplit("}", 1)[-1] if isinstance(node.tag, str) else ""


def _kids(node: etree._Element, name: str) -> list[etree._Element]:
    return [item for item in node if _local(item) == name]


def _scalar(node: etree._Element) -> Any:
    if node.get(f"{_XSI}nil") == "true":
        return None
    text = node.text or ""
    kind = (node.get(f"{_XSI}type") or "").split(":")[-1]
    if kind in ("decimal", "integer", "double", "int", "long", "float", "short"):
        return CONTEXT.create_decimal(text.strip())
    if kind == "boolean":
        return text.strip() == "true"
    if kind == "date":
        return temporal.parse_date(text.strip())
    if kind == "dateTime":
        return temporal.parse_date_time(text.strip())
    if kind == "time":
        return temporal.parse_time(text.strip())
    if kind in ("duration", "dayTimeDuration", "yearMonthDuration"):
        return temporal.parse_duration(text.strip())
    return text


def read_value(node: etree._Element) -> Any:
    """A TCK ``valueType`` element (value, components or list) as a FEEL value."""
    if node.get(f"{_XSI}nil") == "true":
        return None
    value = next((item for item in node if _local(item) == "value"), None)
    if value is not None:
        return _scalar(value)
    listed = next((item for item in node if _local(item) == "list"), None)
    if listed is not None:
        if listed.get(f"{_XSI}nil") == "true":
            return None
        return [read_value(item) for item in _kids(listed, "item")]
    components = _kids(node, "component")
    if components:
        return {item.get("name") or "": read_value(item) for item in components}
    return None


def same(actual: Any, expected: Any) -> bool:
    """Expected and actual agree: FEEL equality, with numbers compared by value."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if type(expected) is list:
        return (
            type(actual) is list
            and len(actual) == len(expected)
            and all(same(one, other) for one, other in zip(actual, expected, strict=True))
        )
    if type(expected) is dict:
        return (
            type(actual) is dict
            and set(actual) == set(expected)
            and all(same(actual[key], value) for key, value in expected.items())
        )
    if type(expected) is dt.datetime and type(actual) is dt.datetime:
        return actual == expected and (actual.tzinfo is None) == (expected.tzinfo is None)
    if type(expected) is YearsMonths or type(actual) is YearsMonths:
        return actual == expected
    if type(expected) is Decimal and type(actual) is Decimal and actual != expected:
        return _rounded_equal(actual, expected)
    return ops.equal(actual, expected) is True


def _rounded_equal(actual: Decimal, expected: Decimal) -> bool:
    """Numbers agree within 1e-8, the rule of the TCK's reference runner (CompareValuesUtil): the
    expected values were often computed in binary floating point."""
    return abs(CONTEXT.subtract(actual, expected)) < _TOLERANCE


_TOLERANCE = Decimal("0.00000001")


def case_inputs(case: etree._Element) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    for node in _kids(case, "inputNode"):
        name = node.get("name") or ""
        namespace = node.get("namespace")
        value = read_value(node)
        inputs[f"{namespace}#{name}" if namespace else name] = value
    return inputs


def run_case(defs: Definitions, case: etree._Element) -> tuple[str, str]:
    """SUCCESS, FAILURE or ERROR for one test case, with a message when it is not a success."""
    inputs = case_inputs(case)
    kind = case.get("type") or "decision"
    invocable = case.get("invocableName")
    problems: list[str] = []
    service_result: Any = None
    if kind == "bkm" and invocable:
        bkm = defs.find(invocable)
        if bkm is None:
            return "ERROR", f"no business knowledge model {invocable!r}"
        service_result = invoke(defs.evaluate(invocable, {}), [], dict(inputs))
    elif kind == "decisionService" and invocable:
        service_result = defs.evaluate(invocable, inputs)
    from engine.bpmn.dmn.drg import Run

    run = Run(defs, inputs)
    for node in _kids(case, "resultNode"):
        name = node.get("name") or ""
        expected_node = next((item for item in node if _local(item) == "expected"), None)
        expected = read_value(expected_node) if expected_node is not None else None
        if kind in ("bkm", "decisionService") and invocable:
            actual = service_result
            if (
                kind == "decisionService"
                and type(service_result) is dict
                and name != invocable
                and name in service_result
            ):
                actual = service_result[name]
        else:
            element = defs.find(name, node.get("namespace"))
            if element is None:
                return "ERROR", f"no decision {name!r}"
            actual = (
                run.value(element) if element.kind == "decision" else defs.evaluate(name, inputs, node.get("namespace"))
            )
        if not same(actual, expected):
            problems.append(f"{name}: expected {_show(expected)} but found {_show(actual)}")
    if problems:
        return "FAILURE", "; ".join(problems)
    return "SUCCESS", ""


def _show(value: Any) -> str:
    from engine.bpmn.feel.builtins_core import to_string

    if value is None:
        return "null"
    if isinstance(value, Decimal):
        return str(value)
    text = to_string(value)
    return text if text is not None else repr(value)


def run_folder(folder: Path, level: str) -> list[Outcome]:
    """Every test case of one TCK folder."""
    outcomes: list[Outcome] = []
    for test_file in sorted(folder.glob("*-test-*.xml")):
        root = etree.parse(str(test_file)).getroot()
        model_name = next((item.text for item in root if _local(item) == "modelName"), None) or ""
        defs: Definitions | None = None
        error = ""
        try:
            defs = load_definitions(folder / model_name.strip())
        except (DmnError, OSError) as problem:
            error = f"model not loaded: {problem}"
        for case in _kids(root, "testCase"):
            case_id = case.get("id") or ""
            outcome = Outcome(f"{level}/{folder.name}", test_file.stem, case_id, "ERROR", error)
            if defs is not None:
                try:
                    outcome.result, outcome.message = run_case(defs, case)
                except Exception as problem:  # noqa: BLE001 - an engine crash is an ERROR row, not the end of the run
                    outcome.result, outcome.message = "ERROR", f"{type(problem).__name__}: {problem}"
            outcomes.append(outcome)
    return outcomes


def run_tck(tck: Path, levels: tuple[str, ...] = LEVELS) -> Summary:
    """Every test case of the given compliance levels."""
    summary = Summary()
    for level in levels:
        for folder in sorted((tck / "TestCases" / level).iterdir()):
            if folder.is_dir():
                summary.outcomes.extend(run_folder(folder, level))
    return summary
