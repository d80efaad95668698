"""The regulation packs on the case page: letters as sent (print view and PDF), reasons for missed deadlines."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from engine.domain.errors import FormValidationError, NotFound
from engine.services.regulation import clock
from engine.services.regulation.views import letter_of
from webui.auth import actor, require_case_worker
from webui.case_access import visible_complaint
from webui.db import db, now

bp = Blueprint("regulation", __name__, url_prefix="/cases")
log = logging.getLogger("complaintflow.web.regulation")
# The letter is our own sandboxed template with escaped values: its inline print styles may apply, nothing else.
LETTER_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


class BreachReasonForm(FlaskForm):
    """Why a legal deadline was missed."""

    reason = TextAreaField(_l("Why was the deadline missed?"), validators=[DataRequired(), Length(min=3, max=2000)])


@bp.route("/<reference>/letters/<int:letter_id>")
@require_case_worker
def letter(reference: str, letter_id: int) -> Any:
    """The letter exactly as it was sent, to read or print (the browser's print dialog, A4 print styles)."""
    found = letter_of(db(), visible_complaint(reference), letter_id)
    if found is None:
        abort(404)
    response = Response(found.html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = LETTER_POLICY
    return response


@bp.route("/<reference>/letters/<int:letter_id>.pdf")
@require_case_worker
def letter_pdf(reference: str, letter_id: int) -> Any:
    """The letter as a PDF made from the stored HTML with WeasyPrint (the print view where it cannot load)."""
    found = letter_of(db(), visible_complaint(reference), letter_id)
    if found is None:
        abort(404)
    try:
        from weasyprint import HTML  # noqa: PLC0415 - loads Pango; only needed here
    except (ImportError, OSError):
        log.warning("WeasyPrint cannot load (Pango missing?); answering with the printable page")
        return redirect(url_for("regulation.letter", reference=reference, letter_id=letter_id))
    pdf = HTML(string=found.html).write_pdf()
    name = f"{reference}-{found.letter}-{found.id}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.route("/<reference>/deadlines/<int:deadline_id>/reason", methods=["POST"])
@require_case_worker
def breach_reason(reference: str, deadline_id: int) -> Any:
    """Record why a legal deadline was missed."""
    complaint = visible_complaint(reference)
    form = BreachReasonForm()
    if form.validate_on_submit():
        try:
            clock.record_breach_reason(db(), actor(), deadline_id, form.reason.data or "", now(), complaint.id)
        except NotFound:
            abort(404)
        except FormValidationError as error:
            db().rollback()
            flash(_("The reason was not saved: %(problem)s", problem="; ".join(error.errors.values())), "error")
        else:
            flash(_("The reason for the missed deadline is recorded."), "success")
    else:
        flash(_("Write 3 to 2000 characters: why was the deadline missed?"), "error")
    return redirect(url_for("cases.show", reference=reference, _anchor="legal-deadlines"))
