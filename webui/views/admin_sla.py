"""Administration of SLA targets: the sla_targets decision as rules by channel and priority; DMN download, upload."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from engine.bpmn.sla_table import SlaRule
from engine.domain.calendars import display_name, known_calendars
from engine.domain.errors import DeploymentError, FormValidationError
from engine.domain.roles import ROLE_ADMIN
from engine.services.designer.deployment import decode_upload
from engine.services.sla import sla_targets
from engine.services.sla.business_calendars import sync_registry
from engine.store.complaints import CHANNELS, PRIORITIES
from webui.auth import actor, require_roles
from webui.db import db, now
from webui.durations import parse_position, parse_target
from webui.engine_text import engine_message

bp = Blueprint("admin_sla", __name__, url_prefix="/admin/sla")
MAX_RULES = 40


def _rules_from_form() -> list[SlaRule]:
    """The posted rows in their chosen order; an empty or deleted row is left out."""
    rows = []
    for index in range(1, MAX_RULES + 1):
        prefix = f"rule_{index}_"
        first, resolution = (request.form.get(prefix + name, "").strip() for name in ("first_response", "resolution"))
        if request.form.get(prefix + "delete") or (prefix + "first_response") not in request.form:
            continue
        if not first and not resolution and not request.form.get(prefix + "description", "").strip():
            continue  # the empty row for a new rule
        channels = tuple(request.form.getlist(prefix + "channels"))
        rule = SlaRule(
            priority=request.form.get(prefix + "priority") or None,
            channels=channels or None,
            first_response=_target(first),
            resolution=_target(resolution),
            calendar=request.form.get(prefix + "calendar") or "default",
            description=request.form.get(prefix + "description", "").strip()[:200],
        )
        position = parse_position(request.form.get(prefix + "position", ""), index)
        rows.append((position, index, rule))
    return [rule for _position, _index, rule in sorted(rows, key=lambda row: (row[0], row[1]))]


def _target(text: str) -> str:
    """A target typed in the user's language (``2,5 Arbeitsstunden``) in the engine's spelling; text that is no
    target stays as typed, so the engine's check names it and the form shows it again."""
    try:
        return parse_target(text)
    except ValueError:
        return text


def _page(rules: list[SlaRule] | None, errors: dict[str, str], status: int = 200) -> Any:
    sync_registry(db())
    table = sla_targets.current_table(db(), actor())
    shown = rules if rules is not None else table.rules
    effective = sla_targets.effective_targets(table.rules) if table.rules else {}
    page = render_template(
        "admin/sla_targets.html",
        table=table,
        rules=shown,
        errors=errors,
        effective=effective,
        channels=CHANNELS,
        priorities=PRIORITIES,
        calendars=sorted({display_name(name) for name in known_calendars()}),
        form=FlaskForm(),
    )
    return page, status


@bp.route("/", methods=["GET", "POST"])
@require_roles(ROLE_ADMIN)
def targets() -> Any:
    """The effective targets by channel and priority, the rules to edit, and the DMN for the modeller."""
    if request.method == "GET":
        return _page(None, {})
    if not FlaskForm().validate_on_submit():
        return _page(None, {"rules": _("The form expired; please try again.")}, 400)
    rules = _rules_from_form()
    try:
        results = sla_targets.save_rules(db(), actor(), rules, now())
    except FormValidationError as error:
        db().rollback()
        return _page(rules, {key: engine_message(text) for key, text in error.errors.items()}, 422)
    except DeploymentError as error:
        db().rollback()
        return _page(rules, {"rules": engine_message(error)}, 422)
    versions = ", ".join(f"{result.process_key} v{result.version}" for result in results)
    flash(_("SLA targets deployed: %(versions)s. New complaints use them.", versions=versions), "success")
    return redirect(url_for("admin_sla.targets"))


@bp.route("/sla_targets.dmn")
@require_roles(ROLE_ADMIN)
def download() -> Any:
    table = sla_targets.current_table(db(), actor())
    response = Response(table.resource.content, mimetype="application/xml")
    response.headers["Content-Disposition"] = 'attachment; filename="sla_targets.dmn"'
    return response


@bp.route("/upload", methods=["POST"])
@require_roles(ROLE_ADMIN)
def upload() -> Any:
    if not FlaskForm().validate_on_submit():
        return _page(None, {"upload": _("The form expired; please try again.")}, 400)
    file = request.files.get("file")
    if file is None or not file.filename:
        return _page(None, {"upload": _("Choose a .dmn file.")}, 422)
    try:
        resource = decode_upload(file.filename, file.read())
        results = sla_targets.upload_table(db(), actor(), resource, now())
    except DeploymentError as error:
        db().rollback()
        return _page(None, {"upload": engine_message(error)}, 422)
    versions = ", ".join(f"{result.process_key} v{result.version}" for result in results)
    flash(_("SLA targets deployed: %(versions)s. New complaints use them.", versions=versions), "success")
    return redirect(url_for("admin_sla.targets"))
