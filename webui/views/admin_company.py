"""Administration of the company name on letters and e-mails (engine.services.company): shown with where it comes
from, changed by an admin, every change audited."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from engine.domain.errors import FormValidationError
from engine.domain.roles import ROLE_ADMIN
from engine.services import company
from webui.auth import actor, require_roles
from webui.db import db, now

bp = Blueprint("admin_company", __name__, url_prefix="/admin/company")


class CompanyForm(FlaskForm):
    company_name = StringField(
        _l("Company name"), validators=[DataRequired(), Length(max=company.MAX_LENGTH)], render_kw={"maxlength": 200}
    )


def _page(form: CompanyForm, status: int = 200) -> Any:
    session = db()
    stored, default = company.stored_company_name(session), company.default_company_name(session)
    if stored:
        source = _("set here by an admin")
    elif default:
        source = _("default from COMPLAINTFLOW_COMPANY_NAME")
    else:
        fallback = company.FALLBACK
        source = _("not set: letters are signed “%(fallback)s”, e-mails with the sender name", fallback=fallback)
    in_force = stored or default or company.FALLBACK
    return render_template("admin/company.html", form=form, in_force=in_force, source=source), status


@bp.get("/")
@require_roles(ROLE_ADMIN)
def index() -> Any:
    return _page(CompanyForm(company_name=company.company_name(db()) or ""))


@bp.post("/")
@require_roles(ROLE_ADMIN)
def save() -> Any:
    form = CompanyForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        company.set_company_name(db(), actor(), form.company_name.data or "", now())
    except FormValidationError:
        form.company_name.errors = [_("One line of at most 200 printable characters.")]
        return _page(form, 422)
    flash(_("Company name saved: new letters and e-mails carry it."), "success")
    return redirect(url_for("admin_company.index"))
