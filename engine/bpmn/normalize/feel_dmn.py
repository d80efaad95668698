"""Deploy-time checks of DMN files: FEEL files are compiled by the FEEL decision engine (every
problem located by line and element), and every DMN file is checked for what makes the modeller
(dmn-js, in Camunda Modeler) stumble: duplicate ids and rules whose cells do not match the columns.
"""

from __future__ import annotations

from lxml import etree

from engine.bpmn.diagnostics import ERROR, WARNING, Diagnostic, at, local_name
from engine.bpmn.dmn import DmnError, advice, definitions_from_text, problems
from engine.domain.messages import msg


def feel_dmn_diagnostics(content: str, filename: str) -> list[Diagnostic]:
    """ERRORs for a FEEL DMN file the decision engine cannot evaluate; WARNINGs for built-in calls
    that are always null."""
    try:
        definitions = definitions_from_text(content, filename)
    except DmnError as error:
        return [Diagnostic(ERROR, "dmn", str(error), line=error.line, file=filename)]
    found = [
        Diagnostic(
            ERROR,
            "dmn-feel",
            problem.message,
            msg("hint.dmn-feel"),
            element_id=problem.element,
            line=problem.line,
            file=filename,
        )
        for problem in problems(definitions)
    ]
    if found:
        return found
    return [
        Diagnostic(
            WARNING,
            "dmn-call",
            problem.message,
            msg("hint.dmn-call"),
            element_id=problem.element,
            line=problem.line,
            file=filename,
        )
        for problem in advice(definitions)
    ]


def modeller_diagnostics(root: etree._Element, filename: str) -> list[Diagnostic]:
    """Duplicate ids (dmn-js warns and may drop elements) and tables whose rows and columns differ
    (dmn-js cannot open them: "number of cells is not equal to number of cols")."""
    found: list[Diagnostic] = []
    seen: dict[str, etree._Element] = {}
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        ident = node.get("id")
        if not ident:
            continue
        if ident in seen:
            found.append(
                at(
                    node,
                    WARNING,
                    "duplicate-id",
                    msg("diag.duplicate-id.2", ident=ident, sourceline=seen[ident].sourceline),
                    msg("hint.duplicate-id.2"),
                    file=filename,
                )
            )
        else:
            seen[ident] = node
    for table in root.iter():
        if local_name(table) != "decisionTable":
            continue
        inputs = sum(1 for item in table if local_name(item) == "input")
        outputs = sum(1 for item in table if local_name(item) == "output")
        for row, rule in enumerate((item for item in table if local_name(item) == "rule"), start=1):
            cells_in = sum(1 for item in rule if local_name(item) == "inputEntry")
            cells_out = sum(1 for item in rule if local_name(item) == "outputEntry")
            if (cells_in, cells_out) != (inputs, outputs):
                found.append(
                    at(
                        rule,
                        WARNING,
                        "dmn-columns",
                        msg(
                            "diag.dmn-columns",
                            row=row,
                            cells_in=cells_in,
                            cells_out=cells_out,
                            inputs=inputs,
                            outputs=outputs,
                        ),
                        msg("hint.dmn-columns"),
                        file=filename,
                    )
                )
    return found
