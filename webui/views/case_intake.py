"""Staff record a complaint: received by phone, letter, in person, chat or social media, or found by staff.

An *implicit* complaint is one nobody addressed to the company (a critical post staff came across): the process
then sends no acknowledgement (processes/complaint_handling.bpmn, ``explicit_gateway``) and no receipt mail goes
out. Otherwise the complaint runs like any other: same intake service, same process, same first task.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, Field, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from engine.domain.errors import FormValidationError
from engine.domain.roles import RECORD_COMPLAINT_ROLES
from engine.services.intake import channels as intake
from engine.services.intake.complaints import NewComplaint
from webui.auth import actor, require_roles
from webui.case_forms import apply_errors
from webui.choices import language_options, options
from webui.db import db, now
from webui.formatting import CHANNEL_LABELS
from webui.labels import CATEGORY_LABELS
from webui.portal import channel_settings
from webui.uploads import form_uploads, limits_hint, upload_error_text, upload_limits

bp = Blueprint("case_intake", __name__, url_prefix="/cases")

# The channels a person brings in; web form, e-mail and API record themselves.
STAFF_CHANNELS = ("phone", "letter", "in_person", "chat", "social_media")
STAFF_CATEGORIES = ("product", "delivery", "billing", "service", "quality", "technical", "account", "other")


def _email_address(_form: FlaskForm, field: Field) -> None:
    # The intake service's own check, here too so that every wrong field is marked in one round.
    value = (field.data or "").strip()
    if value and (value.count("@") != 1 or " " in value):
        raise ValidationError(_("is not an e-mail address"))


class RecordForm(FlaskForm):
    channel = SelectField(_l("Received by"), validators=[DataRequired()])
    implicit = BooleanField(_l("Implicit: not addressed to us, found by staff (e.g. a critical post)"))
    customer_name = StringField(_l("Customer name or account"), validators=[DataRequired(), Length(max=200)])
    customer_email = StringField(_l("Customer e-mail"), validators=[Optional(), Length(max=254), _email_address])
    customer_phone = StringField(_l("Customer phone"), validators=[Optional(), Length(max=50)])
    language = SelectField(_l("Customer language"))
    category = SelectField(_l("Category"), validators=[DataRequired()])
    product = StringField(_l("Product"), validators=[Optional(), Length(max=200)])
    order_ref = StringField(_l("Order or invoice number"), validators=[Optional(), Length(max=100)])
    amount_disputed = DecimalField(
        _l("Amount in dispute (EUR)"), places=2, validators=[Optional(), NumberRange(min=Decimal(0))]
    )
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(
        _l("What the customer said or wrote (for a post: where it was found)"),
        validators=[DataRequired(), Length(max=10_000)],
    )
    files = MultipleFileField(_l("Letter scan, photos or screenshots"))


def _form() -> RecordForm:
    form = RecordForm()
    channels = [(name, str(CHANNEL_LABELS[name])) for name in STAFF_CHANNELS]
    form.channel.choices = options([("", _("Choose…")), *channels])
    form.category.choices = options([(name, str(CATEGORY_LABELS[name])) for name in STAFF_CATEGORIES])
    form.language.choices = language_options()
    return form


def _new_complaint(form: RecordForm) -> NewComplaint:
    return NewComplaint(
        customer_name=form.customer_name.data or "",
        customer_email=(form.customer_email.data or "").strip() or None,
        customer_phone=(form.customer_phone.data or "").strip() or None,
        subject=form.subject.data or "",
        description=form.description.data or "",
        channel=form.channel.data or "",
        explicit=not form.implicit.data,
        category=form.category.data,
        product=(form.product.data or "").strip() or None,
        order_ref=(form.order_ref.data or "").strip() or None,
        amount_disputed=form.amount_disputed.data,
        language=form.language.data or "de",
    )


def _record(form: RecordForm) -> str | None:
    """The new complaint's reference, or None with the service's messages on the form's fields."""
    new = _new_complaint(form)
    try:
        complaint = intake.submit_complaint(
            db(),
            actor(),
            new,
            channel_settings().intake_process,
            form_uploads(),
            upload_limits(),
            now(),
            source=new.channel,
            # Only a customer who addressed us gets a receipt; the author of a post we found did not write to us.
            send_receipt=new.explicit,
        )
    except FormValidationError as error:
        errors = dict(error.errors)
        if "attachments" in errors:
            form.files.errors = [upload_error_text(errors.pop("attachments"))]
        apply_errors(form, errors)
        return None
    return complaint.reference


@bp.route("/new", methods=["GET", "POST"])
@require_roles(*RECORD_COMPLAINT_ROLES)
def record() -> Any:
    """The form to record a complaint; on success the new case's page."""
    form = _form()
    status = 200
    if form.is_submitted():
        if form.validate():
            reference = _record(form)
            if reference is not None:
                flash(_("Complaint %(reference)s recorded; its process has started.", reference=reference), "success")
                return redirect(url_for("cases.show", reference=reference))
        status = 422
    hint = limits_hint(upload_limits())
    return render_template("case_new.html", form=form, upload_hint=hint), status
