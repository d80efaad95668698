"""Forms of the case page (CSRF-protected) and the context every rendering of that page needs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, HiddenField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from engine.services.casework import attachments as case_attachments
from engine.services.casework import customer_contact, knowledge
from engine.services.casework.access import may_view_task
from engine.services.regulation import views as regulation_views
from engine.store import case_queries
from engine.store.complaints import Complaint
from engine.store.models import HumanTask
from engine.store.users import Group, User
from webui.auth import actor
from webui.choices import options
from webui.db import db, now
from webui.diagram_text import translated_timeline
from webui.engine_text import field_text
from webui.info_requests import info_unavailable_text
from webui.uploads import limits_hint, upload_limits


class NoteForm(FlaskForm):
    kind = SelectField(
        _l("Kind"), choices=options([("note", _l("Internal note")), ("customer_message", _l("Customer said"))])
    )
    body = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=10_000)])
    files = MultipleFileField(_l("Files (internal)"))
    task_id = HiddenField()


def _not_in_the_past(_form: FlaskForm, field: DateField) -> None:
    """A due date must be today or later (it means the end of that day)."""
    if field.data is not None and end_of_day(field.data) <= now():
        raise ValidationError(_("must lie in the future"))


class HandoverForm(FlaskForm):
    group = SelectField(_l("Department"), validators=[DataRequired()])
    question = TextAreaField(_l("Question for the department"), validators=[DataRequired(), Length(max=10_000)])
    due_date = DateField(_l("Answer needed by"), validators=[DataRequired(), _not_in_the_past])
    task_id = HiddenField()


class ReplyForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(_l("Message to the customer"), validators=[DataRequired(), Length(max=10_000)])
    task_id = HiddenField()


class InfoRequestForm(FlaskForm):
    # Its own id: the hand-over form on the same page has a "question" field too.
    question = TextAreaField(
        _l("What do you need from the customer?"), validators=[DataRequired(), Length(max=10_000)], id="info_question"
    )
    task_id = HiddenField()


class SubtaskForm(FlaskForm):
    assignee = SelectField(_l("Colleague"), validators=[DataRequired()])
    title = StringField(_l("What to do"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Details"), validators=[Optional(), Length(max=10_000)])
    due_date = DateField(_l("Due date"), validators=[DataRequired(), _not_in_the_past])
    task_id = HiddenField()


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=10_000)])


def end_of_day(day: Any) -> datetime:
    """A chosen date means "by the end of that day" in the app's time zone."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone)


def fill_choices(forms: dict[str, FlaskForm]) -> None:
    session = db()
    groups = session.scalars(select(Group).where(Group.is_department.is_(True)).order_by(Group.label))
    forms["handover"].group.choices = options([("", _("Choose…"))] + [(g.name, g.label) for g in groups])  # type: ignore[attr-defined]
    # Two columns, not User rows: a row would also load every colleague's groups and roles (two more
    # statements and an object per person) on each case and task page.
    users = session.execute(
        select(User.username, User.display_name).where(User.active.is_(True)).order_by(User.display_name)
    )
    forms["subtask"].assignee.choices = options(  # type: ignore[attr-defined]
        [("", _("Choose…"))] + [(username, f"{name} ({username})") for username, name in users]
    )


def case_forms(task: HumanTask | None, **bound: FlaskForm) -> dict[str, FlaskForm]:
    """Fresh forms for the case page, except those passed in (bound to a failed submission)."""
    forms: dict[str, FlaskForm] = {
        "note": bound.get("note") or NoteForm(formdata=None),
        "handover": bound.get("handover") or HandoverForm(formdata=None),
        "reply": bound.get("reply") or ReplyForm(formdata=None),
        "info": bound.get("info") or InfoRequestForm(formdata=None),
        "subtask": bound.get("subtask") or SubtaskForm(formdata=None),
    }
    if task is not None:
        for form in forms.values():
            if not form.task_id.data:  # type: ignore[attr-defined]
                form.task_id.data = task.id  # type: ignore[attr-defined]
    fill_choices(forms)
    return forms


def case_context(complaint: Complaint, task: HumanTask | None = None, **bound: FlaskForm) -> dict[str, Any]:
    """Everything the case part of the task and case pages shows."""
    session, user = db(), actor()
    all_open = case_queries.open_tasks_of(session, complaint)
    open_tasks = [t for t in all_open if may_view_task(session, user, t)]
    text = f"{complaint.subject} {complaint.description}"
    return {
        "complaint": complaint,
        "timeline": translated_timeline(session, complaint.instance_id, case_queries.timeline(session, complaint)),
        "earlier": case_queries.earlier_complaints(session, complaint),
        "open_tasks": open_tasks,
        "handovers": case_queries.handovers_of(session, complaint),
        "subtasks": case_queries.subtasks_of(session, complaint),
        "suggestions": knowledge.suggestions(session, complaint.category, text),
        "templates": customer_contact.templates_for(session, complaint.language),
        "forms": case_forms(task, **bound),
        "attachments": case_attachments.attachments_of(session, complaint),
        "info_state": customer_contact.info_request_state(
            session, user, complaint, task.id if task else None, all_open
        ),
        "info_unavailable_text": info_unavailable_text,
        "upload_hint": limits_hint(upload_limits()),
        "now": now(),
        "regulation_deadlines": regulation_views.deadline_views(session, complaint, now()),
        "regulation_letters": regulation_views.letter_views(session, complaint),
    }


def field_message(message: str, overrides: Mapping[str, LazyString] | None = None) -> str:
    """A service's field message in the user's language (from its code; English when it carries none).

    ``overrides`` maps a message code to the wording a page prefers (e.g. one that names the form's own hint).
    """
    return field_text(message, overrides) or message


def apply_errors(
    form: FlaskForm,
    errors: dict[str, str],
    mapping: dict[str, str] | None = None,
    overrides: Mapping[str, LazyString] | None = None,
) -> None:
    """Put a service's field errors on the WTForms fields (``mapping``: service field -> form field)."""
    for key, message in errors.items():
        name = (mapping or {}).get(key, key)
        field = getattr(form, name, None)
        if field is None:
            form.form_errors.append(field_message(message, overrides))
        else:
            field.errors = [*(field.errors or []), field_message(message, overrides)]
