"""The returns' figures from the summary rows (engine.store.return_days): the month rows of the period's whole
months and the day rows of the rest, a few small grouped queries whose cost depends on the months, days and
dimensions of the period, not on the number of complaints.

The counting rules are those of engine.store.returns (which still lists the complaints behind a figure):

- received: received rows of the period's days; closed, its bands, upheld and redress: settled rows of those days;
- outstanding at the start: received before the first day minus settled before it (a complaint is settled after
  it was received); outstanding at the end: the same before the end.

A period that is not made of whole UTC days (the pages always ask for whole days) is counted from the complaints
themselves (engine.store.returns.compute). Tests hold both to the same hand-counted figures and the summary to a
recount from scratch (tests/register/test_return_days.py).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.domain.classification import BAND_EIGHT_WEEKS, BAND_LATER, BAND_THREE_DAYS, PRODUCT_GROUPS
from engine.domain.return_days import RECEIVED, SETTLED, utc_day, whole_days
from engine.domain.return_map import ReturnMap
from engine.store import returns
from engine.store.return_days import pieces
from engine.store.returns_tables import category_expression

_BANDS = {BAND_THREE_DAYS: "closed_3_days", BAND_EIGHT_WEEKS: "closed_8_weeks", BAND_LATER: "closed_later"}
_COUNTED = tuple(measure for measure in returns.MEASURES if measure not in returns.SUMMED)


def compute(
    session: Session, kind: returns.ReturnKind, start: datetime, end: datetime, mapping: ReturnMap | None = None
) -> returns.ReturnTable:
    """Every figure of ``kind`` for ``[start, end)``, by product group or (``mapping``) by the designer's BaFin
    categories: the same figures as engine.store.returns.compute."""
    groups = mapping.category_ids() if mapping is not None else returns.GROUPS
    if not whole_days(start, end):
        grouping = category_expression(mapping) if mapping is not None else None
        return returns.compute(session, kind, start, end, grouping=grouping, groups=groups)
    first, last = utc_day(start), utc_day(end)
    figures: dict[str, dict[str, Any]] = {
        group: {**dict.fromkeys(_COUNTED, 0), "redress": {}} for group in (*groups, returns.TOTAL)
    }

    def by(model: Any) -> Any:
        if mapping is None:
            return model.product_group
        return category_expression(mapping, model.product, model.product_group)

    def key(group: Any) -> str:
        if mapping is not None:
            return str(group)
        return group if group in PRODUCT_GROUPS else returns.NO_GROUP

    def add(group: Any, measure: str, value: int) -> None:
        for name in (key(group), returns.TOTAL):
            figures[name][measure] += value

    for model, conditions in pieces(None, first):  # everything received or settled before the period
        grouped = by(model)  # one expression object in SELECT and GROUP BY (PostgreSQL: the same parameters)
        earlier = select(grouped, model.event, func.sum(model.complaints)).where(*conditions)
        for group, event, count in session.execute(earlier.group_by(grouped, model.event)):
            sign = 1 if event == RECEIVED else -1
            add(group, "outstanding_start", sign * int(count or 0))
            add(group, "outstanding_end", sign * int(count or 0))
    for model, conditions in pieces(first, last):
        dimensions = (by(model), model.event, model.band, model.in_favour, model.currency)
        sums = (func.sum(model.complaints), func.sum(model.amounts), func.sum(model.redress))
        within = select(*dimensions, *sums).where(*conditions).group_by(*dimensions)
        for group, event, band, in_favour, currency, count, amounts, redress in session.execute(within):
            count = int(count or 0)
            if event == RECEIVED:
                add(group, "received", count)
                add(group, "outstanding_end", count)
                continue
            if event != SETTLED:
                continue
            add(group, "closed", count)
            add(group, "outstanding_end", -count)
            if band in _BANDS:
                add(group, _BANDS[band], count)
            if in_favour:
                add(group, "upheld", count)
            if amounts:  # some complaint settled in the period recorded an amount in this currency
                amount = Decimal(str(redress)).quantize(Decimal("0.01"))
                for name in (key(group), returns.TOTAL):
                    per_currency = figures[name]["redress"]
                    per_currency[currency] = per_currency.get(currency, Decimal("0.00")) + amount
    for row in figures.values():
        row["redress"] = dict(sorted(row["redress"].items()))
    chosen = {group: {measure: row[measure] for measure in kind.measures} for group, row in figures.items()}
    return returns.ReturnTable(kind, start, end, chosen, groups)
