"""Per-day summary rows of the regulators' returns: what one complaint contributes, as pure functions.

A complaint counts on the day (UTC) it was received and, once settled, on the day it was settled; each time with
the dimensions the returns, the cause table and the root-cause trends group by. The store keeps the sum of these
contributions per key (engine.store.return_days); a change of a complaint moves its contribution from the old key to
the new one (its old contribution is taken back, the new one added), so a reopening, a transfer or a changed outcome
leaves the summary equal to a recount from scratch.

Empty strings stand for "none" in the keys: a key column must never be NULL, or two "none" keys would not meet in
the unique key. Every lookup the returns do treats NULL and "" alike (no mapping has an empty key).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from engine.domain.classification import OUTCOMES_IN_FAVOUR

RECEIVED = "received"
SETTLED = "settled"
# The complaint columns a contribution depends on: a change of any other column leaves the summary alone.
TRACKED = (
    "created_at", "settled_at", "settled_band", "product_group", "product", "root_cause", "outcome",
    "resolution_amount", "resolution_currency", "currency",
)  # fmt: skip
KEY_FIELDS = ("day", "event", "product_group", "product", "root_cause", "currency", "band", "in_favour")


@dataclass(frozen=True, order=True)
class DayKey:
    """One summary row's key. Received rows carry the root cause (cause table, trends); settled rows the redress
    currency, the time-to-close band and whether the outcome was in the complainant's favour."""

    day: date
    event: str
    product_group: str
    product: str
    root_cause: str
    currency: str
    band: str
    in_favour: bool


@dataclass(frozen=True)
class Tally:
    """Complaints counted, how many of them recorded a redress amount, and the sum of those amounts."""

    complaints: int = 0
    amounts: int = 0
    redress: Decimal = Decimal("0.00")

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.complaints + other.complaints, self.amounts + other.amounts, self.redress + other.redress)

    def __neg__(self) -> Tally:
        return Tally(-self.complaints, -self.amounts, -self.redress)

    def __bool__(self) -> bool:
        return bool(self.complaints or self.amounts or self.redress)


def utc_day(moment: datetime) -> date:
    """The UTC calendar day of a stored time (naive values are UTC already)."""
    return moment.astimezone(UTC).date() if moment.tzinfo is not None else moment.date()


def whole_days(start: datetime, end: datetime) -> bool:
    """Whether ``[start, end)`` is made of whole UTC days, so the per-day summary can answer for it."""
    return all(moment.astimezone(UTC).time() == time() for moment in (start, end))


def contributions(values: Mapping[str, Any]) -> list[tuple[DayKey, Tally]]:
    """What a complaint with these TRACKED column values adds to the summary."""
    created = values["created_at"]
    if created is None:
        return []
    group, product = values["product_group"] or "", values["product"] or ""
    found = [(DayKey(utc_day(created), RECEIVED, group, product, values["root_cause"] or "", "", "", False), Tally(1))]
    settled = values["settled_at"]
    if settled is not None:
        amount = values["resolution_amount"]
        # As the returns' SQL: coalesce(resolution_currency, currency).
        currency = values["resolution_currency"] if values["resolution_currency"] is not None else values["currency"]
        key = DayKey(
            utc_day(settled), SETTLED, group, product, "", currency or "", values["settled_band"] or "",
            values["outcome"] in OUTCOMES_IN_FAVOUR,
        )  # fmt: skip
        redress = Tally(1, 0 if amount is None else 1, Decimal(str(amount)) if amount is not None else Decimal("0.00"))
        found.append((key, redress))
    return found


def add_into(totals: dict[DayKey, Tally], values: Mapping[str, Any] | None, sign: int = 1) -> None:
    """Add (``sign`` 1) or take back (-1) one complaint's contributions."""
    if values is None:
        return
    for key, tally in contributions(values):
        totals[key] = totals.get(key, Tally()) + (tally if sign > 0 else -tally)


def difference(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> dict[DayKey, Tally]:
    """The change of the summary when a complaint goes from ``old`` to ``new`` (None: not there); zeros dropped."""
    totals: dict[DayKey, Tally] = {}
    add_into(totals, old, -1)
    add_into(totals, new, 1)
    return {key: tally for key, tally in totals.items() if tally}


def month_key(key: DayKey) -> DayKey:
    """The key of the month row a day row rolls up into (its day: the first of the month)."""
    return replace(key, day=key.day.replace(day=1))


def by_month(totals: Mapping[DayKey, Tally]) -> dict[DayKey, Tally]:
    """Day rows (or changes of them) summed per month; zeros dropped."""
    months: dict[DayKey, Tally] = {}
    for key, tally in totals.items():
        month = month_key(key)
        months[month] = months.get(month, Tally()) + tally
    return {key: tally for key, tally in months.items() if tally}


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def spans(first: date | None, last: date) -> list[tuple[bool, date | None, date]]:
    """``[first, last)`` (``first`` None: from the beginning) as pieces ``(monthly, from, to)``: the whole months
    from the month rows, the days before the first whole month and after the last from the day rows."""
    whole_from = first if first is None or first.day == 1 else _next_month(first)
    whole_to = last.replace(day=1)
    if whole_from is not None and whole_from >= whole_to:
        return [(False, first, last)] if first is None or first < last else []
    pieces: list[tuple[bool, date | None, date]] = []
    if first is not None and whole_from is not None and first < whole_from:
        pieces.append((False, first, whole_from))
    pieces.append((True, whole_from, whole_to))
    if whole_to < last:
        pieces.append((False, whole_to, last))
    return pieces


def recount(rows: Iterable[Any]) -> dict[DayKey, Tally]:
    """The summary of these complaints (mappings of the TRACKED columns) from scratch (zeros dropped)."""
    totals: dict[DayKey, Tally] = {}
    for values in rows:
        add_into(totals, values)
    return {key: tally for key, tally in totals.items() if tally}
