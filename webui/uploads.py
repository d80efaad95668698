"""Files a staff form uploads: reading them from the request, the channel's limits, messages in the user's language.

The limits are the customer channel's (``webui.portal.limits``), a file capped by the request size limit.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from engine.domain.attachments import AttachmentLimits, Upload
from webui.engine_text import field_text
from webui.portal import limits


def form_uploads(field: str = "files") -> list[Upload]:
    """The files chosen in a form's file input (empty inputs ignored)."""
    files = [item for item in request.files.getlist(field) if item and item.filename]
    return [Upload(item.filename or "", item.mimetype or "", item.read()) for item in files]


def upload_limits() -> AttachmentLimits:
    """The channel's attachment limits (the same as for customers), a file capped by the request size limit."""
    configured = limits()
    request_cap = int(current_app.config.get("MAX_CONTENT_LENGTH") or configured.max_bytes)
    return AttachmentLimits(min(configured.max_bytes, request_cap), configured.max_count, configured.types)


def upload_error_text(message: str) -> str:
    """An attachment check's message in the user's language."""
    return field_text(message) or message


def limits_hint(limits: AttachmentLimits) -> dict[str, Any]:
    """Numbers for the hint next to a file input."""
    return {"count": limits.max_count, "size": limits.max_bytes // 1024, "types": ", ".join(limits.types)}
