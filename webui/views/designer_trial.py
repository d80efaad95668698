"""The test panel of the designer's upload page: evaluate a decision of an uploaded DMN file with sample
inputs, see its result and the rules that matched, before (or after) deploying it.

The panel's form carries the file's text back (a designer's own upload, at most the upload's size), so
nothing is stored to try a table; the decision runs on the product's FEEL engine exactly as a
business rule task would (``engine.bpmn.dmn.results.evaluate_decision``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from designer_export import REJECTED, FileReport
from engine.bpmn.dmn import DmnError, definitions_from_text
from engine.bpmn.dmn.dialect import FEEL, dialect
from engine.bpmn.dmn.results import evaluate_decision
from engine.bpmn.dmn.trial import TrialDecision, sample_value, trial_decisions
from engine.domain.roles import DEPLOY_ROLES
from webui.auth import require_roles
from webui.engine_text import engine_message
from webui.views.designer import allow_diagram_uploads

bp = Blueprint("designer_trial", __name__, url_prefix="/designer")
bp.url_value_preprocessor(allow_diagram_uploads)


@dataclass
class Trial:
    """A DMN file's test panel: its text, its decisions, and (after a run) what one of them gave."""

    filename: str
    source: str
    decisions: list[TrialDecision]
    decision_id: str = ""
    values: dict[str, str] = field(default_factory=dict)
    error: str = ""
    results: list[dict[str, Any]] | None = None
    matched: set[str] = field(default_factory=set)


def trial_of(report: FileReport) -> Trial | None:
    """The panel for a checked file: FEEL DMN files the checks did not reject."""
    normalized = report.normalized
    if normalized is None or not report.file.lower().endswith(".dmn") or report.status == REJECTED:
        return None
    try:
        definitions = definitions_from_text(normalized.original, report.file)
    except DmnError:
        return None
    if dialect(definitions.main.root) != FEEL:
        return None
    decisions = trial_decisions(definitions)
    return Trial(report.file, normalized.original, decisions) if decisions else None


def _run(trial: Trial, decision: TrialDecision) -> None:
    definitions = definitions_from_text(trial.source, trial.filename)
    inputs: dict[str, Any] = {}
    for index, item in enumerate(decision.inputs):
        text = trial.values.get(str(index), "")
        try:
            inputs[item.name] = sample_value(text, item.type_ref)
        except ValueError:
            kind = item.type_ref or _("FEEL expression")
            trial.error = _(
                "%(name)s: “%(value)s” is not a value of type %(type)s.", name=item.name, value=text, type=kind
            )
            return
    try:
        outcome = evaluate_decision(definitions, decision.decision_id, inputs)
    except (DmnError, KeyError) as error:
        trial.error = _("The decision could not be evaluated: %(reason)s", reason=engine_message(error))
        return
    trial.results = outcome.rule_results
    trial.matched = {f"{table}/{rule}" for table, rules in outcome.matched_rules for rule in rules}


@bp.post("/upload/test")
@require_roles(*DEPLOY_ROLES)
def test_decision() -> Any:
    form = FlaskForm()  # the CSRF token only: the fields depend on the file
    source, filename = request.form.get("source", ""), request.form.get("filename", "decision.dmn")
    try:
        definitions = definitions_from_text(source, filename)
    except DmnError as error:
        return render_template("designer/trial.html", trial=None, form=form, error=engine_message(error)), 400
    trial = Trial(filename, source, trial_decisions(definitions), request.form.get("decision", ""))
    decision = next((d for d in trial.decisions if d.decision_id == trial.decision_id), None)
    if not form.validate_on_submit() or decision is None:
        return render_template("designer/trial.html", trial=trial, form=form, error=_("Choose a decision.")), 400
    trial.values = {key[3:]: value for key, value in request.form.items() if key.startswith("in-")}
    _run(trial, decision)
    return render_template("designer/trial.html", trial=trial, form=form, error=""), 400 if trial.error else 200
