"""Webhook calls: JSON bodies signed with HMAC-SHA256, sent without following redirects.

Receivers check ``X-Complaintflow-Signature: sha256=<hex>`` over ``<timestamp>.<body>`` with the endpoint's
secret, reject old timestamps, and use ``X-Complaintflow-Delivery`` (the same on every retry) to ignore a
delivery they have already processed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

from notifications.errors import PermanentDeliveryError, TransientDeliveryError

SIGNATURE_HEADER = "X-Complaintflow-Signature"
TIMESTAMP_HEADER = "X-Complaintflow-Timestamp"
DELIVERY_HEADER = "X-Complaintflow-Delivery"
EVENT_HEADER = "X-Complaintflow-Event"


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for a body sent at ``timestamp`` (Unix seconds)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does (used by the tests' receiver): constant-time check of the signature."""
    try:
        expected = sign(secret, int(timestamp), body)
    except ValueError:
        return False
    return hmac.compare_digest(expected, signature or "")


def post(
    url: str, secret: str, event: str, delivery_id: str, payload: dict[str, Any], timestamp: int, timeout: float
) -> int:
    """POST the signed payload; returns the 2xx status or raises a transient/permanent DeliveryError."""
    body = body_bytes(payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "complaintflow-webhooks/1",
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as error:
        raise TransientDeliveryError(f"webhook {url}: {type(error).__name__}: {error}") from None
    status = response.status_code
    if 200 <= status < 300:
        return status
    text = f"webhook {url} answered {status}"
    # Server errors, timeouts at the far end and rate limits pass; other answers will not change by retrying.
    if status >= 500 or status in (408, 425, 429):
        raise TransientDeliveryError(text, status)
    raise PermanentDeliveryError(text, status)
