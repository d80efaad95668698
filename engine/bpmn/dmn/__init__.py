"""DMN 1.5 evaluation on the FEEL engine: decision tables with every hit policy, boxed expressions,
business knowledge models, decision services and imports.

``load_definitions(path)`` or ``definitions_from_text(xml)`` read a model; ``Definitions.evaluate``
evaluates a decision by name; ``problems`` lists located reasons to refuse a model, ``advice`` located warnings.
"""

from engine.bpmn.dmn.boxed import DmnError
from engine.bpmn.dmn.drg import Definitions
from engine.bpmn.dmn.loader import Problem, advice, definitions_from_text, load_definitions, parse_model, problems
from engine.bpmn.dmn.tables import MATCHED

__all__ = [
    "MATCHED",
    "Definitions",
    "DmnError",
    "Problem",
    "advice",
    "definitions_from_text",
    "load_definitions",
    "parse_model",
    "problems",
]
