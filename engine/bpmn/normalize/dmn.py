"""DMN checks before deployment: what SpiffWorkflow's decision engine can evaluate.

It evaluates exactly one decision table per file: COLLECT collects every matching rule, any other hit
policy returns the first matching rule. That is right for UNIQUE, FIRST and ANY (for a correct table); a decision
requirements graph (several decisions), literal expressions and the ordering hit policies are refused
with the decision named, instead of SpiffWorkflow's AttributeError on the list of decisions.
"""

from __future__ import annotations

from lxml import etree

from engine.bpmn.diagnostics import ERROR, INFO, Diagnostic, at, local_name
from engine.domain.messages import msg

_SUPPORTED = {"UNIQUE", "FIRST", "ANY", "COLLECT"}


def check_dmn(root: etree._Element, filename: str) -> list[Diagnostic]:
    """What in a DMN document the decision engine cannot evaluate."""
    diagnostics: list[Diagnostic] = []
    if local_name(root) != "definitions":
        return [at(root, ERROR, "not-dmn", msg("diag.not-dmn"), file=filename)]
    decisions = [node for node in root if local_name(node) == "decision"]
    if not decisions:
        diagnostics.append(at(root, ERROR, "no-decision", msg("diag.no-decision"), file=filename))
    if len(decisions) > 1:
        diagnostics.append(
            at(
                decisions[1],
                ERROR,
                "several-decisions",
                msg("diag.several-decisions", count=len(decisions)),
                msg("hint.several-decisions"),
                file=filename,
            )
        )
    for decision in decisions:
        tables = [child for child in decision if local_name(child) == "decisionTable"]
        if not tables:
            diagnostics.append(
                at(
                    decision,
                    ERROR,
                    "not-a-decision-table",
                    msg("diag.not-a-decision-table"),
                    msg("hint.not-a-decision-table"),
                    file=filename,
                )
            )
            continue
        table = tables[0]
        policy = (table.get("hitPolicy") or "UNIQUE").upper()
        if policy == "ANY":
            diagnostics.append(at(table, INFO, "hit-policy", msg("diag.hit-policy"), file=filename))
        elif policy not in _SUPPORTED:
            diagnostics.append(
                at(
                    table,
                    ERROR,
                    "hit-policy",
                    msg("diag.hit-policy.2", policy=policy),
                    msg("hint.hit-policy"),
                    file=filename,
                )
            )
        elif policy == "COLLECT" and table.get("aggregation"):
            diagnostics.append(
                at(
                    table,
                    ERROR,
                    "hit-policy",
                    msg("diag.hit-policy.3", aggregation=table.get("aggregation")),
                    msg("hint.hit-policy.2"),
                    file=filename,
                )
            )
    return diagnostics
