"""FEEL (Friendly Enough Expression Language, DMN 1.5): parser, types, built-ins and evaluation.

``compile_expression(text, names)`` and ``compile_tests(text, names)`` return objects to evaluate
many times; ``evaluate(text, variables)`` is the one-shot form. Errors while parsing raise
``FeelError`` with the offset; errors while evaluating give null, as FEEL specifies.
"""

from engine.bpmn.feel.api import Expression, UnaryTests, compile_expression, compile_tests, evaluate
from engine.bpmn.feel.lexer import NameTable
from engine.bpmn.feel.scope import Scope
from engine.bpmn.feel.values import FeelError, Function, Range, YearsMonths, to_feel, to_python

__all__ = [
    "Expression",
    "FeelError",
    "Function",
    "NameTable",
    "Range",
    "Scope",
    "UnaryTests",
    "YearsMonths",
    "compile_expression",
    "compile_tests",
    "evaluate",
    "to_feel",
    "to_python",
]
