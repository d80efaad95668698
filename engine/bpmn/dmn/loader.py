"""Reading DMN files into ``Definitions`` (with the files they import) and checking them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from engine.bpmn.dmn.boxed import DmnError
from engine.bpmn.dmn.checks import call_problems, name_problems, scope_problems
from engine.bpmn.dmn.drg import Definitions
from engine.bpmn.dmn.model import Model, read_model
from engine.domain.messages import msg

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False)


@dataclass(frozen=True)
class Problem:
    """A located reason to refuse a model."""

    file: str
    line: int | None
    element: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.element + ': ' if self.element else ''}{self.message}"


def parse_model(source: bytes | str, filename: str = "") -> Model:
    """A DMN document's model; ``DmnError`` when it is not a DMN ``<definitions>`` document."""
    data = source.encode() if isinstance(source, str) else source
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as error:
        raise DmnError(msg("dmn.not_xml", error=error.msg), error.lineno) from None  # the XML parser's words
    if not isinstance(root.tag, str) or root.tag.rsplit("}", 1)[-1] != "definitions":
        raise DmnError(msg("dmn.not_definitions"), root.sourceline)
    return read_model(root, filename)


def load_definitions(path: str | Path, search: list[Path] | None = None) -> Definitions:
    """A DMN file and the DMN files beside it (or in ``search``) that it imports."""
    path = Path(path)
    main = parse_model(path.read_bytes(), path.name)
    wanted = {imported.namespace for imported in main.imports}
    imported: list[Model] = []
    if wanted:
        candidates = search if search is not None else sorted(path.parent.glob("*.dmn"))
        pending = dict.fromkeys(wanted)
        seen: set[Path] = {path.resolve()}
        for candidate in candidates:
            if candidate.resolve() in seen:
                continue
            seen.add(candidate.resolve())
            try:
                model = parse_model(candidate.read_bytes(), candidate.name)
            except DmnError:
                continue
            imported.append(model)
            pending.update(dict.fromkeys(imp.namespace for imp in model.imports))
    return Definitions(main, imported)


def definitions_from_text(source: bytes | str, filename: str = "") -> Definitions:
    """A self-contained DMN document (no imports) ready to evaluate."""
    return Definitions(parse_model(source, filename))


def problems(definitions: Definitions) -> list[Problem]:
    """Why a model cannot be evaluated, each with file, line and element."""
    found = []
    for error in definitions.check() + name_problems(definitions) + scope_problems(definitions):
        found.append(Problem(definitions.main.filename, error.line, error.element, str(error)))
    return found


def advice(definitions: Definitions) -> list[Problem]:
    """What the model may evaluate but probably does not mean (a built-in call that is always null),
    each with file, line and element: warnings, not reasons to refuse it."""
    return [
        Problem(definitions.main.filename, error.line, error.element, str(error))
        for error in call_problems(definitions)
    ]
