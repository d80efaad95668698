"""Task lists: my tasks, my groups' tasks and (for supervisors) all open tasks, with filters and saved filters."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import DateField, SearchField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from engine.domain.errors import FormValidationError, NotFound
from engine.domain.roles import ALL_TASKS_ROLES, WORKLOAD_ROLES
from engine.services.casework import saved_filters
from engine.services.regulation import views as regulation_views
from engine.store import tasklist
from engine.store.casework import SUBTASK_OPEN, Subtask
from engine.store.complaints import CHANNELS, PRIORITIES, Complaint
from webui.auth import actor, require_case_worker, require_roles
from webui.choices import options
from webui.db import db, now
from webui.diagram_text import titles_for
from webui.formatting import CHANNEL_LABELS, LIGHT_LABELS, PRIORITY_LABELS
from webui.labels import label
from webui.views.cockpit_instances import reassign_choices

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

FILTER_KEYS = ("q", "priority", "category", "channel", "light", "due_before", "assigned", "sort")
SCOPE_ENDPOINTS = {"mine": "tasks.my_tasks", "groups": "tasks.group_tasks", "all": "tasks.all_tasks"}


class FilterForm(FlaskForm):
    """The filter bar (GET, no state change, so no CSRF token)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    priority = SelectField(_l("Priority"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    channel = SelectField(_l("Channel"), validators=[Optional()])
    light = SelectField(_l("SLA"), validators=[Optional()])
    due_before = DateField(_l("Due before"), validators=[Optional()])
    assigned = SelectField(_l("Assignment"), validators=[Optional()])
    sort = SelectField(_l("Sort by"), validators=[Optional()])


class SaveFilterForm(FlaskForm):
    name = StringField(_l("Name of this filter"), validators=[DataRequired(), Length(max=100)])


def _filter_form(args: MultiDict[str, str]) -> FilterForm:
    form = FilterForm(formdata=args)
    anything = [("", _("Any"))]
    form.priority.choices = options(anything + [(p, str(PRIORITY_LABELS[p])) for p in PRIORITIES])
    categories = tasklist.distinct_values(db(), Complaint.category)
    form.category.choices = options(anything + [(c, label(c, "category")) for c in categories])
    form.channel.choices = options(anything + [(c, str(CHANNEL_LABELS[c])) for c in CHANNELS])
    form.light.choices = options(anything + [(light, str(LIGHT_LABELS[light])) for light in tasklist.LIGHTS])
    form.assigned.choices = options(anything + [("assigned", _("Assigned")), ("unassigned", _("Unassigned"))])
    form.sort.choices = options([("due", _("Due date")), ("priority", _("Priority")), ("age", _("Age"))])
    return form


def _end_of_day(day: Any) -> datetime:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone)


def criteria_from(scope: str, args: dict[str, Any], page: int = 1) -> tasklist.TaskListCriteria:
    """List criteria from filter arguments (query string or a saved filter); bad values are ignored."""
    user = actor()
    due_before = None
    if args.get("due_before"):
        try:
            due_before = _end_of_day(datetime.strptime(str(args["due_before"]), "%Y-%m-%d").date())
        except ValueError:
            due_before = None

    def choice(key: str, allowed: tuple[str, ...]) -> str | None:
        value = str(args.get(key) or "")
        return value if value in allowed else None

    return tasklist.TaskListCriteria(
        username=user.username,
        groups=tuple(sorted(user.groups)),
        scope=scope,
        priority=choice("priority", PRIORITIES),
        category=str(args.get("category") or "")[:50] or None,
        channel=choice("channel", CHANNELS),
        light=choice("light", tasklist.LIGHTS),
        due_before=due_before,
        assigned=choice("assigned", ("assigned", "unassigned")),
        q=str(args.get("q") or "")[:200] or None,
        sort=choice("sort", tasklist.SORTS) or "due",
        page=page,
    )


def _render(scope: str, title: str) -> Any:
    form = _filter_form(request.args)
    form.validate()
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    args = {key: value for key, value in request.args.items() if key in FILTER_KEYS and value}
    if form.due_before.errors:
        args.pop("due_before", None)
    criteria = criteria_from(scope, args, page)
    session, moment = db(), now()
    counts = tasklist.summary(session, criteria, moment)
    total, capped = counts.total, counts.capped
    rows = tasklist.list_page(session, criteria, moment)
    # Beyond the counting cap the last page is unknown: offer "next" while pages come back full.
    pages = None if capped else max(1, -(-total // criteria.per_page))
    has_next = len(rows) == criteria.per_page and (capped or page < (pages or 1))
    saved = []
    for item in saved_filters.list_filters(session, actor()):
        item_scope = str(item.criteria.get("scope", "mine"))
        if item_scope not in SCOPE_ENDPOINTS:
            continue
        if item_scope == "all" and not current_user.has_role(*ALL_TASKS_ROLES):
            continue
        counted = tasklist.count(
            session, criteria_from(item_scope, item.criteria), moment, tasklist.SAVED_FILTER_COUNT_CAP
        )
        link = url_for(SCOPE_ENDPOINTS[item_scope], **{k: v for k, v in item.criteria.items() if k in FILTER_KEYS})
        saved.append((item, link, counted))
    subtasks: list[Subtask] = []
    if scope == "mine":
        subtasks = list(
            session.scalars(
                select(Subtask)
                .where(Subtask.assignee == current_user.username, Subtask.status == SUBTASK_OPEN)
                .order_by(Subtask.due_at)
            )
        )
    bulk_users: list[str] = []
    bulk_groups: list[str] = []
    if scope == "all" and rows and current_user.has_role(*WORKLOAD_ROLES):
        # Several tasks to one person at once: whoever may work at least one of them (the service checks each).
        choices = reassign_choices([row.task for row in rows])
        bulk_users = sorted({name for names, _groups in choices.values() for name in names})
        bulk_groups = sorted({name for _names, names in choices.values() for name in names})
    return render_template(
        "tasks/list.html",
        bulk_users=bulk_users,
        bulk_groups=bulk_groups,
        title=title,
        scope=scope,
        form=form,
        rows=rows,
        titles=titles_for(session, [row.task for row in rows]),
        legal=regulation_views.next_deadlines(session, [row.task.instance_id for row in rows], moment),
        total=total,
        page=page,
        pages=pages,
        has_next=has_next,
        lights=counts.lights,
        capped=capped,
        saved=saved,
        save_form=SaveFilterForm(),
        filter_args=args,
        subtasks=subtasks,
        endpoint=SCOPE_ENDPOINTS[scope],
    )


@bp.route("/mine")
@require_case_worker
def my_tasks() -> Any:
    return _render("mine", _("My tasks"))


@bp.route("/groups")
@require_case_worker
def group_tasks() -> Any:
    return _render("groups", _("My groups' tasks"))


@bp.route("/all")
@require_roles(*ALL_TASKS_ROLES)
def all_tasks() -> Any:
    return _render("all", _("All open tasks"))


@bp.route("/filters", methods=["POST"])
@require_case_worker
def save_filter() -> Response:
    scope = request.args.get("scope", "mine")
    if scope not in SCOPE_ENDPOINTS:
        abort(400)
    criteria = {key: value for key, value in request.args.items() if key in FILTER_KEYS and value}
    form = SaveFilterForm()
    if not form.validate_on_submit():
        flash(_("Give the filter a name (at most 100 characters)."), "error")
        return redirect(url_for(SCOPE_ENDPOINTS[scope], **criteria))  # type: ignore[arg-type]
    try:
        saved_filters.save_filter(db(), actor(), form.name.data or "", {"scope": scope, **criteria}, now())
    except FormValidationError as error:
        flash(" ".join(error.errors.values()), "error")
    else:
        flash(_("Filter saved."), "success")
    return redirect(url_for(SCOPE_ENDPOINTS[scope], **criteria))  # type: ignore[arg-type]


@bp.route("/filters/<int:filter_id>/delete", methods=["POST"])
@require_case_worker
def delete_filter(filter_id: int) -> Response:
    try:
        saved_filters.delete_filter(db(), actor(), filter_id, now())
    except NotFound:
        abort(404)
    flash(_("Filter deleted."), "success")
    return redirect(url_for("tasks.my_tasks"))
