"""The case page and its actions: notes, hand-over to a department, replies and questions to the customer,
subtasks for colleagues."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import RequestEntityTooLarge

from engine.domain.errors import Conflict, FormValidationError, NotFound
from engine.services.casework import cases as casework
from engine.services.casework import customer_contact
from engine.store.casework import ReplyTemplate
from engine.store.complaints import Complaint
from webui.auth import actor, require_case_worker
from webui.case_access import visible_complaint, visible_task
from webui.case_forms import (
    AnswerForm,
    HandoverForm,
    InfoRequestForm,
    NoteForm,
    ReplyForm,
    SubtaskForm,
    apply_errors,
    case_context,
    end_of_day,
    fill_choices,
)
from webui.db import db, now
from webui.engine_text import engine_message
from webui.info_requests import info_unavailable_text
from webui.uploads import form_uploads, upload_error_text, upload_limits
from webui.views.task_page import render_task

bp = Blueprint("cases", __name__, url_prefix="/cases")


def _render_case(complaint: Complaint, status: int = 200, **bound: FlaskForm) -> Any:
    return render_template("case.html", **case_context(complaint, None, **bound)), status


@bp.route("/<reference>")
@require_case_worker
def show(reference: str) -> Any:
    complaint = visible_complaint(reference)
    template_id = request.args.get("template", type=int)
    if template_id:
        # Loading a reply template is a GET, so it works without JavaScript.
        return _with_template(complaint, template_id)
    return _render_case(complaint)


def _with_template(complaint: Complaint, template_id: int) -> Any:
    template = db().get(ReplyTemplate, template_id)
    form = ReplyForm(formdata=None)
    if template is not None:
        # The customer reads the agent's name, not their login.
        values = customer_contact.template_values(complaint, current_user.display_name)
        form.subject.data = customer_contact.render_template_text(template.subject, values)
        form.body.data = customer_contact.render_template_text(template.body, values)
    task_id = request.args.get("task_id")
    if task_id:
        form.task_id.data = task_id
        return render_task(visible_task(task_id), reply=form)
    return _render_case(complaint, reply=form)


def _act(
    reference: str,
    form: FlaskForm,
    name: str,
    action: Callable[[Complaint], Any],
    success: str | Callable[[Any], str],
    mapping: dict[str, str] | None = None,
    to_case: bool = False,
) -> Any:
    """Validate ``form``, run the service; on any error re-render the page with everything typed kept.

    ``success`` may be a function of the service's result; ``to_case`` returns to the case page even from a task.
    """
    complaint = visible_complaint(reference)
    if name in ("handover", "subtask"):
        fill_choices(
            {
                "handover": form if name == "handover" else HandoverForm(formdata=None),
                "subtask": form if name == "subtask" else SubtaskForm(formdata=None),
            }
        )
    task_id = form.task_id.data or None  # type: ignore[attr-defined]
    if form.validate_on_submit():
        try:
            result = action(complaint)
        except FormValidationError as error:
            db().rollback()
            messages = {
                key: upload_error_text(text) if key == "attachments" else text for key, text in error.errors.items()
            }
            apply_errors(form, messages, mapping)
        except Conflict as error:
            db().rollback()
            form.form_errors.append(engine_message(error))
        else:
            flash(success(result) if callable(success) else success, "success")
            if task_id and not to_case:
                return redirect(url_for("task.show", task_id=task_id, _anchor="timeline"))
            return redirect(url_for("cases.show", reference=reference, _anchor="timeline"))
    flash(_("Please correct the marked fields."), "error")
    if task_id:
        return render_task(visible_task(task_id), status=422, **{name: form})
    return _render_case(complaint, 422, **{name: form})


@bp.route("/<reference>/notes", methods=["POST"])
@require_case_worker
def add_note(reference: str) -> Any:
    form = NoteForm()
    return _act(
        reference,
        form,
        "note",
        lambda c: casework.add_note(
            db(),
            actor(),
            c.id,
            form.body.data or "",
            now(),
            kind=form.kind.data or "note",
            uploads=form_uploads("files"),
            limits=upload_limits(),
        ),
        _("Note added."),
        {"attachments": "files"},
    )


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> Any:
    """A request over the size limit is cut off before the form can be read: say so instead of a bare 413."""
    reference = (request.view_args or {}).get("reference", "")
    flash(
        _(
            "The files were too large together (at most %(size)s KB per request). Nothing was saved; "
            "please attach fewer or smaller files.",
            size=int(current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 1024,
        ),
        "error",
    )
    if reference:
        return redirect(url_for("cases.show", reference=reference, _anchor="actions-title"), 303)
    return redirect(url_for("tasks.my_tasks"), 303)


@bp.route("/<reference>/handover", methods=["POST"])
@require_case_worker
def hand_over(reference: str) -> Any:
    form = HandoverForm()
    return _act(
        reference,
        form,
        "handover",
        lambda c: casework.hand_over(
            db(),
            actor(),
            c.id,
            form.group.data or "",
            form.question.data or "",
            end_of_day(form.due_date.data) if form.due_date.data else None,
            now(),
            task_id=form.task_id.data or None,
        ),
        _("The case was handed over. The answer will appear in the timeline."),
        {"group": "group", "due_at": "due_date"},
    )


@bp.route("/<reference>/reply", methods=["POST"])
@require_case_worker
def reply(reference: str) -> Any:
    form = ReplyForm()
    return _act(
        reference,
        form,
        "reply",
        lambda c: customer_contact.reply_to_customer(
            db(), actor(), c.id, form.subject.data or "", form.body.data or "", now()
        ),
        _("The reply is on its way to the customer."),
    )


@bp.route("/<reference>/request-info", methods=["POST"])
@require_case_worker
def request_info(reference: str) -> Any:
    """Ask the customer through the process: the case waits for the answer with the SLA paused."""
    form = InfoRequestForm()

    def ask(complaint: Complaint) -> customer_contact.InfoRequestState:
        try:
            return customer_contact.request_information(
                db(), actor(), complaint.id, form.question.data or "", now(), task_id=form.task_id.data or None
            )
        except customer_contact.InfoRequestUnavailable as error:
            raise Conflict(info_unavailable_text(error.state)) from None

    def said(state: customer_contact.InfoRequestState) -> str:
        if state.mode == customer_contact.INFO_VIA_PROCESS:
            return _(
                "The question was sent to the customer. The case waits for the answer with the SLA clock paused; "
                "it comes back to the task list when the customer answers."
            )
        return _("The further question was sent. The case keeps waiting for the customer's answer.")

    return _act(reference, form, "info", ask, said, {"body": "question"}, to_case=True)


@bp.route("/<reference>/subtasks", methods=["POST"])
@require_case_worker
def add_subtask(reference: str) -> Any:
    form = SubtaskForm()
    return _act(
        reference,
        form,
        "subtask",
        lambda c: casework.create_subtask(
            db(),
            actor(),
            c.id,
            form.assignee.data or "",
            form.title.data or "",
            form.description.data or "",
            end_of_day(form.due_date.data) if form.due_date.data else None,
            now(),
        ),
        _("Subtask created."),
        {"due_at": "due_date"},
    )


@bp.route("/subtasks/<int:subtask_id>", methods=["GET", "POST"])
@require_case_worker
def subtask(subtask_id: int) -> Any:
    try:
        item = casework.get_subtask(db(), actor(), subtask_id)
    except NotFound:
        abort(404)
    form = AnswerForm()
    if request.method == "POST" and item.assignee == actor().username:
        if form.validate_on_submit():
            try:
                casework.complete_subtask(db(), actor(), subtask_id, form.answer.data or "", now())
            except FormValidationError as error:
                apply_errors(form, error.errors, {"result": "answer"})
            except Conflict as error:
                flash(engine_message(error), "error")
                return redirect(url_for("cases.subtask", subtask_id=subtask_id))
            else:
                flash(_("Subtask done. Your result is in the case's timeline."), "success")
                return redirect(url_for("tasks.my_tasks"))
        return render_template("subtask.html", item=item, form=form), 422
    return render_template("subtask.html", item=item, form=form)
