"""SLA targets as people type and read them: ``2,5 Arbeitsstunden`` in German, ``4 business hours`` in English.

The engine reads one canonical spelling (``engine.domain.calendar.parse_sla_duration``: English words with a
whole number, or ISO 8601). The admin pages show a target in the user's language and read it back: the unit
words come from the same catalogue entries the pages display (``%(num)d Arbeitstage``), numbers are read and
written with the locale's decimal sign, and the result is handed to the engine in its canonical spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, parse_decimal
from flask_babel import format_decimal, get_locale, ngettext

from engine.domain.calendar import parse_sla_duration


@dataclass(frozen=True)
class _Unit:
    """One unit of a target: how the engine spells it and how many minutes it is (days: None)."""

    canonical: str  # "business hour", "calendar day", ...
    minutes: int | None


# Each unit with the catalogue entry that names it (the same texts the pages show).
_UNITS: tuple[tuple[_Unit, str, str], ...] = (
    (_Unit("business day", None), "%(num)d business day", "%(num)d business days"),
    (_Unit("calendar day", None), "%(num)d calendar day", "%(num)d calendar days"),
    (_Unit("business hour", 60), "%(num)d business hour", "%(num)d business hours"),
    (_Unit("hour", 60), "%(num)d hour", "%(num)d hours"),
    (_Unit("business minute", 1), "%(num)d business minute", "%(num)d business minutes"),
    (_Unit("minute", 1), "%(num)d minute", "%(num)d minutes"),
)
_NUMBER_AND_WORDS = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(.+?)\s*$")


def _locale() -> str:
    return str(get_locale() or "en")


def _words() -> dict[str, _Unit]:
    """Unit word (lower case, singular and plural, in the user's language and in English) -> unit."""
    words: dict[str, _Unit] = {}
    for unit, singular, plural in _UNITS:
        for count in (1, 2):
            english = (singular if count == 1 else plural).replace("%(num)d", "").strip()
            translated = ngettext(singular, plural, count).replace(str(count), "", 1).strip()
            words.setdefault(english.lower(), unit)
            words.setdefault(translated.lower(), unit)
    return words


def _number(text: str) -> Decimal:
    """A number in the user's notation (``2,5`` in German); a plain ``2.5`` is read too when unambiguous."""
    try:
        return Decimal(parse_decimal(text, locale=_locale(), strict=True))
    except NumberFormatError:
        try:
            return Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValueError(text) from None


def parse_target(text: str) -> str:
    """The target the user typed, in the engine's spelling; ``ValueError`` when it is none.

    ``2,5 Arbeitsstunden`` -> ``150 business minutes``; ``5 Arbeitstage`` -> ``5 business days``; English and
    ISO 8601 (``PT2H``) pass as they are. Days must be whole (a business day has no fixed length).
    """
    value = text.strip()
    if not value:
        raise ValueError(text)
    match = _NUMBER_AND_WORDS.match(value)
    unit = _words().get(match[2].lower()) if match else None
    if match is None or unit is None:
        parse_sla_duration(value, business=True)  # English words or ISO, as the engine reads them
        return value
    amount = _number(match[1])
    if amount <= 0:
        raise ValueError(text)
    if unit.minutes is None:
        if amount != amount.to_integral_value():
            raise ValueError(text)
        count = int(amount)
        return f"{count} {unit.canonical}{'s' if count != 1 else ''}"
    minutes = amount * unit.minutes
    if minutes != minutes.to_integral_value():
        raise ValueError(text)
    whole = int(minutes)
    business = "business " if unit.canonical.startswith("business") else ""
    if whole % 60 == 0:
        hours = whole // 60
        return f"{hours} {business}hour{'s' if hours != 1 else ''}"
    return f"{whole} {business}minute{'s' if whole != 1 else ''}"


def format_target(spec: str | None) -> str:
    """A stored target in the user's language, as the input shows it and :func:`parse_target` reads it back.

    Half and quarter hours read as decimals (``2,5 Arbeitsstunden``); a spec the engine cannot read is shown
    as it is, so nothing the admin stored disappears.
    """
    if not spec:
        return ""
    try:
        duration = parse_sla_duration(spec, business=True)
    except ValueError:
        return spec
    if isinstance(duration.amount, int):
        days = duration.amount
        if duration.business:
            return ngettext("%(num)d business day", "%(num)d business days", days)
        return ngettext("%(num)d calendar day", "%(num)d calendar days", days)
    return _time_text(duration.amount, duration.business)


def _time_text(amount: timedelta, business: bool) -> str:
    minutes = int(amount.total_seconds() // 60)
    if minutes % 15 == 0 and minutes >= 60:
        hours = Decimal(minutes) / 60
        number = format_decimal(hours, format="#,##0.##")
        # The plural form follows the number: "1 Arbeitsstunde", "1,5 Arbeitsstunden".
        count = int(hours) if hours == int(hours) else 2
        if business:
            text = ngettext("%(num)d business hour", "%(num)d business hours", count)
        else:
            text = ngettext("%(num)d hour", "%(num)d hours", count)
        return text.replace(str(count), number, 1)
    if business:
        return ngettext("%(num)d business minute", "%(num)d business minutes", minutes)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


def parse_position(text: str, default: float) -> float:
    """A rule's place in the order: ``1,5`` or ``1.5`` between the first and the second rule."""
    try:
        return float(_number(text.strip())) if text.strip() else default
    except ValueError:
        return default
