"""Administration of webhooks: subscriptions (URL, events, secret), the delivery log with status and retry."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from engine.domain.errors import FormValidationError, InvalidState, NotFound
from engine.domain.roles import ROLE_ADMIN
from engine.services.delivery import webhooks
from webui.auth import actor, require_roles
from webui.case_forms import apply_errors, field_message
from webui.choices import options
from webui.db import db, now

bp = Blueprint("admin_webhooks", __name__, url_prefix="/admin/webhooks")
_ONCE = "new_webhook_secret"


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WebhookForm(FlaskForm):
    url = StringField(_l("URL (https://…)"), validators=[DataRequired(), Length(max=500)])
    events = CheckboxList(_l("Events"))
    description = StringField(_l("Description"), validators=[Optional(), Length(max=200)])
    secret = PasswordField(_l("Signing secret (empty: generate one)"), validators=[Optional(), Length(max=200)])


def event_labels() -> dict[str, str]:
    """The events a subscription can name, in the user's language."""
    return {
        "*": _("all events, also future ones"),
        "complaint_received": _("Complaint received"),
        "status_changed": _("Status changed"),
        "information_requested": _("Information requested from the customer"),
        "customer_reply": _("Reply to the customer"),
        "resolution": _("Resolution sent"),
        "complaint_closed_no_answer": _("Closed without an answer from the customer"),
        "reopen_confirmation": _("Complaint reopened"),
        "survey_invitation": _("Survey invitation"),
        "task_assigned": _("Task assigned"),
        "high_priority": _("High-priority complaint"),
        "sla_reminder": _("Deadline reminder"),
        "sla_escalation": _("Escalation"),
        "handover_received": _("Hand-over received"),
        "handover_answered": _("Hand-over answered"),
        "subtask_assigned": _("Subtask assigned"),
    }


def _form() -> WebhookForm:
    form = WebhookForm()
    labels = event_labels()
    form.events.choices = options((event, labels.get(event, event)) for event in ("*", *webhooks.KNOWN_EVENTS))
    return form


# The page's event list is a set of checkboxes: "choose" fits it better than the service's "name".
_WEBHOOK_TEXT = {"webhook.events_required": _l("choose at least one event")}


def error_messages(errors: dict[str, str]) -> dict[str, str]:
    """The service's field messages in the user's language (this page's wording where it has its own)."""
    return {key: field_message(message, _WEBHOOK_TEXT) for key, message in errors.items()}


@bp.route("/", methods=["GET", "POST"])
@require_roles(ROLE_ADMIN)
def index() -> Any:
    """Subscriptions and the newest deliveries (``?subscription=`` narrows the log to one subscription)."""
    form = _form()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                endpoint = webhooks.create_endpoint(
                    db(), actor(), form.url.data or "", list(form.events.data or []), now(),
                    description=form.description.data or "", secret=form.secret.data or None,
                )  # fmt: skip
            except FormValidationError as error:
                apply_errors(form, error.errors, overrides=_WEBHOOK_TEXT)
            else:
                # Shown once, after the redirect (a reload cannot add the subscription twice).
                session[_ONCE] = {"id": endpoint.id, "secret": endpoint.secret}
                return redirect(url_for("admin_webhooks.index"))
    once = session.pop(_ONCE, None) if status == 200 else None
    endpoint_id = request.args.get("subscription", type=int)
    endpoints = webhooks.list_endpoints(db(), actor())
    page = render_template(
        "admin/webhooks.html",
        form=form,
        endpoints=endpoints,
        urls={endpoint.id: endpoint.url for endpoint in endpoints},
        deliveries=webhooks.webhook_deliveries(db(), actor(), endpoint_id=endpoint_id),
        endpoint_id=endpoint_id,
        once=once,
        labels=event_labels(),
    )
    return page, status


@bp.route("/<int:endpoint_id>/deactivate", methods=["POST"])
@require_roles(ROLE_ADMIN)
def deactivate(endpoint_id: int) -> Any:
    try:
        endpoint = webhooks.deactivate_endpoint(db(), actor(), endpoint_id, now())
    except NotFound:
        abort(404)
    flash(_("Webhook %(url)s switched off; its log stays.", url=endpoint.url), "success")
    return redirect(url_for("admin_webhooks.index"))


@bp.route("/deliveries/<int:delivery_id>/retry", methods=["POST"])
@require_roles(ROLE_ADMIN)
def retry(delivery_id: int) -> Any:
    try:
        webhooks.retry_delivery(db(), actor(), delivery_id, now())
    except NotFound:
        abort(404)
    except InvalidState:
        flash(_("Only a failed delivery can be retried; a pending one is retried automatically."), "error")
    else:
        flash(_("Delivery %(id)d queued again.", id=delivery_id), "success")
    return redirect(url_for("admin_webhooks.index"))
