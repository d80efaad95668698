"""The FCA return and the BaFin report of the hand-made cases (tests/register/cases.py), figure by figure.

The expected values are counted by hand from the cases' comments; none is computed by the code under test.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.return_map import return_map_from_mapping
from engine.services.regulation.library import shipped_return_map
from engine.store import returns, returns_by_day, returns_tables
from engine.store.complaints import Complaint
from tests.register.cases import END, START, add_cases

D = Decimal
# group: outstanding_start, received, closed, closed_3_days, closed_8_weeks, closed_later, upheld, redress,
#        outstanding_end
FCA_EXPECTED = [
    # F | D, E | D, F | - | - | D, F later | D | D+F in EUR | E
    ("banking_credit_cards", [1, 2, 2, 0, 0, 2, 1, {"EUR": D("130.50")}, 1]),
    ("insurance_pure_protection", [0, 1, 0, 0, 0, 0, 0, {}, 1]),  # G (paused): nothing settled, no redress
    ("investments", [0, 1, 1, 1, 0, 0, 1, {"EUR": D("0.00")}, 0]),  # H (transferred)
    # A | B, C, M, N | A, B, N | B, N | A | - | A, N | A in EUR, N in GBP | C, M
    ("payment_services", [1, 4, 3, 2, 1, 0, 2, {"EUR": D("50.00"), "GBP": D("30.00")}, 2]),
    ("other_goods_services", [0, 1, 1, 0, 0, 1, 0, {}, 0]),  # L (closed without an answer)
    ("none", [0, 1, 1, 1, 0, 0, 0, {}, 0]),  # K (no redress recorded)
    # redress: 50 + 120.50 + 10 + 0 + 0 EUR (A, D, F, H, E is not settled); 30 GBP (N) on its own
    ("total", [2, 10, 8, 4, 1, 3, 4, {"EUR": D("180.50"), "GBP": D("30.00")}, 4]),
]
# BaFin section A by category (processes/regulation/returns.toml: product first, then product group, else "sonstige").
# category: received, closed, still open at the end, open already at the start, at least partly successful
BAFIN_EXPECTED = [
    ("anlageberatung", [1, 1, 0, 0, 1]),  # H (product group investments)
    ("depotgeschaeft", [1, 1, 0, 0, 1]),  # D (product "custody account")
    # B, C, M, N, E, G, K, L | A, B, N, F, K, L | C, M, E, G | A, F | A, N
    ("sonstige", [8, 6, 4, 2, 2]),
    ("total", [10, 8, 4, 2, 4]),
]


def _ordered(expected: list[tuple[str, list[object]]]) -> list[tuple[str, list[object]]]:
    """The expected rows in the return's group order (product groups as defined, then none, then total)."""
    order = [*returns.GROUPS, returns.TOTAL]
    return sorted(expected, key=lambda row: order.index(row[0]))


def test_fca_return_of_the_hand_made_cases(session: Session) -> None:
    add_cases(session)
    table = returns.compute(session, returns.FCA, START, END)
    assert table.rows() == _ordered(FCA_EXPECTED)  # home_finance (I, J) counts nothing and is left out


def test_the_per_day_summary_gives_the_same_hand_counted_figures(session: Session) -> None:
    """The pages count from the per-day summary rows (engine.store.returns_by_day): the same literal figures."""
    add_cases(session)
    assert returns_by_day.compute(session, returns.FCA, START, END).rows() == _ordered(FCA_EXPECTED)
    mapping = shipped_return_map()
    assert returns_by_day.compute(session, returns.BAFIN, START, END, mapping=mapping).rows() == BAFIN_EXPECTED


def test_bafin_report_of_the_hand_made_cases(session: Session) -> None:
    add_cases(session)
    mapping = shipped_return_map()
    grouping = returns_tables.category_expression(mapping)
    table = returns.compute(session, returns.BAFIN, START, END, grouping=grouping, groups=mapping.category_ids())
    assert table.rows() == BAFIN_EXPECTED  # the empty categories are left out, in the report's order
    found = {
        (measure, category): set(session.scalars(select(Complaint.reference).where(
            returns_tables.category_condition(mapping, measure, category, START, END)
        )))
        for measure, category in (("received", "depotgeschaeft"), ("upheld", "sonstige"), ("closed", "anlageberatung"))
    }  # fmt: skip
    assert found == {
        ("received", "depotgeschaeft"): {"R-D"},
        ("upheld", "sonstige"): {"R-A", "R-N"},
        ("closed", "anlageberatung"): {"R-H"},
    }


