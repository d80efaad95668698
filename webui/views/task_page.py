"""The task page: the case, the task's form rendered from its fields, and claim/unclaim/complete."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from engine.bpmn.camunda_form_values import initial_data
from engine.domain.errors import (
    AlreadyCompleted,
    Conflict,
    DatabaseBusy,
    FormValidationError,
    NotFound,
    PermissionDenied,
)
from engine.domain.forms import CHECKBOX, FormField
from engine.domain.tasks import TaskAccess, is_excluded, may_claim, may_complete, may_unclaim
from engine.services.casework import tasks as task_service
from engine.store import case_queries
from engine.store.models import TASK_COMPLETED, TASK_OPEN, HumanTask
from webui.auth import actor, home_for, require_case_worker
from webui.camunda_form_view import ADD, REMOVE, change_rows, form_nodes, submitted_data
from webui.case_access import visible_task
from webui.case_forms import case_context, field_message
from webui.db import db, now
from webui.diagram_text import task_documentation, task_title, texts_for_task, translated_fields
from webui.engine_text import coded_text
from webui.formatting import CHANNEL_LABELS
from webui.labels import label
from webui.task_text import fill_documentation

bp = Blueprint("task", __name__, url_prefix="/task")


def _form_values(fields: list[FormField]) -> dict[str, Any]:
    """Submitted values of the task form; unchecked boxes say "false", read-only fields are never sent."""
    values: dict[str, Any] = {}
    for field in fields:
        if field.readonly:
            continue
        if field.kind.widget == CHECKBOX:
            values[field.id] = "true" if request.form.get(f"f_{field.id}") else "false"
        elif f"f_{field.id}" in request.form:
            values[field.id] = request.form.get(f"f_{field.id}", "")
    return values


# Process variables that hold stored ids: the documentation names them as pages do ("via API", not "via api").
_LABELLED = {
    "customer_segment": "segment", "category": "category", "outcome": "outcome", "resolution_type": "outcome",
    "root_cause": "root_cause", "product_group": "product_group", "complaint_status": "status",
}  # fmt: skip


def _name(task: HumanTask) -> str:
    """The task's name in the user's language (flash messages name it as the page does)."""
    return task_title(texts_for_task(db(), task), task)


def documentation_text(task: HumanTask, texts: dict[str, str] | None = None) -> str | None:
    """The task's documentation (in the user's language when the diagram has it) with ``{{ variable }}`` filled."""
    template = task_documentation(texts or {}, task)
    if not template:
        return None
    variables = case_queries.instance_variables(db(), task.instance_id)
    for name, kind in _LABELLED.items():
        if isinstance(variables.get(name), str) and variables[name]:
            variables[name] = label(variables[name], kind)
    if isinstance(variables.get("channel"), str):
        variables["channel"] = str(CHANNEL_LABELS.get(variables["channel"], variables["channel"]))
    return fill_documentation(template, variables)


def render_task(
    task: HumanTask,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    **bound: Any,
) -> Any:
    session = db()
    complaint = case_queries.complaint_for_instance(session, task.instance_id)
    texts = texts_for_task(session, task)
    fields = translated_fields(texts, task, task_service.task_form(task))
    camunda = task_service.camunda_form(session, task)
    camunda_nodes = None
    if camunda is not None:
        variables = case_queries.instance_variables(session, task.instance_id)
        data = values if values is not None else initial_data(camunda, variables)
        camunda_nodes = form_nodes(camunda, variables, data, errors or {})
    if values is None:
        values = {field.id: field.default for field in fields if field.default is not None}
    context = case_context(complaint, task, **bound) if complaint is not None else {"complaint": None, "now": now()}
    access = TaskAccess(
        task.assignee,
        frozenset(task.candidate_groups),
        frozenset(task.candidate_users),
        frozenset(task.excluded_users or ()),
    )
    open_task = task.status == TASK_OPEN
    may_work = open_task and may_complete(actor(), access)
    may_take = open_task and task.assignee != actor().username and may_claim(actor(), access)
    may_give_back = open_task and may_unclaim(actor(), access)
    return (
        render_template(
            "task.html",
            task=task,
            fields=fields,
            camunda_nodes=camunda_nodes,
            camunda_form_id=camunda.id if camunda is not None else "",
            values=values,
            errors={key: field_message(message) for key, message in (errors or {}).items()},
            documentation=documentation_text(task, texts),
            title=task_title(texts, task),
            may_work=may_work,
            may_take=may_take,
            may_give_back=may_give_back,
            completed=task.status == TASK_COMPLETED,
            four_eyes=open_task and is_excluded(actor().username, access),
            **context,
        ),
        status,
    )


@bp.route("/<task_id>")
@require_case_worker
def show(task_id: str) -> Any:
    return render_task(visible_task(task_id))


def _back(task: HumanTask) -> str:
    target = request.form.get("next", "")
    if target in ("tasks.group_tasks", "tasks.my_tasks", "tasks.all_tasks"):
        return url_for(target)
    return url_for("task.show", task_id=task.id)


@bp.route("/<task_id>/claim", methods=["POST"])
@require_case_worker
def claim(task_id: str) -> Response:
    task = visible_task(task_id)
    try:
        seen_unassigned = request.form.get("seen_unassigned") == "1"
        task_service.claim_task(db(), actor(), task.id, now(), seen_unassigned=seen_unassigned)
    except (Conflict, PermissionDenied) as error:
        flash(_conflict_text(task, error), "error")
        return redirect(_back(task))
    flash(_("You have claimed “%(title)s”.", title=_name(task)), "success")
    # Whoever claims a task wants to work on it: the task page, not the list it was claimed from.
    return redirect(url_for("task.show", task_id=task.id))


@bp.route("/<task_id>/unclaim", methods=["POST"])
@require_case_worker
def unclaim(task_id: str) -> Response:
    task = visible_task(task_id)
    try:
        task_service.unclaim_task(db(), actor(), task.id, now())
    except (Conflict, PermissionDenied) as error:
        flash(_conflict_text(task, error), "error")
    else:
        flash(_("“%(title)s” is back in the group's list.", title=_name(task)), "success")
    return redirect(url_for("task.show", task_id=task.id))


def four_eyes_text() -> str:
    """Why the proposer of a resolution may not approve it (the task's excludedUsers, docs/permissions.md)."""
    return _("You proposed this resolution; another team lead must approve it (four-eyes principle).")


def _conflict_text(task: HumanTask, error: Exception) -> str:
    """The error in the user's language where it is one of the known situations."""
    session = db()
    session.rollback()
    fresh = session.get(HumanTask, task.id, populate_existing=True)
    if fresh is not None and fresh.status == TASK_COMPLETED:
        return _("This task was already completed by %(user)s.", user=fresh.completed_by)
    if fresh is not None and fresh.status != TASK_OPEN:
        return _("This task is no longer open.")
    if fresh is not None and fresh.assignee and fresh.assignee != current_user.username:
        return _("This task is already claimed by %(user)s.", user=fresh.assignee)
    if fresh is not None and current_user.username in (fresh.excluded_users or ()):
        return four_eyes_text()
    if isinstance(error, PermissionDenied):
        return _("You may not do this with this task.")
    # A refusal the engine explains (a suspended task, a deadline that closed it): its own words.
    return coded_text(error) or _("Someone else changed this at the same time. Please look at the task again.")


@bp.route("/<task_id>/complete", methods=["POST"])
@require_case_worker
def complete(task_id: str) -> Any:
    task = visible_task(task_id)
    camunda = task_service.camunda_form(db(), task)
    if camunda is not None:
        values = submitted_data(camunda, request.form.get, request.form.getlist)
        if change_rows(camunda, values, request.form.get(ADD), request.form.get(REMOVE)):
            # An entry added to or removed from a dynamic list: the same form again, nothing completed.
            return render_task(task, values)
    else:
        values = _form_values(task_service.task_form(task))
    try:
        task_service.complete_task(db(), actor(), task.id, values, now())
    except FormValidationError as error:
        flash(_("Please correct the marked fields."), "error")
        return render_task(task, values, error.errors, status=422)
    except AlreadyCompleted as error:
        if error.completed_by != actor().username:
            flash(_conflict_text(task, error), "error")
            return redirect(url_for("task.show", task_id=task.id))
        # This user's own completion sent again (a double click, or nginx passing the request to the other app
        # server after the first died with it): the task is completed by them, which is what they asked for.
    except (Conflict, PermissionDenied) as error:
        flash(_conflict_text(task, error), "error")
        return redirect(url_for("task.show", task_id=task.id))
    except DatabaseBusy:
        # Nothing was saved; the form comes back as typed so that one click sends it again.
        flash(
            _(
                "The system is busy and could not save this. Nothing was saved, and your entries are kept"
                " below: please send them again in a moment."
            ),
            "error",
        )
        page, status = render_task(task, values, status=503)
        return page, status, {"Retry-After": "5"}
    except NotFound:
        abort(404)
    flash(_("Task “%(title)s” completed.", title=_name(task)), "success")
    # Back to where this user starts: agents their tasks, department staff their inbox.
    return redirect(home_for(current_user))
