"""The regulators' returns for a period ``[start, end)``: the FCA complaints return (DISP 1 Annex 1R) and the BaFin
complaints report (MaComp BT 12), per product group and in total. Sources and definitions: docs/regulation.md.

Every figure is a count (or sum) over ONE condition on the complaint row (:data:`MEASURES`); the page's link
from a figure lists the complaints matching exactly that condition and group (:func:`condition`), so the list
always adds up to the figure.

- received / opened: received in the period (``created_at``);
- settled (closed): the final response, or the closure when none was sent, in the period (``settled_at``); a
  reopened complaint is open again until it is settled again, so a return recomputed after a reopening moves it;
- outstanding at a date: received before it and not settled before it;
- upheld (FCA) / at least partly successful (BaFin): settled in the period with outcome upheld or partly upheld
  (the FCA counts a partly upheld complaint as upheld);
- redress: the sum of ``resolution_amount`` of the complaints settled in the period, per currency (a mapping
  currency -> amount; amounts in different currencies are never added).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.domain.classification import (
    BAND_EIGHT_WEEKS,
    BAND_LATER,
    BAND_THREE_DAYS,
    OUTCOMES_IN_FAVOUR,
    PRODUCT_GROUPS,
)
from engine.store.complaints import Complaint

Condition = Callable[[datetime, datetime], ColumnElement[bool]]
NO_GROUP = "none"  # complaints without a (known) product group
TOTAL = "total"


def _received(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(Complaint.created_at >= start, Complaint.created_at < end)


def _settled(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(Complaint.settled_at >= start, Complaint.settled_at < end)


def _open_at(moment: datetime) -> ColumnElement[bool]:
    return and_(Complaint.created_at < moment, or_(Complaint.settled_at.is_(None), Complaint.settled_at >= moment))


def _band(band: str) -> Condition:
    return lambda start, end: and_(_settled(start, end), Complaint.settled_band == band)


def _in_favour(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(_settled(start, end), Complaint.outcome.in_(OUTCOMES_IN_FAVOUR))


MEASURES: dict[str, Condition] = {
    "outstanding_start": lambda start, _end: _open_at(start),
    "received": _received,
    "closed": _settled,
    "closed_3_days": _band(BAND_THREE_DAYS),
    "closed_8_weeks": _band(BAND_EIGHT_WEEKS),
    "closed_later": _band(BAND_LATER),
    "upheld": _in_favour,
    "redress": _settled,  # summed, not counted
    "outstanding_end": lambda _start, end: _open_at(end),
}
SUMMED = frozenset({"redress"})


@dataclass(frozen=True)
class ReturnKind:
    """A return: its id, the measures it reports (its columns) in order."""

    name: str
    measures: tuple[str, ...]


FCA = ReturnKind(
    "fca",
    ("outstanding_start", "received", "closed", "closed_3_days", "closed_8_weeks", "closed_later", "upheld",
     "redress", "outstanding_end"),
)  # fmt: skip
# MaComp BT 12.2 annex, section A: received, settled, open at the reference date, open since the previous year's
# end, at least partly successful.
BAFIN = ReturnKind("bafin", ("received", "closed", "outstanding_end", "outstanding_start", "upheld"))
KINDS = {kind.name: kind for kind in (FCA, BAFIN)}
GROUPS = (*PRODUCT_GROUPS, NO_GROUP)


def _nonzero(figure: Any) -> bool:
    return any(figure.values()) if isinstance(figure, dict) else bool(figure)


@dataclass(frozen=True)
class ReturnTable:
    """Figures per group (PRODUCT_GROUPS, then NO_GROUP, then TOTAL) and measure."""

    kind: ReturnKind
    start: datetime
    end: datetime
    figures: dict[str, dict[str, Any]]
    groups: tuple[str, ...] = GROUPS  # in report order; TOTAL comes last

    def rows(self) -> list[tuple[str, list[Any]]]:
        """(group, figures in measure order), groups without any figure left out, the total last."""
        shown = [group for group in self.groups if any(_nonzero(self.figures[group][m]) for m in self.kind.measures)]
        return [(group, [self.figures[group][m] for m in self.kind.measures]) for group in (*shown, TOTAL)]


def _group_condition(group: str) -> ColumnElement[bool] | None:
    if group == TOTAL:
        return None
    if group == NO_GROUP:  # none, or one no return knows
        return or_(Complaint.product_group.is_(None), Complaint.product_group.not_in(PRODUCT_GROUPS))
    if group not in PRODUCT_GROUPS:
        raise ValueError(f"unknown product group {group!r}")
    return Complaint.product_group == group


def condition(measure: str, group: str, start: datetime, end: datetime) -> ColumnElement[bool]:
    """The complaints behind one figure: ``measure`` (a key of MEASURES) for ``group`` (or TOTAL)."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    found = MEASURES[measure](start, end)
    group_condition = _group_condition(group)
    return found if group_condition is None else and_(found, group_condition)


