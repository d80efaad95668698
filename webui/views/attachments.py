"""Downloading a case's files, and reading files a staff form uploads.

A download is allowed exactly when the case page is (same 404 for a missing file, another case's file and a
case the user has no reason to see). The response can never run script in our origin: it is always an
attachment, never sniffed, served with a type from a short list of inert ones (anything else, such as HTML or
SVG, as application/octet-stream) and with a sandboxing Content-Security-Policy of its own.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from flask import Blueprint, abort, current_app, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.domain.attachments import AttachmentLimits, Upload, safe_filename
from engine.domain.errors import NotFound
from engine.services.casework import attachments as case_attachments
from webui.auth import actor, require_case_worker
from webui.db import db
from webui.portal import limits

bp = Blueprint("attachments", __name__, url_prefix="/cases")

# Types a browser only displays (no script, no active content); everything else is served as bytes.
INERT_TYPES = {
    "application/pdf": "application/pdf",
    "image/png": "image/png",
    "image/jpeg": "image/jpeg",
    "image/gif": "image/gif",
    "image/webp": "image/webp",
    "text/plain": "text/plain; charset=utf-8",
}
FALLBACK_TYPE = "application/octet-stream"


def served_type(content_type: str) -> str:
    """The Content-Type a stored file is sent with."""
    return INERT_TYPES.get((content_type or "").split(";")[0].strip().lower(), FALLBACK_TYPE)


def disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the RFC 5987 form; no quotes, paths or line breaks."""
    name = safe_filename(filename).replace('"', "_")
    return f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name, safe='')}"


@bp.route("/<reference>/attachments/<int:attachment_id>")
@require_case_worker
def download(reference: str, attachment_id: int) -> Response:
    # Imported here: cases imports this module for the upload helpers.
    from webui.views.cases import visible_complaint

    complaint = visible_complaint(reference)
    try:
        attachment = case_attachments.attachment_for(db(), actor(), complaint, attachment_id)
    except NotFound:
        abort(404)
    response = Response(attachment.content, mimetype=None)
    response.headers["Content-Type"] = served_type(attachment.content_type)
    response.headers["Content-Disposition"] = disposition(attachment.filename)
    response.headers["Content-Length"] = str(len(attachment.content))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def form_uploads(field: str = "files") -> list[Upload]:
    """The files chosen in a form's file input (empty inputs ignored)."""
    files = [item for item in request.files.getlist(field) if item and item.filename]
    return [Upload(item.filename or "", item.mimetype or "", item.read()) for item in files]


def upload_limits() -> AttachmentLimits:
    """The channel's attachment limits (the same as for customers), a file capped by the request size limit."""
    configured = limits()
    request_cap = int(current_app.config.get("MAX_CONTENT_LENGTH") or configured.max_bytes)
    return AttachmentLimits(min(configured.max_bytes, request_cap), configured.max_count, configured.types)


_DYNAMIC = [
    (re.compile(r"^at most (\d+) files$"), lambda m: _("at most %(count)s files", count=m.group(1))),
    (re.compile(r"^(.+): the file is empty$"), lambda m: _("%(name)s: the file is empty", name=m.group(1))),
    (
        re.compile(r"^(.+): larger than (\d+) KB$"),
        lambda m: _("%(name)s: larger than %(size)s KB", name=m.group(1), size=m.group(2)),
    ),
    (
        re.compile(r"^(.+): files of type (.+) are not accepted$"),
        lambda m: _("%(name)s: files of type %(type)s are not accepted", name=m.group(1), type=m.group(2)),
    ),
    (
        re.compile(r"^(.+): the content is not a (.+) file$"),
        lambda m: _("%(name)s: the content is not a %(type)s file", name=m.group(1), type=m.group(2)),
    ),
]


def upload_error_text(message: str) -> str:
    """An attachment check's message in the user's language."""
    for pattern, translate in _DYNAMIC:
        match = pattern.match(message)
        if match:
            return str(translate(match))
    return message


def limits_hint(limits: AttachmentLimits) -> dict[str, Any]:
    """Numbers for the hint next to a file input."""
    return {"count": limits.max_count, "size": limits.max_bytes // 1024, "types": ", ".join(limits.types)}
