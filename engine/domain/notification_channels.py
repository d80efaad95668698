"""The notification channels by name: an outbox row's ``kind`` and a delivery log entry's ``channel``.

The engine only needs the names, to queue a row for a channel and to log a delivery; how each channel
sends lives in ``notifications/channels.py``, which registers one sender per name listed here. A new
channel is a name here and an entry there.
"""

from __future__ import annotations

CHANNEL_EMAIL = "email"
CHANNEL_IN_APP = "in_app"
CHANNEL_WEBHOOK = "webhook"

NOTIFICATION_CHANNELS = (CHANNEL_EMAIL, CHANNEL_IN_APP, CHANNEL_WEBHOOK)
