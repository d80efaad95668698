"""The public customer portal: complaint form, private status page, more information, rating, FAQ.

No account is needed. The status page is reached by an unguessable link (an HMAC of the reference, see
engine.domain.status_links) or by number plus e-mail address. A wrong link is refused before any database
read, with the same 404 page as an unknown one. The form has a honeypot field and a rate limit per address.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request
from flask_babel import force_locale

from engine.domain.actors import Actor
from engine.domain.attachments import AttachmentLimits, Upload
from engine.domain.errors import Conflict, DatabaseBusy, FormValidationError, InvalidState, NotFound
from engine.domain.messages import message_of, msg
from engine.domain.status_links import token_matches
from engine.services.intake import channels as intake
from engine.services.intake import portal
from engine.services.intake.complaints import NewComplaint
from engine.services.intake.intake_keys import KeyReused, OnceKey, fingerprint
from engine.services.intake.rate_limits import Hit, RateLimited
from notifications import links
from notifications.settings import ChannelSettings, load_channel_settings
from notifications.wording import language, status_label
from webui.db import db, now
from webui.markdown_render import render_markdown
from webui.portal_text import CATEGORIES, TEXT, field_error

bp = Blueprint("portal", __name__, url_prefix=links.PORTAL_PREFIX)
PORTAL_ACTOR = Actor("portal")
SUBMIT_LIMIT = (5, timedelta(hours=1))  # complaints per hour per client address and per e-mail address
LOOKUP_LIMIT = (10, timedelta(hours=1))
INFO_LIMIT = (20, timedelta(hours=1))
_FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")  # secrets.token_urlsafe(24)


def channel_settings() -> ChannelSettings:
    """The app's channel settings (the status links are signed with the app's secret key)."""
    settings: ChannelSettings = current_app.extensions["complaintflow_channels"]
    return settings


def limits() -> AttachmentLimits:
    settings = channel_settings()
    return AttachmentLimits(settings.max_attachment_bytes, settings.max_attachments, settings.attachment_types)


def _lang(default: str | None = None) -> str:
    chosen = request.args.get("lang") or request.form.get("lang")
    if chosen:
        return language(chosen)
    if default:
        return language(default)
    return language(request.accept_languages.best_match(["en", "de"]) or "en")


def _page(template: str, lang: str, status: int = 200, **values: Any) -> tuple[str, int]:
    # The page speaks the customer's language, whatever a signed-in staff member's language is.
    with force_locale(lang):
        if values.get("errors"):
            values["errors"] = {name: field_error(message, lang) for name, message in values["errors"].items()}
        return render_template(f"portal/{template}", t=TEXT, lang=lang, **values), status


def _uploads() -> list[Upload]:
    files = [item for item in request.files.getlist("attachments") if item and item.filename]
    return [Upload(item.filename or "", item.mimetype or "", item.read()) for item in files]


def _client() -> str:
    return request.remote_addr or "unknown"


def _verified(reference: str, token: str) -> str:
    # The token is checked before the database is asked anything: a guessed link costs the same time and
    # gets the same 404 page whether the number exists or not.
    if not token_matches(channel_settings().secret_key, reference, token):
        abort(404)
    return reference


@bp.route("/welcome")
def welcome() -> Any:
    """Where a customer starts: submit a complaint, find one, read the FAQ (also what `/` shows them)."""
    return _page("welcome.html", _lang())


@bp.route("/", methods=["GET", "POST"])
def complaint_form() -> Any:
    """The public complaint form."""
    lang = _lang()
    values = request.form.to_dict() if request.method == "POST" else {}
    if request.method == "GET" or not _FORM_TOKEN.fullmatch(values.get("form_token", "")):
        # Each rendering of the form carries a new single-use token; a form sent twice opens one complaint.
        values["form_token"] = secrets.token_urlsafe(24)
    if request.method == "GET":
        return _page("form.html", lang, values=values, errors={}, categories=CATEGORIES)
    if values.get("website"):
        # Only bots fill the hidden field: they get a plain thank-you and nothing is stored.
        return _page("submitted.html", lang, reference=None, link=None)
    errors: dict[str, str] = {}
    email = (values.get("customer_email") or "").strip()
    if not email:
        errors["customer_email"] = msg("field.required")
    category = values.get("category") or "other"
    if category not in CATEGORIES:
        errors["category"] = msg("field.choose_option")
    if errors:
        return _page("form.html", lang, 400, values=values, errors=errors, categories=CATEGORIES)
    try:
        new = NewComplaint(
            customer_name=values.get("customer_name") or "",
            customer_email=email,
            customer_phone=(values.get("customer_phone") or "").strip() or None,
            subject=values.get("subject") or "",
            description=values.get("description") or "",
            channel="web",
            category=category,
            product=(values.get("product") or "").strip() or None,
            order_ref=(values.get("order_ref") or "").strip() or None,
            language=lang,
        )
        once = OnceKey("portal", values["form_token"], fingerprint(email.lower()))
        complaint = intake.submit_complaint(
            db(),
            PORTAL_ACTOR,
            new,
            channel_settings().intake_process,
            _uploads(),
            limits(),
            now(),
            source="web",
            once=once,
            # Counted in the same commit as the complaint: a busy database loses neither alone.
            hit=Hit("submit", (_client(), email), *SUBMIT_LIMIT),
        )
    except KeyReused:
        # Sent again from the same page with another e-mail address: not the same complaint. A new token
        # lets the customer send it as a new one; the first complaint's link is not shown to them.
        values["form_token"] = secrets.token_urlsafe(24)
        errors = {"customer_email": TEXT["sent_before"]}
        return _page("form.html", lang, 409, values=values, errors=errors, categories=CATEGORIES)
    except RateLimited:
        return _page("message.html", lang, 429, message=TEXT["too_many"])
    except FormValidationError as error:
        return _page("form.html", lang, 400, values=values, errors=error.errors, categories=CATEGORIES)
    except DatabaseBusy:
        # Nothing was stored: the same form comes back with everything typed, and the files by name.
        return busy_form(lang, values)
    settings = channel_settings()
    link = links.status_path(settings.secret_key, complaint.reference)
    return _page("submitted.html", lang, reference=complaint.reference, link=link)


def busy_form(lang: str, values: dict[str, str]) -> Any:
    """The complaint form again, as typed, when the database stayed busy: HTTP 503 with Retry-After."""
    lost_files = [item.filename for item in request.files.getlist("attachments") if item and item.filename]
    page, status = _page(
        "form.html", lang, 503, values=values, errors={}, categories=CATEGORIES, busy=True, lost_files=lost_files
    )
    return page, status, {"Retry-After": "5"}


def _status_page(reference: str, token: str, status: int = 200, **extra: Any) -> tuple[str, int]:
    try:
        view = portal.status_view(db(), reference)
    except NotFound:
        abort(404)
    lang = _lang(view.language)
    return _page(
        "status.html",
        lang,
        status,
        view=view,
        token=token,
        stage=status_label(view.status, lang),
        link=links.status_path(channel_settings().secret_key, reference),
        switch_path=links.status_path(channel_settings().secret_key, reference),
        errors=extra.pop("errors", {}),
        # What the customer typed comes back into the form whenever it was not taken (error or busy).
        kept=request.form if request.method == "POST" and status >= 400 else {},
        **extra,
    )


def _busy_status_page(reference: str, token: str) -> Any:
    """The status page with what was typed, when the database stayed busy: nothing was stored (503)."""
    page, status = _status_page(reference, token, 503, busy=True)
    return page, status, {"Retry-After": "5"}


@bp.route("/status/<reference>/<token>")
def status(reference: str, token: str) -> Any:
    """The customer's private status page."""
    return _status_page(_verified(reference, token), token)


