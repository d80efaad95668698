"""Administration of mail: the SMTP and intake settings in use (secrets hidden), and a test message."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import EmailField
from wtforms.validators import DataRequired, Length

from engine.domain.errors import NotFound
from engine.domain.roles import ROLE_ADMIN
from engine.services.admin_log import note_admin_action
from engine.services.users import accounts as user_service
from notifications.errors import DeliveryError
from notifications.settings import ChannelSettings
from notifications.smtp import OutgoingMail, send
from webui.auth import actor, require_roles
from webui.db import db, now

bp = Blueprint("admin_mail", __name__, url_prefix="/admin/mail")


class TestMailForm(FlaskForm):
    to = EmailField(_l("Send a test message to"), validators=[DataRequired(), Length(max=254)])


def _settings() -> ChannelSettings:
    settings: ChannelSettings = current_app.extensions["complaintflow_channels"]
    return settings


def _secret(value: str | None) -> str:
    """Never the secret itself: whether one is set."""
    return _("set (hidden)") if value else _("not set")


def _setting(value: str) -> Markup:
    """A configured value (host, address, folder) as it is: technical, so it is marked not to translate."""
    return Markup('<code translate="no">{0}</code>').format(value)


def _rows(settings: ChannelSettings) -> dict[str, list[tuple[str, str]]]:
    catcher = current_app.config.get("MAIL_CATCHER_DIR")
    outgoing = [
        (_("SMTP server"), _setting(f"{settings.smtp_host}:{settings.smtp_port}")),
        (_("Security"), {"none": _("none (plain)"), "starttls": "STARTTLS", "ssl": "SSL/TLS"}[settings.smtp_security]),
        (_("User name"), _setting(settings.smtp_user or "–")),
        (_("Password"), _secret(settings.smtp_password)),
        (_("Sender"), _setting(f"{settings.mail_from_name} <{settings.mail_from}>")),
        (_("Timeout"), _("%(seconds)s s", seconds=f"{settings.smtp_timeout:g}")),
        (_("Links in mails point to"), _setting(settings.public_url)),
        (_("Retries"), _("up to %(count)d attempts", count=settings.retry.max_attempts)),
    ]
    if catcher:
        outgoing.append(
            (_("Local mail catcher"), escape(_("on: mails are kept in %(folder)s")) % {"folder": _setting(catcher)})
        )
    intake = [
        (_("SMTP listener (complaintflow mail-intake)"), _setting(f"{settings.intake_host}:{settings.intake_port}")),
        (_("IMAP server (mail-intake --imap)"),
         _setting(f"{settings.imap_host}:{settings.imap_port}") if settings.imap_host else "–"),
        (_("IMAP user"), _setting(settings.imap_user or "–")),
        (_("IMAP password"), _secret(settings.imap_password)),
        (_("IMAP folder"), _setting(settings.imap_folder)),
        (_("Process started for new mail"), _setting(settings.intake_process)),
        (_("Attachments"), _("at most %(count)d files of %(size)s MB each", count=settings.max_attachments,
                             size=f"{settings.max_attachment_bytes / (1024 * 1024):g}")),
    ]  # fmt: skip
    return {"outgoing": outgoing, "intake": intake}


def _page(form: TestMailForm, status: int = 200) -> Any:
    return render_template("admin/mail.html", form=form, rows=_rows(_settings())), status


@bp.route("/")
@require_roles(ROLE_ADMIN)
def index() -> Any:
    try:
        address = user_service.get_user(db(), current_user.username).email or ""
    except NotFound:
        address = ""
    return _page(TestMailForm(to=address))


@bp.route("/test", methods=["POST"])
@require_roles(ROLE_ADMIN)
def test() -> Any:
    """Send one message now, past the outbox, so the admin sees at once whether the SMTP server takes it."""
    form = TestMailForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    address = form.to.data or ""
    mail = OutgoingMail(
        to_address=address,
        subject=_("Test message from complaintflow"),
        text=_("This message was sent from Administration → Mail by %(user)s to check the mail settings.",
               user=current_user.display_name),
    )  # fmt: skip
    try:
        send(_settings(), mail)
    except DeliveryError as error:
        note_admin_action(db(), actor(), "mail_test_failed", now(), {"to": address, "error": str(error)[:500]})
        flash(_("The test message could not be sent: %(error)s", error=str(error)), "error")
    else:
        note_admin_action(db(), actor(), "mail_test_sent", now(), {"to": address})
        flash(_("Test message sent to %(address)s.", address=address), "success")
    return redirect(url_for("admin_mail.index"))
