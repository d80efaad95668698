"""Data protection pages for admins: find a customer, preview and download their data, erase them, and the
retention clean-up (preview and run). Managers, team leads and agents get 403; every action is a POST with a
CSRF token, and the services check the admin role again and write the audit entries.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import BooleanField
from wtforms.validators import DataRequired

from engine.domain.errors import ComplaintflowError, InvalidState, NotFound, PermissionDenied
from engine.domain.roles import ROLE_ADMIN
from engine.services.privacy import data_export as data_protection
from engine.services.privacy import erasure, retention
from webui.auth import actor, require_roles
from webui.db import db, now
from webui.engine_text import engine_message

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


class ConfirmForm(FlaskForm):
    """Erasure cannot be undone: the admin ticks a box first."""

    confirm = BooleanField(validators=[DataRequired()])


class ActionForm(FlaskForm):
    """Only the CSRF token (export, retention run)."""


def _retention_days() -> int | None:
    days: int | None = current_app.extensions["complaintflow"].settings.retention_days
    return days


@bp.get("/")
@require_roles(ROLE_ADMIN)
def index() -> str:
    query = request.args.get("q", "").strip()
    customers = erasure.find_customers(db(), query) if query else []
    return render_template("privacy/index.html", query=query, customers=customers, days=_retention_days())


@bp.get("/customers/<int:customer_id>")
@require_roles(ROLE_ADMIN)
def customer(customer_id: int) -> str:
    session = db()
    try:
        preview = erasure.preview_erasure(session, actor(), customer_id)
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    summary = data_protection.export_summary(session, preview.customer)
    return render_template(
        "privacy/customer.html", preview=preview, summary=summary, form=ConfirmForm(), action_form=ActionForm()
    )


@bp.post("/customers/<int:customer_id>/export")
@require_roles(ROLE_ADMIN)
def export(customer_id: int) -> Response:
    """The JSON file; the export is audited (customer id and counts only) before it is handed out."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        data = data_protection.export_customer(db(), actor(), customer_id, now())
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    response = Response(json.dumps(data, ensure_ascii=False, indent=1), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="customer-{customer_id}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/customers/<int:customer_id>/erase")
@require_roles(ROLE_ADMIN)
def erase(customer_id: int) -> WerkzeugResponse:
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to confirm the erasure; nothing was changed."), "error")
        return redirect(url_for("privacy.customer", customer_id=customer_id))
    try:
        result = erasure.erase_customer(db(), actor(), customer_id, now())
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    except InvalidState as error:
        flash(_("Not erased: %(reason)s", reason=engine_message(error)), "error")
    else:
        flash(
            _(
                "The customer's personal data was erased; %(count)s complaint(s) keep their statistics under "
                "the pseudonym %(pseudonym)s.",
                count=result.complaints,
                pseudonym=result.pseudonym,
            ),
            "success",
        )
    return redirect(url_for("privacy.customer", customer_id=customer_id))


@bp.get("/retention")
@require_roles(ROLE_ADMIN)
def retention_preview() -> str:
    days = _retention_days()
    report = retention.run_retention(db(), actor(), days, now(), dry_run=True) if days else None
    return render_template("privacy/retention.html", days=days, report=report, form=ActionForm())


@bp.post("/retention/run")
@require_roles(ROLE_ADMIN)
def retention_run() -> WerkzeugResponse:
    days = _retention_days()
    if not ActionForm().validate_on_submit():
        abort(400)
    if not days:
        flash(_("No retention period is set (COMPLAINTFLOW_RETENTION_DAYS); nothing was changed."), "error")
        return redirect(url_for("privacy.retention_preview"))
    try:
        report = retention.run_retention(db(), actor(), days, now())
    except ComplaintflowError as error:
        flash(engine_message(error), "error")
    else:
        flash(
            _(
                "%(done)s complaint(s) pseudonymised, %(failed)s failed.",
                done=len(report.done),
                failed=len(report.failed),
            ),
            "success" if not report.failed else "error",
        )
    return redirect(url_for("privacy.retention_preview"))
