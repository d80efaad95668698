"""Cockpit instance actions (suspend, resume, cancel with confirmation, reassign a task) and the heatmap.

Routes hang on the cockpit blueprint (``cockpit.*`` endpoints, same roles). Each action is a POST with the CSRF
token; ``engine.services.instances.control`` checks the role again, writes the audit entry and commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from designer_export import api as designer_api
from engine.domain.errors import ComplaintflowError, NotFound, PermissionDenied
from engine.domain.roles import COCKPIT_ROLES
from engine.services.instances import control as instance_control
from engine.store import heatmap, monitoring
from engine.store.models import HumanTask, ProcessDefinition
from engine.store.users import Group, User
from webui.auth import actor, require_roles
from webui.db import db, now
from webui.diagram_text import element_names
from webui.engine_text import engine_message
from webui.heatmap_svg import duration_text, overlay
from webui.query_args import day_arg
from webui.views.cockpit_blueprint import bp


def _back(instance_id: int) -> WerkzeugResponse:
    return redirect(url_for("cockpit.instance", instance_id=instance_id))


def reassign_choices(tasks: Sequence[HumanTask]) -> dict[str, tuple[list[str], list[str]]]:
    """Per open task: the active users who may work it (members of its groups or named candidates, minus the
    four-eyes exclusions and the current assignee), and every group (a task may move to another team)."""
    session = db()
    all_groups = list(session.scalars(select(Group.name).order_by(Group.name)))
    choices = {}
    for task in tasks:
        groups = list(task.candidate_groups or ())
        members = select(User.username).join(User.groups).where(Group.name.in_(groups or [""]))
        named = select(User.username).where(User.username.in_(list(task.candidate_users or ()) or [""]))
        names = set(session.scalars(members.where(User.active.is_(True))))
        names |= set(session.scalars(named.where(User.active.is_(True))))
        names -= set(task.excluded_users or ()) | {task.assignee or ""}
        choices[task.id] = (sorted(names), all_groups)
    return choices


@bp.post("/instances/<int:instance_id>/suspend")
@require_roles(*COCKPIT_ROLES)
def suspend(instance_id: int) -> WerkzeugResponse:
    try:
        instance_control.suspend_instance(db(), actor(), instance_id, now(), request.form.get("reason"))
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)
    except ComplaintflowError as error:
        flash(engine_message(error), "error")
    else:
        flash(_("The instance is suspended: no timer fires and its tasks wait until it is resumed."), "success")
    return _back(instance_id)


@bp.post("/instances/<int:instance_id>/resume")
@require_roles(*COCKPIT_ROLES)
def resume(instance_id: int) -> WerkzeugResponse:
    try:
        result = instance_control.resume_instance(db(), actor(), instance_id, now())
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)
    except ComplaintflowError as error:
        flash(engine_message(error), "error")
    else:
        flash(_("The instance is resumed; it is %(status)s.", status=result.status), "success")
    return _back(instance_id)


@bp.route("/instances/<int:instance_id>/cancel", methods=["GET", "POST"])
@require_roles(*COCKPIT_ROLES)
def cancel(instance_id: int) -> str | tuple[str, int] | WerkzeugResponse:
    """GET asks for confirmation and a reason; POST cancels (the reason is required)."""
    detail = monitoring.instance_detail(db(), instance_id)
    if detail is None:
        abort(404)
    error = None
    if request.method == "POST":
        try:
            instance_control.cancel_instance(db(), actor(), instance_id, request.form.get("reason", ""), now())
        except PermissionDenied:
            abort(403)
        except ComplaintflowError as problem:
            error = engine_message(problem)
        else:
            flash(_("The instance is cancelled."), "success")
            return _back(instance_id)
    page = render_template("cockpit/instance_cancel.html", detail=detail, error=error)
    return (page, 400) if error else page


@bp.post("/tasks/<task_id>/reassign")
@require_roles(*COCKPIT_ROLES)
def reassign(task_id: str) -> WerkzeugResponse:
    task = db().get(HumanTask, task_id)
    if task is None:
        abort(404)
    instance_id = task.instance_id
    target = request.form.get("target", "")
    kind, _sep, name = target.partition(":")
    try:
        if kind not in ("user", "group") or not name:
            raise ComplaintflowError(_("Choose a user or a group."))
        instance_control.reassign_task(
            db(),
            actor(),
            task_id,
            now(),
            user=name if kind == "user" else None,
            group=name if kind == "group" else None,
        )
    except ComplaintflowError as problem:  # includes the four-eyes refusal
        flash(engine_message(problem), "error")
    else:
        flash(_("The task was reassigned and %(name)s notified.", name=name), "success")
    return _back(instance_id)


@bp.get("/heatmap")
@require_roles(*COCKPIT_ROLES)
def heatmap_view() -> str:
    """Per element of one version: instances passed, waiting now, average stay; on the diagram and as a table."""
    session = db()
    definitions = session.scalars(
        select(ProcessDefinition).order_by(ProcessDefinition.process_key, ProcessDefinition.version.desc())
    ).all()
    chosen = request.args.get("definition", "").strip()
    if chosen and not chosen.isdigit():
        abort(400)
    definition = (
        next((d for d in definitions if d.id == int(chosen)), None)
        if chosen
        else (definitions[0] if definitions else None)
    )
    if chosen and definition is None:
        abort(404)
    first, last = day_arg("start"), day_arg("end")
    if first and last and last < first:
        abort(400)
    start = datetime.combine(first, time(), UTC) if first else None
    end = datetime.combine(last + timedelta(days=1), time(), UTC) if last else None
    figures = heatmap.element_figures(session, definition.id, start, end) if definition else []
    diagram = (
        overlay(designer_api.version_svg(session, definition, names=element_names(session, definition.id)), figures)
        if definition
        else ""
    )
    return render_template(
        "cockpit/heatmap.html",
        definitions=definitions,
        definition=definition,
        figures=figures,
        diagram=diagram,
        names={**designer_api.version_element_names(definition), **element_names(session, definition.id)}
        if definition
        else {},
        start=first,
        end=last,
        duration=duration_text,
    )
