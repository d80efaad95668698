"""The message catalogue that every text for people goes through, inside a web request or not.

The web UI reads it through Flask-Babel (``webui/config.py`` points ``BABEL_TRANSLATION_DIRECTORIES`` here); the
dispatcher sends mails outside any request, so it loads the same compiled catalogue with
``babel.support.Translations`` for the recipient's language. One catalogue, one German text per English one:
``webui/translations/<lang>/LC_MESSAGES/messages.po`` (the web layer's, by history; nothing else lives there).
Texts in Python code outside the web UI are marked with :func:`N_` so ``pybabel extract -k N_`` finds them.
"""

from __future__ import annotations

import functools
from gettext import NullTranslations
from pathlib import Path
from typing import Any

from babel.support import Translations

CATALOGUE = Path(__file__).resolve().parents[1] / "webui" / "translations"
LANGUAGES = ("en", "de")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark a text for the catalogue where it is defined; it is translated where it is shown."""
    return message


def language(value: object) -> str:
    """One of the supported languages (``de-AT`` -> ``de``), English otherwise."""
    text = str(value or "").strip().lower()[:2]
    return text if text in LANGUAGES else "en"


@functools.cache
def translations(lang: str, directory: Path = CATALOGUE) -> NullTranslations:
    """The compiled catalogue of ``lang`` (English: the texts as they are)."""
    lang = language(lang)
    if lang == "en":
        return NullTranslations()
    return Translations.load(str(directory), [lang], domain="messages")


def gettext(lang: str, message: str, **values: Any) -> str:
    """``message`` in ``lang``, its ``%(name)s`` placeholders filled from ``values``."""
    text = translations(lang).gettext(message)
    return text % values if values else text


def ngettext(lang: str, singular: str, plural: str, num: int, **values: Any) -> str:
    """The singular or plural form for ``num`` in ``lang`` (German and English: one, other); ``%(num)d`` filled."""
    return translations(lang).ngettext(singular, plural, num) % {"num": num, **values}
