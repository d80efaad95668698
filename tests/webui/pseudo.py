"""A pseudo-locale: every catalogue text rendered inside markers, and a check for visible text without them.

The pseudo catalogue is the German one with each translation replaced by ``⟦English text⟧`` (placeholders kept),
compiled into a directory the app is started with instead of webui/translations. A page rendered with it shows
every text that went through gettext inside markers; any other word on it is user data, a date or number from
the locale (CLDR), or text that never went through the catalogue, which is what the pseudo walk reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.webui.test_translations import CATALOG

OPEN, CLOSE = "⟦", "⟧"
_MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
# A word: two letters or more (single letters are units, list markers, initials).
_WORD = re.compile(r"[^\W\d_]{2,}")
_SPACE = re.compile(r"\s+")


def _mark(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}"


def write_pseudo_catalogue(directory: Path, language: str = "de") -> Path:
    """Compile the pseudo catalogue as ``<directory>/<language>/LC_MESSAGES/messages.mo``; returns the directory."""
    with (CATALOG / "messages.po").open("rb") as handle:
        source = read_po(handle, locale="de")
    pseudo = Catalog(locale=language)
    for message in source:
        if not message.id:
            continue
        if isinstance(message.id, str):
            pseudo.add(message.id, _mark(message.id))
        else:
            singular, plural = message.id[0], message.id[1]
            pseudo.add(message.id, (_mark(singular), _mark(plural)))
    target = directory / language / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, pseudo)
    return directory


def _strings(data: object) -> list[str]:
    """Every string in CLDR's nested locale data."""
    if isinstance(data, str):
        return [data]
    if hasattr(data, "items"):
        return [text for _key, value in data.items() for text in _strings(value)]
    return []


def library_texts(language: str = "de") -> set[str]:
    """Messages WTForms translates with its own catalogue ("Dieses Feld wird benötigt."): German, not ours."""
    import wtforms

    path = Path(wtforms.__file__).parent / "locale" / language / "LC_MESSAGES" / "wtforms.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    texts = set()
    for message in catalogue:
        strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
        texts.update(text for text in strings if text and "%" not in text)
    return texts


def locale_words(language: str = "de") -> set[str]:
    """Words the locale data (CLDR) supplies, not the catalogue: month and day names, time units, zone names."""
    locale = Locale.parse(language)
    words: set[str] = set()
    for width in ("abbreviated", "wide", "narrow"):
        for context in ("format", "stand-alone"):
            words.update(locale.months[context][width].values())
            words.update(locale.days[context][width].values())
    words.update(_strings(locale._data["unit_patterns"]))
    for period in locale.day_periods.get("format", {}).get("abbreviated", {}).values():
        words.add(period)
    # The app's zone as people read it, and the words of relative times ("vor 3 Stunden", "in 2 Tagen").
    words.update({"CET", "CEST", "MEZ", "MESZ", "UTC", "vor", "in"})
    # Language names are shown in their own language (the language menu), and the product's name is a name.
    words.update({"Deutsch", "English", "complaintflow"})
    return {word.rstrip(".") for text in words for word in _WORD.findall(text)}


def data_pattern(data: Iterable[str]) -> re.Pattern[str]:
    """Any of the stored texts as a whole (not inside a longer word), longest first."""
    texts = sorted({text for text in data if len(text) >= 2}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(text) for text in texts) + r")(?!\w)")


def unmarked(texts: Iterable[str], data: re.Pattern[str], allowed_words: set[str]) -> set[str]:
    """The visible texts with a word that is neither inside markers, nor user data, nor from the locale data."""
    found = set()
    for raw in texts:
        text = _SPACE.sub(" ", raw).strip()
        if not text:
            continue
        rest = data.sub(" ", text)
        # Marked texts may hold marked texts (a label inside a sentence): strip the innermost until none is left.
        while True:
            stripped = _MARKED.sub(" ", rest)
            if stripped == rest:
                break
            rest = stripped
        if OPEN in rest or CLOSE in rest:
            found.add(text)
            continue
        words = [word for word in _WORD.findall(rest) if word not in allowed_words]
        if words:
            found.add(text)
    return found
