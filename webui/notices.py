"""Staff pages of the notification channels: the in-app notification list, e-mail preferences per event,
and for admins the webhook endpoints and the delivery log."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engine.domain.errors import FormValidationError
from engine.domain.notification_events import STAFF_EVENTS
from engine.domain.roles import ROLE_ADMIN
from engine.services.delivery import notices, webhooks
from webui.auth import actor, require_roles
from webui.db import db, now

bp = Blueprint("notices", __name__, url_prefix="/notifications")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Notifications", "none": "No notifications.", "read_all": "Mark all as read", "unread": "new",
        "preferences": "E-mail preferences", "pref_intro": "Every notification is in this list; choose which events "
        "also come by e-mail.", "save": "Save", "saved": "Saved.", "email": "E-mail",
        "task_assigned": "Task assigned to me", "high_priority": "High-priority complaint",
        "sla_reminder": "Deadline reminder", "sla_escalation": "Escalation", "handover_received": "Hand-over received",
        "handover_answered": "Hand-over answered", "subtask_assigned": "Subtask assigned",
        "deliveries": "Deliveries and webhooks", "webhooks": "Webhook endpoints", "url": "URL",
        "events": "Event types (comma-separated, * for all)", "add": "Add", "secret": "Signing secret (shown once)",
        "log": "Delivery log", "ok": "delivered", "failed": "failed", "disable": "Switch off", "off": "off",
        "description": "Description",
    },
    "de": {
        "title": "Benachrichtigungen", "none": "Keine Benachrichtigungen.", "read_all": "Alle als gelesen markieren",
        "unread": "neu", "preferences": "E-Mail-Einstellungen", "pref_intro": "Jede Benachrichtigung steht in dieser "
        "Liste; wählen Sie, welche Ereignisse zusätzlich per E-Mail kommen.", "save": "Speichern",
        "saved": "Gespeichert.", "email": "E-Mail", "task_assigned": "Mir zugewiesene Aufgabe",
        "high_priority": "Reklamation mit hoher Priorität", "sla_reminder": "Fristerinnerung",
        "sla_escalation": "Eskalation", "handover_received": "Übergabe erhalten",
        "handover_answered": "Übergabe beantwortet", "subtask_assigned": "Teilaufgabe zugewiesen",
        "deliveries": "Zustellungen und Webhooks", "webhooks": "Webhook-Endpunkte", "url": "URL",
        "events": "Ereignistypen (durch Kommas getrennt, * für alle)", "add": "Hinzufügen",
        "secret": "Signaturschlüssel (wird nur einmal angezeigt)", "log": "Zustellprotokoll", "ok": "zugestellt",
        "failed": "fehlgeschlagen", "disable": "Abschalten", "off": "aus", "description": "Beschreibung",
    },
}  # fmt: skip


def _t() -> dict[str, str]:
    return TEXT.get(str(getattr(current_user, "language", "en")), TEXT["en"])


@bp.route("/", methods=["GET", "POST"])
@login_required
def inbox() -> Any:
    """The signed-in user's notifications, newest first; POST marks them all read."""
    if request.method == "POST":
        notices.mark_read(db(), actor(), None, now())
        return redirect(url_for("notices.inbox"))
    items = notices.list_notifications(db(), actor(), limit=100)
    return render_template("notices/list.html", t=_t(), items=items)


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences() -> Any:
    """E-mail on or off per staff event."""
    saved = False
    if request.method == "POST":
        choices = {topic: request.form.get(topic) == "on" for topic in STAFF_EVENTS}
        notices.set_preferences(db(), actor(), choices, now())
        saved = True
    return render_template("notices/preferences.html", t=_t(), choices=notices.preferences(db(), actor()), saved=saved)


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
            errors = error.errors
    status = 400 if errors else 200
    page = render_template(
        "notices/deliveries.html",
        t=_t(),
        endpoints=webhooks.list_endpoints(db(), actor()),
        log=webhooks.delivery_log(db(), actor(), limit=200),
        created=created,
        errors=errors,
        mask=mask,
    )
    return page, status


def mask(target: str) -> str:
    """Addresses in the log show only their domain: admins see no customer data (docs/permissions.md)."""
    local, at, domain = target.partition("@")
    return f"{local[:1]}…@{domain}" if at else target


def init_app(app: Flask) -> None:
    """Register the pages."""
    app.register_blueprint(bp)
