"""FEEL expressions and unary tests: the semantics a decision table designer relies on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine.bpmn.feel import FeelError, YearsMonths, compile_expression, compile_tests, evaluate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", Decimal(7)),
        ("10 / 4", Decimal("2.5")),
        ("1 / 3", Decimal("0.3333333333333333333333333333333333")),
        ("1 / 0", None),
        ("2 ** 10", Decimal(1024)),
        ('"a" + "b"', "ab"),
        ("1 + null", None),
        ('1 = "1"', None),
        ("null = null", True),
        ("true and null", None),
        ("false and null", False),
        ("true or null", True),
        ("[1, 2, 3][item > 1]", [Decimal(2), Decimal(3)]),
        ("[1, 2, 3][-1]", Decimal(3)),
        ("[1, 2, 3][5]", None),
        ("{a: 1, b: a + 1}.b", Decimal(2)),
        ('{"first name": "Ann"}.first name', "Ann"),
        ("for i in 1..3 return i * i", [Decimal(1), Decimal(4), Decimal(9)]),
        ("for i in [1, 2], j in [10, 20] return i + j", [Decimal(11), Decimal(21), Decimal(12), Decimal(22)]),
        ("some x in [1, 5] satisfies x > 4", True),
        ("every x in [1, 5] satisfies x > 4", False),
        ('if 2 > 1 then "yes" else "no"', "yes"),
        ("if null then 1 else 2", Decimal(2)),
        ("5 between 1 and 10", True),
        ("5 in [1..5)", False),
        ("5 in (1, 5, 9)", True),
        ("5 in < 10", True),
        ("5 instance of number", True),
        ('"5" instance of number', False),
        ("[1, 2] instance of list<number>", True),
        ("(function(a, b) a * b)(3, 4)", Decimal(12)),
        ('substring(string: "foobar", start position: 4)', "bar"),
        ('string length("\\ud83d\\udc0e")', Decimal(1)),
        ("decimal(1 / 3, 2)", Decimal("0.33")),
        ("round half up(2.5, 0)", Decimal(3)),
        ("sum([1, 2, 3])", Decimal(6)),
        ("count([])", Decimal(0)),
        ("min(3, 1, 2)", Decimal(1)),
        ('sort(["b", "a", "c"])', ["a", "b", "c"]),
        ('string join(["a", null, "b"], ",")', "a,b"),
        ('replace("abc", "b", "[$0]")', "a[b]c"),
        ('matches("abc", "^A", "i")', True),
        ('date("2024-02-29") + duration("P1Y")', dt.date(2025, 2, 28)),
        ('date("2024-03-01") - date("2024-02-28")', dt.timedelta(days=2)),
        ('years and months duration(date("2011-12-22"), date("2013-08-24"))', YearsMonths(20)),
        ('date and time("2020-01-01T10:00:00@Europe/Paris").hour', Decimal(10)),
        ('time("10:20:30+02:00").time offset', dt.timedelta(hours=2)),
        ('duration("P1DT2H") * 2', dt.timedelta(days=2, hours=4)),
        ('string(date("2020-05-01"))', "2020-05-01"),
        ("string(1.50)", "1.5"),
        ("[1..10] = [1..10]", True),
        ("before(1, [2..5])", True),
        ("overlaps([1..5], [3..8])", True),
        ('get value({a: 1}, "a")', Decimal(1)),
        ('context put({a: 1}, "b", 2)', {"a": Decimal(1), "b": Decimal(2)}),
        ('context put({a: {b: 0}}, ["a", "b"], 2)', {"a": {"b": Decimal(2)}}),
        ('context put(context: {a: {b: 0}}, keys: ["a", "b"], value: 2)', {"a": {"b": Decimal(2)}}),
        # Named arguments choose the signature: ``key`` is one string, ``keys`` a list of strings.
        ('context put(context: {a: {b: 0}}, key: ["a", "b"], value: 2)', None),
        ('context put(context: {a: 1}, keys: "b", value: 2)', None),
    ],
)
def test_expressions(text: str, expected: object) -> None:
    assert evaluate(text) == expected


def test_names_with_spaces_and_symbols_come_from_the_scope() -> None:
    names = ["Monthly Income", "Loan-to-value"]
    expression = compile_expression("Monthly Income * 12 + Loan-to-value", names)
    assert expression.evaluate({"Monthly Income": 100, "Loan-to-value": 2}) == Decimal(1202)


def test_unary_tests() -> None:
    assert compile_tests("> 5, [1..2]").matches(Decimal(6))
    assert not compile_tests("> 5, [1..2]").matches(Decimal(3))
    assert compile_tests("-").matches("anything")
    assert compile_tests('not("a", "b")').matches("c")
    assert not compile_tests('not("a", "b")').matches("a")
    assert compile_tests("? > 3 and ? < 5").matches(Decimal(4))
    assert compile_tests("null").matches(None)
    assert not compile_tests("> 5").matches(None)


def test_syntax_errors_are_located() -> None:
    with pytest.raises(FeelError) as raised:
        compile_expression("1 + (2 * 3")
    assert raised.value.position == 10


def test_no_python_attribute_access() -> None:
    # A path on a non-FEEL value yields null instead of reaching into the Python object.
    assert evaluate("x.__class__", {"x": object()}) is None
    assert evaluate("x.upper", {"x": "text"}) is None
