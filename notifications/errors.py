"""Delivery failures: transient ones are retried with backoff, permanent ones mark the row failed at once."""

from __future__ import annotations


class DeliveryError(Exception):
    """A send did not succeed; ``permanent`` says whether trying again could help."""

    permanent = False

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class TransientDeliveryError(DeliveryError):
    """The server is down, busy or answered 4xx/5xx-temporary: try again later."""


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help: unknown recipient, refused address, header injection, bad template."""

    permanent = True


class HeaderInjection(PermanentDeliveryError):
    """A name, address or subject contains a line break or control character; the mail is refused."""