@bp.route("/status/<reference>/<token>/info", methods=["POST"])
def add_information(reference: str, token: str) -> Any:
    """More information and attachments from the customer; wakes a process waiting for them."""
    _verified(reference, token)
    try:
        portal.count_hit(db(), "info", [_client()], *INFO_LIMIT, now())
        intake.add_customer_information(
            db(), PORTAL_ACTOR, reference, request.form.get("text") or "", _uploads(), limits(), now(), source="web"
        )
    except RateLimited:
        return _status_page(reference, token, 429, errors={"text": "too_many"})
    except FormValidationError as error:
        return _status_page(reference, token, 400, errors=error.errors)
    except InvalidState:
        return _status_page(reference, token, 409, errors={"text": "closed_note"})
    except DatabaseBusy:
        return _busy_status_page(reference, token)
    return _status_page(reference, token, notice="info_sent")


@bp.route("/status/<reference>/<token>/rate", methods=["GET", "POST"])
def rate(reference: str, token: str) -> Any:
    """CSAT, NPS and a comment, once the complaint is resolved; only once."""
    _verified(reference, token)
    if request.method == "GET":
        return _status_page(reference, token)
    form = request.form
    try:
        portal.rate(db(), PORTAL_ACTOR, reference, form.get("csat"), form.get("nps"), form.get("comment") or "", now())
    except FormValidationError as error:
        return _status_page(reference, token, 400, errors=error.errors)
    except (InvalidState, Conflict) as error:
        return _status_page(reference, token, 409, errors={"rating": message_of(error) or str(error)})
    except DatabaseBusy:
        return _busy_status_page(reference, token)
    return _status_page(reference, token, notice="rated")


