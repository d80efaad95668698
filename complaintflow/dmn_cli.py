"""``complaintflow dmn evaluate``: evaluate a decision of a DMN file without deploying it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from complaintflow.cli_support import handle_errors
from complaintflow.cli_support import json_option as _json_option
from engine.bpmn.dmn import DmnError, load_definitions, problems
from engine.bpmn.dmn.dialect import FEEL, dialect
from engine.bpmn.dmn.results import evaluate_decision
from engine.domain.errors import ComplaintflowError


@click.group("dmn")
def dmn_group() -> None:
    """Decision tables and DRGs (DMN 1.5, FEEL)."""


@dmn_group.command("evaluate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--decision", "decision_id", required=True, help="Id or name of the decision to evaluate.")
@click.option("--data", "data_text", metavar="JSON", help="Input values, a JSON object (or @file.json).")
@handle_errors
def evaluate_command(file: Path, decision_id: str, data_text: str | None) -> None:
    """Print the decision's result as JSON, with its rule results and the rules that matched."""
    data = _json_option(data_text, "--data")
    try:
        definitions = load_definitions(file)
    except DmnError as error:
        raise ComplaintflowError(f"{file.name}:{error.line or '?'}: {error}") from None
    if dialect(definitions.main.root) != FEEL:
        raise ComplaintflowError(f"{file.name} is written in the Python dialect, not FEEL; deploy it to run it")
    found = problems(definitions)
    if found:
        raise ComplaintflowError("; ".join(str(problem) for problem in found))
    if definitions.find(decision_id) is None:
        known = ", ".join(sorted(el.id for el in definitions.main.elements.values() if el.kind == "decision"))
        raise ComplaintflowError(f"no decision {decision_id!r} in {file.name} (decisions: {known})")
    result = evaluate_decision(definitions, decision_id, data)
    output = {
        "decision": decision_id,
        "result": result.value,
        "rule_results": result.rule_results,
        "matched_rules": [{"table": table, "rules": rules} for table, rules in result.matched_rules],
    }
    click.echo(json.dumps(output, indent=2, ensure_ascii=False))
