"""The error a DMN model that cannot be evaluated raises, located by line and element."""

from __future__ import annotations


class DmnError(Exception):
    """A model the evaluator cannot run, with the line of the offending element."""

    def __init__(self, message: str, line: int | None = None, element: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.element = element