@bp.route("/status/<reference>/<token>/reopen", methods=["POST"])
def reopen(reference: str, token: str) -> Any:
    """The customer is not satisfied: reopen the complaint during its reopening period."""
    _verified(reference, token)
    try:
        portal.count_hit(db(), "info", [_client()], *INFO_LIMIT, now())
        portal.reopen(db(), PORTAL_ACTOR, reference, request.form.get("reason") or "", now())
    except RateLimited:
        return _status_page(reference, token, 429, errors={"reason": "too_many"})
    except FormValidationError as error:
        return _status_page(reference, token, 400, errors=error.errors)
    except InvalidState as error:
        return _status_page(reference, token, 409, errors={"reason": message_of(error) or str(error)})
    except DatabaseBusy:
        return _busy_status_page(reference, token)
    return _status_page(reference, token, notice="reopened")


@bp.route("/find", methods=["GET", "POST"])
def find() -> Any:
    """Number plus e-mail address lead to the private status page."""
    lang = _lang()
    if request.method == "GET":
        return _page("find.html", lang, values={}, message=None)
    values = request.form.to_dict()
    try:
        portal.count_hit(db(), "lookup", [_client()], *LOOKUP_LIMIT, now())
    except RateLimited:
        return _page("find.html", lang, 429, values=values, message=TEXT["too_many"])
    found = portal.reference_for(db(), values.get("reference") or "", values.get("email") or "")
    if found is None:
        return _page("find.html", lang, 404, values=values, message=TEXT["not_found"])
    return redirect(links.status_path(channel_settings().secret_key, found), code=303)


@bp.route("/faq")
def faq() -> Any:
    """Public knowledge base articles."""
    lang = _lang()
    articles = [(article, render_markdown(article.body)) for article in portal.public_faq(db(), lang)]
    return _page("faq.html", lang, articles=articles)


def configure_channels(app: Flask) -> ChannelSettings:
    """Channel settings for the app (``CHANNEL_SETTINGS`` in the config, else the environment), once.

    Status links are signed with the app's secret key, the same key the dispatcher reads.
    """
    if "complaintflow_channels" not in app.extensions:
        settings = app.config.get("CHANNEL_SETTINGS") or load_channel_settings(Path(app.instance_path))
        app.extensions["complaintflow_channels"] = replace(settings, secret_key=app.config["SECRET_KEY"])
    configured: ChannelSettings = app.extensions["complaintflow_channels"]
    return configured


def init_app(app: Flask) -> None:
    """Register the portal."""
    configure_channels(app)
    app.register_blueprint(bp)
