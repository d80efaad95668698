"""What the import pipeline tells a process designer about one element of an uploaded diagram.

The normaliser (``engine.bpmn.normalize``) and the designer checks (``designer_export``) report in the
same shape, so a deploy refusal and ``complaintflow designer check`` name the same element, type and line.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

ERROR = "error"  # the file cannot be deployed until this is changed
WARNING = "warning"  # it deploys, but the designer should know (a changed meaning, a never-reached element)
INFO = "info"  # what the importer translated or dropped on its own

SEVERITIES = (ERROR, WARNING, INFO)


@dataclass(frozen=True)
class Diagnostic:
    """One finding: severity, a stable rule code, where it is and what to do about it."""

    severity: str
    code: str
    message: str
    hint: str = ""
    element_id: str | None = None
    element_type: str | None = None
    line: int | None = None
    file: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def in_file(self, filename: str) -> Diagnostic:
        return self if self.file else replace(self, file=filename)

    def text(self) -> str:
        """One line for a terminal: ``file:line: severity [code] type 'id': message (hint)``."""
        where = f"{self.file or '-'}:{self.line or '-'}"
        element = f" {self.element_type or 'element'} '{self.element_id}'" if self.element_id else ""
        hint = f" Hint: {self.hint}" if self.hint else ""
        return f"{where}: {self.severity} [{self.code}]{element}: {self.message}{hint}"


def local_name(node: Any) -> str:
    """The tag without namespace (``userTask``); empty for comments and processing instructions."""
    tag = getattr(node, "tag", None)
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]  # Clark notation "{namespace}local"; cheaper than etree.QName


def at(
    node: Any,
    severity: str,
    code: str,
    message: str,
    hint: str = "",
    *,
    file: str | None = None,
) -> Diagnostic:
    """A diagnostic located at an XML element: its id, its BPMN type and its line in the uploaded file."""
    element_id = node.get("id") if node is not None and hasattr(node, "get") else None
    line = getattr(node, "sourceline", None) if node is not None else None
    return Diagnostic(
        severity=severity,
        code=code,
        message=message,
        hint=hint,
        element_id=element_id or None,
        element_type=local_name(node) or None if node is not None else None,
        line=line or None,
        file=file,
    )


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity == ERROR for d in diagnostics)
