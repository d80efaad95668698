"""Engine error messages in the user's language.

The engine knows no locale (it never imports Flask), so its errors carry English text such as
``instance 7 is completed and cannot be suspended``. Pages show an engine error through :func:`engine_message`,
which recognises the messages the staff pages can meet and gives them in the user's language with the same
values; a message not listed shows as it is (it is still complete, only English).
"""

from __future__ import annotations

import re

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from webui.labels import STATUS_LABELS, label

# (English pattern of the engine's message, its text for the user). Named groups fill the placeholders; a group
# named ``status`` is shown through the status labels.
_KNOWN: list[tuple[str, LazyString]] = [
    (r"give a reason for cancelling the instance", _l("give a reason for cancelling the instance")),
    (r"the reason is longer than (?P<limit>\d+) characters", _l("the reason is longer than %(limit)s characters")),
    (r"choose either a user or a group", _l("choose either a user or a group")),
    (r"instance data must be a JSON object", _l("instance data must be a JSON object")),
    (r"the retention period must be at least one day", _l("the retention period must be at least one day")),
    (r"this subtask is already done", _l("this subtask is already done")),
    (
        r"instance (?P<id>\d+) is (?P<status>\w+) and cannot be suspended",
        _l("instance %(id)s is %(status)s and cannot be suspended"),
    ),
    (r"instance (?P<id>\d+) is (?P<status>\w+), not suspended", _l("instance %(id)s is %(status)s, not suspended")),
    (r"instance (?P<id>\d+) is already (?P<status>\w+)", _l("instance %(id)s is already %(status)s")),
    (
        r"instance (?P<id>\d+) has no incident \(status (?P<status>\w+)\)",
        _l("instance %(id)s has no incident (status %(status)s)"),
    ),
    (r"task (?P<task>'.*') is no longer open \((?P<status>\w+)\)", _l("task %(task)s is no longer open")),
    (
        r"task (?P<task>'.*') was already completed by (?P<user>.+)",
        _l("task %(task)s was already completed by %(user)s"),
    ),
    (r"task (?P<task>'.*') is already claimed by (?P<user>.+)", _l("task %(task)s is already claimed by %(user)s")),
    (r"task (?P<task>'.*') was just claimed by (?P<user>.+)", _l("task %(task)s was just claimed by %(user)s")),
    (
        r"task (?P<task>'.*') is suspended with its process instance; it can be worked on after resume",
        _l("task %(task)s is suspended with its process instance; it can be worked on after resume"),
    ),
    (
        r"task (?P<task>'.*') was closed by its deadline before it was submitted",
        _l("task %(task)s was closed by its deadline before it was submitted"),
    ),
    (
        r"this hand-over was already answered by (?P<user>.+)",
        _l("this hand-over was already answered by %(user)s"),
    ),
    (
        r"this hand-over is already being handled by (?P<user>.+)",
        _l("this hand-over is already being handled by %(user)s"),
    ),
    (r"customer (?P<id>\d+) was already erased", _l("customer %(id)s was already erased")),
]
_PATTERNS = [(re.compile(pattern), text) for pattern, text in _KNOWN]


def engine_message(error: Exception | str) -> str:
    """The error's message in the user's language (as it is when it is not a known one)."""
    message = str(error)
    for pattern, text in _PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            values = dict(match.groupdict())
            if "status" in values and values["status"] in STATUS_LABELS:
                values["status"] = label(values["status"], "status")
            return str(text) % values if values else str(text)
    return message
