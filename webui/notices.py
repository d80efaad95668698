"""Staff pages of the notification channels: the in-app notification list, e-mail preferences per event,
and for admins the webhook endpoints and the delivery log."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.domain.errors import FormValidationError
from engine.domain.notification_events import STAFF_EVENTS
from engine.domain.roles import ROLE_ADMIN
from engine.services.delivery import notices, webhooks
from webui.auth import actor, require_roles
from webui.db import db, now
from webui.views.admin_webhooks import error_messages as webhook_messages
from webui.views.admin_webhooks import event_labels

bp = Blueprint("notices", __name__, url_prefix="/notifications")


def event_names() -> dict[str, str]:
    """The staff events one can get by e-mail, in the user's language."""
    return {
        "task_assigned": _("Task assigned to me"),
        "high_priority": _("High-priority complaint"),
        "sla_reminder": _("Deadline reminder"),
        "sla_escalation": _("Escalation"),
        "handover_received": _("Hand-over received"),
        "handover_answered": _("Hand-over answered"),
        "subtask_assigned": _("Subtask assigned"),
    }


@bp.route("/", methods=["GET", "POST"])
@login_required
def inbox() -> Any:
    """The signed-in user's notifications, newest first; POST marks them all read."""
    if request.method == "POST":
        notices.mark_read(db(), actor(), None, now())
        return redirect(url_for("notices.inbox"))
    items = notices.list_notifications(db(), actor(), limit=100)
    return render_template("notices/list.html", items=items)


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences() -> Any:
    """E-mail on or off per staff event."""
    saved = False
    if request.method == "POST":
        choices = {topic: request.form.get(topic) == "on" for topic in STAFF_EVENTS}
        notices.set_preferences(db(), actor(), choices, now())
        saved = True
    return render_template(
        "notices/preferences.html", names=event_names(), choices=notices.preferences(db(), actor()), saved=saved
    )


@bp.route("/deliveries", methods=["GET", "POST"])
@require_roles(ROLE_ADMIN)
def deliveries() -> Any:
    """Webhook endpoints (add, switch off) and the newest delivery attempts."""
    errors: dict[str, str] = {}
    created = None
    if request.method == "POST" and request.form.get("disable"):
        webhooks.deactivate_endpoint(db(), actor(), int(request.form["disable"]), now())
        return redirect(url_for("notices.deliveries"))
    if request.method == "POST":
        events = (request.form.get("events") or "").split(",")
        try:
            created = webhooks.create_endpoint(
                db(),
                actor(),
                request.form.get("url") or "",
                events,
                now(),
                description=request.form.get("description") or "",
            )
        except FormValidationError as error:
            errors = webhook_messages(error.errors)
    status = 400 if errors else 200
    page = render_template(
        "notices/deliveries.html",
        endpoints=webhooks.list_endpoints(db(), actor()),
        log=webhooks.delivery_log(db(), actor(), limit=200),
        created=created,
        errors=errors,
        mask=mask,
        event_labels=event_labels(),
        channels={"email": _("E-mail"), "in_app": _("In-app"), "webhook": _("Webhook")},
    )
    return page, status


def mask(target: str) -> str:
    """Addresses in the log show only their domain: admins see no customer data (docs/permissions.md)."""
    local, at, domain = target.partition("@")
    return f"{local[:1]}…@{domain}" if at else target


def init_app(app: Flask) -> None:
    """Register the pages."""
    app.register_blueprint(bp)
