"""Every mail template exists in English and German, and the German one has no English sentence left in it."""

from __future__ import annotations

import re

import pytest

from engine.domain.notification_events import STAFF_EVENTS
from notifications.rendering import CUSTOMER_EVENTS, FALLBACK, render_mail

VALUES = {
    "reference": "C-2026-000042", "recipient_name": "Erika Muster", "complaint_subject": "Lieferung unvollständig",
    "status": "open", "status_label": "STATUS", "outcome_label": "OUTCOME", "status_link": "https://x.test/s",
    "rating_link": "https://x.test/r", "case_link": "https://x.test/c", "task_link": "https://x.test/t",
    "inbox_link": "https://x.test/i", "expected_response": "EXPECTED", "body": "BODY TEXT", "row_subject": "ROW",
    "task_title": "TASK TITLE", "due_at": "DUE", "priority": "PRIORITY", "sender_name": "Service Team",
}  # fmt: skip
# Words that read the same in both languages (names, technical terms) and may stay.
SAME = {"SLA", "E-Mail", "Service", "Team", "Link", "Status", "Feedback", "Details"}
_WORD = re.compile(r"[^\W\d_]{2,}")


def _text(markup: str) -> str:
    """The readable text of a mail part (HTML without its tags and styles)."""
    return re.sub(r"<[^>]+>", "\n", re.sub(r"<style.*?</style>", "", markup, flags=re.S))


def _lines(text: str) -> list[str]:
    for value in VALUES.values():
        text = text.replace(value, " ")
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("topic", [*CUSTOMER_EVENTS, *STAFF_EVENTS, FALLBACK])
def test_the_german_mail_has_no_english_line(topic: str) -> None:
    english, german = render_mail(topic, "en", VALUES), render_mail(topic, "de", VALUES)
    for part in ("subject", "text", "html"):
        english_lines = set(_lines(_text(getattr(english, part))))
        same = [
            line
            for line in _lines(_text(getattr(german, part)))
            if line in english_lines and set(_WORD.findall(line)) - SAME
        ]
        assert same == [], (topic, part)
