"""Administration: users, their roles and groups; groups and departments; reply templates."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from engine.domain.errors import FormValidationError, NotFound
from engine.domain.roles import ROLE_ADMIN, ROLES, TEMPLATE_EDITOR_ROLES
from engine.services.casework import customer_contact
from engine.services.users import accounts as user_service
from engine.store.casework import ReplyTemplate
from webui.auth import actor, require_roles
from webui.case_forms import apply_errors
from webui.choices import language_options, options
from webui.db import db, now
from webui.formatting import ROLE_LABELS

bp = Blueprint("admin", __name__, url_prefix="/admin")  # not a role: the blueprint name


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=63)])
    display_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=500)])
    language = SelectField(_l("Language"), choices=language_options())
    roles = CheckboxList(_l("Roles"))
    groups = CheckboxList(_l("Groups"))
    active = BooleanField(_l("May sign in"), default=True)


class GroupForm(FlaskForm):
    name = StringField(_l("Name (as in the process lanes)"), validators=[DataRequired(), Length(max=63)])
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=200)])
    is_department = BooleanField(_l("Department (receives hand-overs)"))


class TemplateForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    language = SelectField(_l("Language"), choices=language_options())
    category = StringField(_l("Category"), validators=[Optional(), Length(max=50)])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=10_000)])


def _user_form(**kwargs: Any) -> UserForm:
    form = UserForm(**kwargs)
    form.roles.choices = options((role, str(ROLE_LABELS[role])) for role in ROLES)
    form.groups.choices = options((g.name, f"{g.label} ({g.name})") for g in user_service.list_groups(db()))
    return form


def _user_data(form: UserForm, password_required: bool) -> user_service.UserData:
    return user_service.UserData(
        username=(form.username.data or "").strip().lower(),
        display_name=form.display_name.data or "",
        email=form.email.data or None,
        password=form.password.data or (None if not password_required else ""),
        language=form.language.data or "en",
        roles=tuple(form.roles.data or ()),
        groups=tuple(form.groups.data or ()),
        active=bool(form.active.data),
    )


@bp.route("/users")
@require_roles(ROLE_ADMIN)
def users() -> Any:
    return render_template("admin/users.html", users=user_service.list_users(db()))


@bp.route("/users/new", methods=["GET", "POST"])
@require_roles(ROLE_ADMIN)
def new_user() -> Any:
    form = _user_form()
    if form.validate_on_submit():
        try:
            user_service.create_user(db(), actor(), _user_data(form, True), now())
        except FormValidationError as error:
            apply_errors(form, error.errors)
        else:
            flash(_("User %(name)s created.", name=form.username.data), "success")
            return redirect(url_for("admin.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<username>", methods=["GET", "POST"])
@require_roles(ROLE_ADMIN)
def edit_user(username: str) -> Any:
    try:
        user = user_service.get_user(db(), username)
    except NotFound:
        abort(404)
    if request.method == "GET":
        form = _user_form(obj=user)
        form.roles.data = user.roles
        form.groups.data = user.group_names
    else:
        form = _user_form()
        form.username.data = user.username
        if form.validate_on_submit():
            try:
                user_service.update_user(db(), actor(), _user_data(form, False), now())
            except FormValidationError as error:
                apply_errors(form, error.errors)
            else:
                flash(_("User %(name)s saved.", name=user.username), "success")
                return redirect(url_for("admin.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=user), status


@bp.route("/groups", methods=["GET", "POST"])
@require_roles(ROLE_ADMIN)
def groups() -> Any:
    form = GroupForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user_service.save_group(
                    db(), actor(), form.name.data or "", form.label.data or "", bool(form.is_department.data), now()
                )
            except FormValidationError as error:
                apply_errors(form, error.errors)
            else:
                flash(_("Group saved."), "success")
                return redirect(url_for("admin.groups"))
        status = 422
    return render_template("admin/groups.html", form=form, groups=user_service.list_groups(db())), status


@bp.route("/templates")
@require_roles(*TEMPLATE_EDITOR_ROLES)
def templates() -> Any:
    return render_template("admin/templates.html", templates=customer_contact.templates_for(db()))


@bp.route("/templates/new", methods=["GET", "POST"])
@require_roles(*TEMPLATE_EDITOR_ROLES)
def new_template() -> Any:
    return _template_form(None)


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@require_roles(*TEMPLATE_EDITOR_ROLES)
def edit_template(template_id: int) -> Any:
    return _template_form(template_id)


def _template_form(template_id: int | None) -> Any:
    template = db().get(ReplyTemplate, template_id) if template_id else None
    if template_id and template is None:
        abort(404)
    form = TemplateForm(obj=template if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            customer_contact.save_template(db(), actor(), template_id, dict(form.data), now())
        except FormValidationError as error:
            apply_errors(form, error.errors)
        else:
            flash(_("Reply template saved."), "success")
            return redirect(url_for("admin.templates"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/template_form.html", form=form, template=template), status
