"""The local mail catcher's mails, for staff on a development set-up (`complaintflow run` without SMTP).

Registered only when the catcher runs (``MAIL_CATCHER_DIR``): with a real SMTP server this page does not exist.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, render_template
from flask_login import login_required

from notifications.mail_catcher import caught_mail, caught_mails

bp = Blueprint("mails", __name__, url_prefix="/mails")
URL = re.compile(r"(https?://[^\s<>\"']+)")


def _folder() -> Path:
    return Path(current_app.config["MAIL_CATCHER_DIR"])


def pieces(text: str) -> list[tuple[str, bool]]:
    """The text cut into (piece, is_link) so the template can make web addresses clickable, escaping the rest."""
    return [(piece, index % 2 == 1) for index, piece in enumerate(URL.split(text)) if piece]


@bp.route("/")
@login_required
def index() -> Any:
    """Every mail the catcher kept, newest first."""
    return render_template("mails/index.html", mails=caught_mails(_folder()))


@bp.route("/<key>")
@login_required
def show(key: str) -> Any:
    """One mail's addresses, subject and text, with its links clickable."""
    mail = caught_mail(_folder(), key)
    if mail is None:
        abort(404)
    return render_template("mails/show.html", mail=mail, pieces=pieces(mail.text))
