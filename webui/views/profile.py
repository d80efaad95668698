"""The signed-in user's own settings: the UI language."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import force_locale, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField

from engine.services.users import accounts as user_service
from webui.auth import actor
from webui.choices import language_options
from webui.db import db, now

bp = Blueprint("profile", __name__, url_prefix="/profile")


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=language_options())


@bp.route("/", methods=["GET", "POST"])
@login_required
def settings() -> Any:
    form = LanguageForm(data={"language": current_user.language})
    if form.validate_on_submit():
        language = form.language.data or "en"
        user_service.set_language(db(), actor(), language, now())
        refresh()
        # This request's user still carries the old language: say it in the one just chosen.
        with force_locale(language):
            flash(_("Language saved."), "success")
        return redirect(url_for("profile.settings"))
    return render_template("profile.html", form=form)
