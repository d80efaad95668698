"""Interfaces the engine needs from the outside world, implemented elsewhere and wired in by the app.

The engine never imports ``notifications``: it writes outbox rows in its own transaction, and after
the commit whoever composed the application hands them to a :class:`Notifier`.
"""

from __future__ import annotations

from typing import Protocol

from engine.store.outbox import OutboxMessage


class Notifier(Protocol):
    """Delivers one outbox message (SMTP, in-app, webhook); raises on failure so it is retried."""

    def deliver(self, message: OutboxMessage) -> None: ...
