"""Sign-in with Flask-Login, the current user as an engine Actor, and role guards for views."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from engine.domain.actors import Actor
from engine.domain.roles import CASE_WORKER_ROLES, ROLE_ADMIN, ROLE_AGENT, ROLE_DESIGNER, ROLE_MANAGER, ROLE_TEAM_LEAD
from engine.services.users import accounts as user_service
from engine.store.users import Group, User
from webui import portal
from webui.db import db, now

F = TypeVar("F", bound=Callable[..., Any])

bp = Blueprint("auth", __name__)
login_manager = LoginManager()


@dataclass(frozen=True)
class WebUser:
    """The signed-in person for one request (Flask-Login's user object)."""

    id: int
    session_id: str
    username: str
    display_name: str
    language: str
    actor: Actor
    departments: tuple[str, ...]

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.session_id

    def has_role(self, *roles: str) -> bool:
        return bool(self.actor.roles & set(roles))

    @property
    def roles(self) -> frozenset[str]:
        return self.actor.roles

    @property
    def groups(self) -> frozenset[str]:
        return self.actor.groups


def _session_id(user: User) -> str:
    # Part of the password hash goes into the cookie: a password change signs out every other session.
    return f"{user.id}.{user.password_hash[-16:]}"


def web_user(user: User) -> WebUser:
    """Wrap a user row for the request."""
    departments = tuple(sorted(group.name for group in user.groups if group.is_department))
    return WebUser(
        user.id,
        _session_id(user),
        user.username,
        user.display_name,
        user.language,
        user_service.actor_for(user),
        departments,
    )


@login_manager.user_loader
def load_user(session_id: str) -> WebUser | None:
    user_id, _, _fingerprint = session_id.partition(".")
    if not user_id.isdigit():
        return None
    # Every signed-in request starts here: one statement with the groups and roles joined, not three.
    user = db().get(User, int(user_id), options=[joinedload(User.groups), joinedload(User.role_rows)])
    if user is None or not user.active or _session_id(user) != session_id:
        return None
    return web_user(user)


def actor() -> Actor:
    """The signed-in user as the engine sees them."""
    result: Actor = current_user.actor
    return result


def require_roles(*roles: str) -> Callable[[F], F]:
    """Only users with one of these roles; others get 403."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def require_case_worker(view: F) -> F:
    """Anyone who works on cases: agents, team leads and department members (no designers or admins only)."""

    @functools.wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not is_case_worker(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def is_case_worker(user: Any) -> bool:
    """Agents, team leads, managers and department members see task lists and cases."""
    return bool(user.has_role(*CASE_WORKER_ROLES) or user.departments)


class SignInForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=150)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)])


def _safe_next(target: str | None) -> str | None:
    """Only local paths, so a crafted link cannot send people elsewhere after signing in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_for(user: Any) -> str:
    """Where a user starts: their tasks, the department inbox, or the page their role is for."""
    if user.has_role(ROLE_AGENT, ROLE_TEAM_LEAD):
        return url_for("tasks.my_tasks")
    if user.departments:
        return url_for("inbox.department_inbox")
    if user.has_role(ROLE_MANAGER):
        # A manager has no tasks of their own: the cockpit's dashboard is their start page.
        return url_for("cockpit.dashboard")
    if user.has_role(ROLE_ADMIN):
        return url_for("admin.users")
    if user.has_role(ROLE_DESIGNER):
        return url_for("designer_pages.processes")
    return url_for("kb.index")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            user = user_service.authenticate(
                db(), form.username.data or "", form.password.data or "", request.remote_addr or "-", now()
            )
        except user_service.SignInRefused as refused:
            if refused.throttled:
                status = 429
                seconds = max(1, math.ceil(refused.retry_after.total_seconds()))
                headers["Retry-After"] = str(seconds)
                form.username.errors = [
                    ngettext(
                        "Too many failed attempts from this device. Please wait %(num)s second and try again.",
                        "Too many failed attempts from this device. Please wait %(num)s seconds and try again.",
                        seconds,
                    )
                ]
            else:
                status = 401
                form.password.errors = [_("Wrong user name or password.")]
        else:
            login_user(web_user(user))
            return redirect(_safe_next(request.args.get("next")) or home_for(current_user))
    elif request.method == "POST":
        status = 400
    return render_template("sign_in.html", form=form), status, headers


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out() -> Response:
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/")
def home() -> ResponseReturnValue:
    """Staff go to their start page; anyone else (a customer) gets the portal's welcome page."""
    if not current_user.is_authenticated:
        return portal.welcome()
    return redirect(home_for(current_user))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.register_blueprint(bp)


def department_groups() -> list[Group]:
    """Departments for hand-over choices."""
    return list(db().scalars(select(Group).where(Group.is_department.is_(True)).order_by(Group.label)))
