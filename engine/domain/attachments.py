"""Attachment rules for customer uploads (web form, API, mail): how many, how large, which types.

The declared content type is not trusted: the first bytes must match it, so an HTML page or a program
named ``invoice.pdf`` is refused. Filenames are reduced to a safe base name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from engine.domain.messages import msg

# Signatures of the types customers may send.
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass(frozen=True)
class AttachmentLimits:
    """Upload limits (from the channel settings)."""

    max_bytes: int = 5 * 1024 * 1024
    max_count: int = 5
    types: tuple[str, ...] = ("application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp", "text/plain")


@dataclass(frozen=True)
class Upload:
    """One file as received."""

    filename: str
    content_type: str
    content: bytes


def safe_filename(name: str) -> str:
    """A base name without paths, control characters or anything a shell or browser could misread."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = _SAFE_NAME.sub("_", base).strip(" .")[:150]
    return base or "attachment"


def _looks_like(content_type: str, content: bytes) -> bool:
    if content_type == "text/plain":
        if b"\x00" in content:
            return False
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    if content_type == "image/webp":
        return content.startswith(b"RIFF") and content[8:12] == b"WEBP"
    return any(content.startswith(magic) for magic in _MAGIC.get(content_type, ()))


def check_uploads(uploads: list[Upload], limits: AttachmentLimits, field: str = "attachments") -> list[Upload]:
    """The uploads with safe names, or FormValidationError-ready messages as ValueError(field message)."""
    if len(uploads) > limits.max_count:
        raise ValueError(msg("attachment.too_many", num=limits.max_count))
    checked = []
    for upload in uploads:
        name = safe_filename(upload.filename)
        content_type = (upload.content_type or "").split(";")[0].strip().lower()
        if not upload.content:
            raise ValueError(msg("attachment.empty", file=name))
        if len(upload.content) > limits.max_bytes:
            raise ValueError(msg("attachment.too_large", file=name, size=limits.max_bytes // 1024))
        if content_type not in limits.types:
            raise ValueError(msg("attachment.type_refused", file=name, type=content_type or "unknown"))
        if not _looks_like(content_type, upload.content):
            raise ValueError(msg("attachment.content_mismatch", file=name, type=content_type))
        checked.append(Upload(name, content_type, upload.content))
    return checked
