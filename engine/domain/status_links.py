"""Private status links for customers: an HMAC of the complaint reference under the installation's secret.

Nothing is stored, so a link can be put into the receipt mail by whoever renders it; without the secret a
link cannot be guessed (192 bits), and checking one needs no database read, so a wrong link costs the
same time whether the complaint exists or not.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

TOKEN_LENGTH = 32  # base64url characters = 192 bits


def _key(secret: str) -> bytes:
    # A key of its own, derived from the app secret, so a status token is never a valid session signature.
    return hmac.new(secret.encode("utf-8"), b"complaintflow status link v1", hashlib.sha256).digest()


def status_token(secret: str, reference: str) -> str:
    """The token for one complaint reference."""
    if not secret:
        raise ValueError("no secret key configured for status links")
    digest = hmac.new(_key(secret), reference.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:TOKEN_LENGTH]


def token_matches(secret: str, reference: str, token: str) -> bool:
    """True when ``token`` is the reference's token (constant-time comparison)."""
    expected = status_token(secret, reference)
    return hmac.compare_digest(expected.encode("ascii"), (token or "").encode("utf-8", "replace"))