def test_fca_cause_table_of_the_hand_made_cases(session: Session) -> None:
    """Received in the period: B, C, M, N, D, E, G, H, K, L; every hand-made case has root cause billing_error, which
    returns.toml maps to "Charges and billing"; only B's product is mapped (card payment -> "Card payments")."""
    add_cases(session)
    table = returns_tables.cause_table(session, shipped_return_map(), START, END)
    # A period that is not whole days is counted from the complaints, not the per-day summary: the same table.
    assert returns_tables.cause_table(session, shipped_return_map(), START, END - timedelta(microseconds=1)) == table
    assert table.causes == ["Charges and billing"]
    assert table.rows == [
        ("banking_credit_cards", "not mapped", [2], 2),  # D, E
        ("insurance_pure_protection", "not mapped", [1], 1),  # G
        ("investments", "not mapped", [1], 1),  # H
        ("payment_services", "Card payments", [1], 1),  # B
        ("payment_services", "not mapped", [3], 3),  # C, M, N
        ("other_goods_services", "not mapped", [1], 1),  # L
        ("none", "not mapped", [1], 1),  # K
    ]
    assert (table.totals, table.total) == ([10], 10)


def test_the_mapping_is_checked() -> None:
    good = {"bafin": {"fallback": "x", "categories": [{"id": "x", "kind": "other", "label": "X", "label_de": "X"}]}}
    assert return_map_from_mapping(good).category_of("anything", None) == "x"
    bad = {**good, "bafin": {**good["bafin"], "by_product": {"depot": "nowhere"}}}
    with pytest.raises(ValueError, match="unknown bafin categories nowhere"):
        return_map_from_mapping(bad)
    with pytest.raises(ValueError, match="fallback"):
        return_map_from_mapping({"bafin": {**good["bafin"], "fallback": "y"}})


def _references(session: Session, measure: str, group: str) -> set[str]:
    found = returns.condition(measure, group, START, END)
    return set(session.scalars(select(Complaint.reference).where(found)))


def test_each_figure_lists_the_complaints_it_counts(session: Session) -> None:
    add_cases(session)
    assert _references(session, "outstanding_start", "total") == {"R-A", "R-F"}
    assert _references(session, "received", "payment_services") == {"R-B", "R-C", "R-M", "R-N"}
    assert _references(session, "closed", "total") == {"R-A", "R-B", "R-D", "R-F", "R-H", "R-K", "R-L", "R-N"}
    assert _references(session, "closed_3_days", "total") == {"R-B", "R-H", "R-K", "R-N"}
    assert _references(session, "closed_8_weeks", "total") == {"R-A"}
    assert _references(session, "closed_later", "banking_credit_cards") == {"R-D", "R-F"}
    assert _references(session, "upheld", "total") == {"R-A", "R-D", "R-H", "R-N"}
    assert _references(session, "outstanding_end", "total") == {"R-C", "R-M", "R-E", "R-G"}
    assert _references(session, "received", "none") == {"R-K"}
    assert _references(session, "received", "home_finance") == set()


def test_the_bands_of_the_hand_made_cases(session: Session) -> None:
    add_cases(session)
    bands = {
        reference: band for reference, band in session.execute(select(Complaint.reference, Complaint.settled_band))
    }
    assert bands == {
        "R-A": "8_weeks", "R-B": "3_days", "R-C": None, "R-M": "8_weeks", "R-D": "later", "R-E": None,
        "R-F": "later", "R-G": None, "R-H": "3_days", "R-I": "8_weeks", "R-J": None, "R-K": "3_days",
        "R-L": "later", "R-N": "3_days",
    }  # fmt: skip
