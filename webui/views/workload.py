"""The team workload (team leads, managers): open tasks per person and unassigned per group, by traffic light;
reassign several tasks of a person (or group) at once. The all-tasks list posts to the same reassign action."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from engine.domain.errors import ComplaintflowError, FormValidationError, NotFound, PermissionDenied
from engine.domain.roles import WORKLOAD_ROLES
from engine.services.casework import workload as bulk
from engine.store import workload
from engine.store.users import Group
from webui.auth import actor, require_roles
from webui.db import db, now
from webui.diagram_text import titles_for
from webui.engine_text import engine_message
from webui.formatting import person
from webui.labels import label
from webui.views.cockpit_instances import reassign_choices

bp = Blueprint("workload", __name__, url_prefix="/tasks")


class ReassignForm(FlaskForm):
    """Only the CSRF token: the chosen task ids and the target are read from the request as lists."""


def _end_of_today() -> datetime:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(now().astimezone(zone).date(), time(23, 59, 59), tzinfo=zone)


@bp.route("/workload")
@require_roles(*WORKLOAD_ROLES)
def team() -> Any:
    """Everyone's open tasks; with ``?person=`` or ``?group=`` their tasks to reassign."""
    session = db()
    people, unassigned = workload.workload(session, now(), _end_of_today())
    person = request.args.get("person") or None
    group = None if person else (request.args.get("group") or None)
    tasks: list[Any] = []
    users: list[str] = []
    groups: list[str] = []
    if person or group:
        if group is not None and session.query(Group.id).filter(Group.name == group).first() is None:
            abort(404)
        tasks = list(workload.tasks_of(session, person, group))
        choices = reassign_choices([task for task, _complaint in tasks])
        # Offered: whoever may work at least one of the tasks; the service refuses a task they may not.
        users = sorted({name for names, _groups in choices.values() for name in names} - {person or ""})
        groups = sorted({name for _names, names in choices.values() for name in names})
    return render_template(
        "tasks/workload.html",
        people=people,
        unassigned=unassigned,
        person=person,
        group=group,
        tasks=tasks,
        titles=titles_for(session, [task for task, _complaint in tasks]),
        users=users,
        groups=groups,
        form=ReassignForm(),
    )


def _back() -> str:
    # Only a path of this app: the form says where it was sent from.
    target = request.form.get("next", "")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/tasks/"):
        return url_for("workload.team")
    return target


@bp.post("/reassign")
@require_roles(*WORKLOAD_ROLES)
def reassign() -> Response:
    """Several tasks to one person or group at once; all or none."""
    if not ReassignForm().validate_on_submit():
        abort(400)
    task_ids = request.form.getlist("task_ids")
    kind, _sep, name = request.form.get("target", "").partition(":")
    if not task_ids:
        flash(_("Choose at least one task."), "error")
        return redirect(_back())
    if kind not in ("user", "group") or not name:
        flash(_("Choose a user or a group."), "error")
        return redirect(_back())
    # The target as people know it: a colleague's display name, a group's label.
    shown = person(name) if kind == "user" else label(name, "group")
    try:
        done = bulk.reassign_tasks(
            db(),
            actor(),
            task_ids,
            now(),
            user=name if kind == "user" else None,
            group=name if kind == "group" else None,
        )
    except PermissionDenied:
        flash(_("%(name)s may not work on every chosen task; nothing was reassigned.", name=shown), "error")
    except (NotFound, FormValidationError):
        flash(_("A chosen task or the target no longer exists; nothing was reassigned."), "error")
    except ComplaintflowError as problem:
        flash(_("Nothing was reassigned: %(reason)s", reason=engine_message(problem)), "error")
    else:
        message = ngettext(
            "%(num)d task reassigned to %(name)s.", "%(num)d tasks reassigned to %(name)s.", len(done), name=shown
        )
        flash(message, "success")
    return redirect(_back())
