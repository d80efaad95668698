"""The returns' tables that follow the designer's mapping (processes/regulation/returns.toml, engine.domain.return_map):
the BaFin report's categories as one SQL ``CASE`` per complaint, and the FCA table of complaints opened per product
group, product row and main cause. Set-based: one grouped query each, the mapping applied in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.domain.classification import PRODUCT_GROUPS
from engine.domain.return_days import RECEIVED, utc_day, whole_days
from engine.domain.return_map import NOT_MAPPED, ReturnMap
from engine.store.complaints import Complaint
from engine.store.return_days import pieces
from engine.store.returns import NO_GROUP, TOTAL, condition


def _lookup(column: Any, table: dict[str, str], fallback: str) -> ColumnElement[str]:
    """``CASE lower(trim(column)) WHEN name THEN value ... ELSE fallback END``: the key is computed once per row."""
    if not table:
        return literal(fallback)
    return case(table, value=func.lower(func.trim(column)), else_=fallback)


def category_expression(mapping: ReturnMap, product: Any = None, product_group: Any = None) -> ColumnElement[str]:
    """The BaFin category of a complaint (or of a summary row, given its columns): by product, else by product
    group, else the fallback."""
    product = Complaint.product if product is None else product
    product_group = Complaint.product_group if product_group is None else product_group
    by_group = _lookup(product_group, mapping.by_product_group, mapping.fallback)
    if not mapping.by_product:
        return by_group
    return case(mapping.by_product, value=func.lower(func.trim(product)), else_=by_group)


def category_condition(
    mapping: ReturnMap, measure: str, category: str, start: datetime, end: datetime
) -> ColumnElement[bool]:
    """The complaints behind one BaFin figure (``category`` or TOTAL): the figure's click-through list."""
    found = condition(measure, TOTAL, start, end)
    return found if category == TOTAL else and_(found, category_expression(mapping) == category)


@dataclass(frozen=True)
class CauseTable:
    """Complaints opened in the period per (product group, product row) and main cause."""

    causes: list[str]
    rows: list[tuple[str, str, list[int], int]]  # group, product row, count per cause, row total
    totals: list[int]
    total: int


def _group(column: Any) -> ColumnElement[str]:
    return case((column.in_(PRODUCT_GROUPS), column), else_=NO_GROUP)


def _cause_queries(mapping: ReturnMap, start: datetime, end: datetime) -> list[Select[tuple[Any, ...]]]:
    """Complaints received in ``[start, end)`` per group, product row and main cause: from the summary rows (month
    and day rows, engine.store.return_days) when the period is whole UTC days, as the pages ask, else from the
    complaints themselves."""
    if not whole_days(start, end):
        return [
            _cause_query(mapping, Complaint, func.count(), [Complaint.created_at >= start, Complaint.created_at < end])
        ]
    return [
        _cause_query(mapping, model, func.sum(model.complaints), [model.event == RECEIVED, *conditions])
        for model, conditions in pieces(utc_day(start), utc_day(end))
    ]


def _cause_query(mapping: ReturnMap, source: Any, counted: Any, where: list[Any]) -> Select[tuple[Any, ...]]:
    product = _lookup(source.product, mapping.fca_products, NOT_MAPPED)
    cause = _lookup(source.root_cause, mapping.fca_causes, NOT_MAPPED)
    grouped = _group(source.product_group)  # one object in SELECT and GROUP BY: PostgreSQL needs the same parameters
    return select(grouped, product, cause, counted).where(*where).group_by(grouped, product, cause)


def cause_table(session: Session, mapping: ReturnMap, start: datetime, end: datetime) -> CauseTable:
    """A grouped query (one per summary piece) over the complaints received in ``[start, end)``; the mapping names
    rows and causes."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for query in _cause_queries(mapping, start, end):
        for group, row, main_cause, count in session.execute(query):
            if count:  # summary rows that went back to zero
                cell = counts.setdefault((str(group), str(row)), {})
                cell[str(main_cause)] = cell.get(str(main_cause), 0) + int(count)
    known = list(dict.fromkeys(mapping.fca_causes.values()))
    seen = {main_cause for row in counts.values() for main_cause in row}
    causes = [c for c in known if c in seen] + ([NOT_MAPPED] if NOT_MAPPED in seen else [])
    order = [*PRODUCT_GROUPS, NO_GROUP]
    rows = []
    for group, row in sorted(counts, key=lambda k: (order.index(k[0]), k[1] == NOT_MAPPED, k[1])):
        values = [counts[(group, row)].get(c, 0) for c in causes]
        rows.append((group, row, values, sum(values)))
    totals = [sum(row[2][index] for row in rows) for index in range(len(causes))]
    return CauseTable(causes, rows, totals, sum(totals))
