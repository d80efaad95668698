"""Downloading a case's files.

A download is allowed exactly when the case page is (same 404 for a missing file, another case's file and a
case the user has no reason to see). The response can never run script in our origin: it is always an
attachment, never sniffed, served with a type from a short list of inert ones (anything else, such as HTML or
SVG, as application/octet-stream) and with a sandboxing Content-Security-Policy of its own.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, abort
from werkzeug.wrappers import Response

from engine.domain.attachments import safe_filename
from engine.domain.errors import NotFound
from engine.services.casework import attachments as case_attachments
from webui.auth import actor, require_case_worker
from webui.case_access import visible_complaint
from webui.db import db

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
