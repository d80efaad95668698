"""Plain words for mails and the customer portal: stages of a complaint, outcomes, priorities.

The texts are catalogue entries (``notifications.i18n``), translated into the reader's language where they are
shown; customers read plainer words for a stage than the staff labels (``being looked into``, not ``Open``).
"""

from __future__ import annotations

from notifications.i18n import LANGUAGES, N_, gettext, language

__all__ = ["LANGUAGES", "language", "outcome_label", "priority_label", "status_label"]

STATUS_WORDS: dict[str, str] = {
    "new": N_("received"),
    "open": N_("being looked into"),
    "waiting_customer": N_("waiting for information from you"),
    "resolved": N_("resolved"),
    "closed": N_("closed"),
    "reopened": N_("reopened and being looked into again"),
}

OUTCOME_WORDS: dict[str, str] = {
    "upheld": N_("we agree with you"),
    "partly_upheld": N_("we partly agree with you"),
    "rejected": N_("not upheld"),
}

# The same texts as the staff pages' priority labels, so a mail names a priority as the page does.
PRIORITY_WORDS: dict[str, str] = {
    "low": N_("Low"),
    "normal": N_("Normal"),
    "high": N_("High"),
    "critical": N_("Critical"),
}


def status_label(status: str | None, lang: str) -> str:
    """The stage of a complaint in plain words."""
    word = STATUS_WORDS.get(status or "")
    return gettext(lang, word) if word else status or ""


def outcome_label(outcome: str | None, lang: str) -> str:
    """The outcome of a complaint in plain words ('' when there is none)."""
    word = OUTCOME_WORDS.get(outcome or "")
    return gettext(lang, word) if word else outcome or ""


def priority_label(priority: str | None, lang: str) -> str:
    """A priority as the pages name it ('' when there is none; an unknown one as it is)."""
    word = PRIORITY_WORDS.get(priority or "")
    return gettext(lang, word) if word else priority or ""
