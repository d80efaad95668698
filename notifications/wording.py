"""Plain words for customers, in English and German: stages of a complaint and outcomes."""

from __future__ import annotations

LANGUAGES = ("en", "de")

STATUS_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "new": "received",
        "open": "being looked into",
        "waiting_customer": "waiting for information from you",
        "resolved": "resolved",
        "closed": "closed",
        "reopened": "reopened and being looked into again",
    },
    "de": {
        "new": "eingegangen",
        "open": "in Bearbeitung",
        "waiting_customer": "wartet auf Informationen von Ihnen",
        "resolved": "erledigt",
        "closed": "abgeschlossen",
        "reopened": "wieder geöffnet und erneut in Bearbeitung",
    },
}

OUTCOME_WORDS: dict[str, dict[str, str]] = {
    "en": {"upheld": "we agree with you", "partly_upheld": "we partly agree with you", "rejected": "not upheld"},
    "de": {"upheld": "berechtigt", "partly_upheld": "teilweise berechtigt", "rejected": "nicht berechtigt"},
}


def language(value: object) -> str:
    """One of the supported languages (``de-AT`` -> ``de``), English otherwise."""
    text = str(value or "").strip().lower()[:2]
    return text if text in LANGUAGES else "en"


def status_label(status: str | None, lang: str) -> str:
    """The stage of a complaint in plain words."""
    return STATUS_WORDS[language(lang)].get(status or "", status or "")


def outcome_label(outcome: str | None, lang: str) -> str:
    """The outcome of a complaint in plain words ('' when there is none)."""
    return OUTCOME_WORDS[language(lang)].get(outcome or "", outcome or "")