REDRESS_CURRENCY = func.coalesce(Complaint.resolution_currency, Complaint.currency)


def _key(group: str | None) -> str:
    return group if group in PRODUCT_GROUPS else NO_GROUP


def _add(figures: dict[str, dict[str, Any]], group: str, measure: str, value: int) -> None:
    for key in (group, TOTAL):
        figures[key][measure] += value


def _add_redress(figures: dict[str, dict[str, Any]], group: str, currency: str, amount: Decimal) -> None:
    for key in (group, TOTAL):
        per_currency = figures[key]["redress"]
        per_currency[currency] = per_currency.get(currency, Decimal("0.00")) + amount


def _relevant(start: datetime, end: datetime) -> ColumnElement[bool]:
    """What any measure can count: received before the end and not settled before the start."""
    return and_(Complaint.created_at < end, or_(Complaint.settled_at.is_(None), Complaint.settled_at >= start))


def compute(
    session: Session,
    kind: ReturnKind,
    start: datetime,
    end: datetime,
    grouping: ColumnElement[str] | None = None,
    groups: tuple[str, ...] = GROUPS,
) -> ReturnTable:
    """Every figure of ``kind`` for the period in ONE pass over the covering index ``ix_complaint_return``: per
    product group and redress currency, a ``CASE`` sum per measure over exactly the conditions the click-through
    lists use. Redress is summed per currency (``resolution_currency``, else the complaint's), never across them.

    ``grouping`` (an SQL expression giving one of ``groups`` per complaint) replaces the product group: the BaFin
    report counts by the categories of the designer's mapping (engine.store.returns_tables.category_expression)."""
    figures: dict[str, dict[str, Any]] = {
        group: {measure: ({} if measure in SUMMED else 0) for measure in kind.measures} for group in (*groups, TOTAL)
    }
    by = Complaint.product_group if grouping is None else grouping
    columns = [
        func.sum(case((MEASURES[measure](start, end), Complaint.resolution_amount), else_=None))
        if measure in SUMMED
        else func.sum(case((MEASURES[measure](start, end), 1), else_=0))
        for measure in kind.measures
    ]
    query = select(by, REDRESS_CURRENCY, *columns).where(_relevant(start, end)).group_by(by, REDRESS_CURRENCY)
    for group, currency, *values in session.execute(query):
        key = _key(group) if grouping is None else str(group)
        for measure, figure in zip(kind.measures, values, strict=True):
            if measure in SUMMED:
                if figure is not None:  # some complaint settled in the period recorded an amount in this currency
                    _add_redress(figures, key, str(currency), Decimal(str(figure)).quantize(Decimal("0.01")))
            else:
                _add(figures, key, measure, int(figure or 0))
    for row in figures.values():
        if "redress" in row:
            row["redress"] = dict(sorted(row["redress"].items()))
    return ReturnTable(kind, start, end, figures, groups)
