"""Administration of REST API tokens: create (shown once), list with last use, revoke."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from engine.domain.errors import FormValidationError, NotFound
from engine.domain.roles import ROLE_ADMIN
from engine.services.users import accounts as user_service
from engine.services.users import api_tokens
from webui.auth import actor, require_roles
from webui.case_forms import apply_errors
from webui.choices import options
from webui.db import db, now

bp = Blueprint("admin_tokens", __name__, url_prefix="/admin/api-tokens")
_ONCE = "new_api_token"

SCOPE_LABELS = {
    "read": _l("read: look up complaints, timelines and tasks"),
    "intake": _l("intake: read, open complaints and add customer information"),
    "full": _l("full: everything the owner may do, also complete tasks and the engine API"),
}


class TokenForm(FlaskForm):
    name = StringField(_l("Name (which integration uses it)"), validators=[DataRequired(), Length(max=100)])
    owner = SelectField(_l("Owner (the token acts as this user, with the user's groups and roles)"))
    scope = SelectField(_l("Scope"), choices=options(SCOPE_LABELS.items()), default="read")
    valid_until = DateField(_l("Valid until (last day, empty: no expiry)"), validators=[Optional()])


def _form() -> TokenForm:
    form = TokenForm()
    users = [user for user in user_service.list_users(db()) if user.active]
    form.owner.choices = options((user.username, f"{user.display_name} ({user.username})") for user in users)
    return form


def _page(form: TokenForm, created: Any = None, plain: str | None = None, status: int = 200) -> Any:
    tokens = api_tokens.list_tokens(db(), actor())
    page = render_template(
        "admin/tokens.html", form=form, tokens=tokens, created=created, plain=plain, scopes=SCOPE_LABELS, now=now()
    )
    return page, status


@bp.route("/", methods=["GET", "POST"])
@require_roles(ROLE_ADMIN)
def index() -> Any:
    """The tokens; POST creates one and shows its secret on this answer only (it is never stored)."""
    form = _form()
    if not form.is_submitted():
        once = session.pop(_ONCE, None)
        if once:
            created = next((t for t in api_tokens.list_tokens(db(), actor()) if t.id == once["id"]), None)
            return _page(form, created=created, plain=once["plain"] if created else None)
        return _page(form)
    if form.validate():
        try:
            owner = user_service.get_user(db(), form.owner.data or "")
        except NotFound:
            form.owner.errors = [_("choose an active colleague")]
            return _page(form, status=422)
        until = form.valid_until.data
        expires_at = None if until is None else datetime.combine(until + timedelta(days=1), time(0), UTC)
        try:
            row, plain = api_tokens.create_token(
                db(), actor(), form.name.data or "", owner.username, now(), groups=owner.group_names,
                roles=owner.roles, scope=form.scope.data or "read", expires_at=expires_at,
            )  # fmt: skip
        except FormValidationError as error:
            db().rollback()
            apply_errors(form, error.errors, {"expires_at": "valid_until"})
        else:
            # Post/redirect/get, so a reload cannot create a second token; the secret rides along in the
            # signed session cookie for exactly the next page view and is dropped there.
            session[_ONCE] = {"id": row.id, "plain": plain}
            return redirect(url_for("admin_tokens.index"))
    return _page(form, status=422)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@require_roles(ROLE_ADMIN)
def revoke(token_id: int) -> Any:
    try:
        row = api_tokens.revoke_token(db(), actor(), token_id, now())
    except NotFound:
        abort(404)
    flash(_("Token %(name)s revoked; calls with it are refused from now on.", name=row.name), "success")
    return redirect(url_for("admin_tokens.index"))
