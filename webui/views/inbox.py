"""The department inbox: questions handed over by agents, with their due dates; answer and return the case."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from engine.domain.errors import Conflict, FormValidationError, NotFound
from engine.domain.roles import ROLE_TEAM_LEAD
from engine.services.casework import cases as casework
from engine.services.users import accounts as user_service
from engine.store import case_queries
from engine.store.casework import HANDOVER_ANSWERED, HANDOVER_OPEN, Handover
from webui.auth import actor
from webui.case_forms import AnswerForm, apply_errors
from webui.db import db, now
from webui.engine_text import engine_message

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


def _require_department() -> None:
    if not current_user.departments and not current_user.has_role(ROLE_TEAM_LEAD):
        abort(403)


def _groups() -> list[str]:
    if current_user.departments:
        return list(current_user.departments)
    # Team leads look over every department's inbox.
    return user_service.department_names(db())


@bp.route("/")
@login_required
def department_inbox() -> Any:
    _require_department()
    groups = _groups()
    session = db()
    open_items = session.scalars(
        select(Handover)
        .where(Handover.group_name.in_(groups or [""]), Handover.status == HANDOVER_OPEN)
        .order_by(Handover.due_at, Handover.id)
    ).all()
    answered = session.scalars(
        select(Handover)
        .where(Handover.group_name.in_(groups or [""]), Handover.status == HANDOVER_ANSWERED)
        .order_by(Handover.answered_at.desc())
        .limit(20)
    ).all()
    process_items = [
        (task, case_queries.complaint_for_instance(session, task.instance_id), task.instance.variables or {})
        for task in case_queries.process_handover_tasks(session, groups)
    ]
    return render_template(
        "inbox/list.html",
        open_items=open_items,
        process_items=process_items,
        answered=answered,
        groups=groups,
        now=now(),
    )


def _item(handover_id: int) -> Handover:
    try:
        return casework.get_handover(db(), actor(), handover_id)
    except NotFound:
        abort(404)


@bp.route("/<int:handover_id>", methods=["GET", "POST"])
@login_required
def answer(handover_id: int) -> Any:
    _require_department()
    item = _item(handover_id)
    form = AnswerForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                casework.answer_handover(db(), actor(), handover_id, form.answer.data or "", now())
            except FormValidationError as error:
                apply_errors(form, error.errors)
            except Conflict:
                fresh = db().get(Handover, handover_id, populate_existing=True)
                flash(
                    _("This question was already answered by %(user)s.", user=fresh.answered_by if fresh else "?"),
                    "error",
                )
                return redirect(url_for("inbox.answer", handover_id=handover_id))
            else:
                flash(_("Answer sent. The case is back with %(user)s.", user=item.created_by), "success")
                return redirect(url_for("inbox.department_inbox"))
        status = 422
    return render_template("inbox/answer.html", item=item, form=form, now=now()), status


@bp.route("/<int:handover_id>/claim", methods=["POST"])
@login_required
def claim(handover_id: int) -> Response:
    _require_department()
    _item(handover_id)
    try:
        casework.claim_handover(db(), actor(), handover_id, now())
    except Conflict as error:
        flash(engine_message(error), "error")
    else:
        flash(_("You are handling this question."), "success")
    return redirect(url_for("inbox.answer", handover_id=handover_id))
