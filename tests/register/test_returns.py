"""The FCA return and the BaFin report of the hand-made cases (tests/register/cases.py), figure by figure.

The expected values are counted by hand from the cases' comments; none is computed by the code under test.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store import returns
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
# group: received, closed, still open at the end, open already at the start, at least partly successful
BAFIN_EXPECTED = [
    ("banking_credit_cards", [2, 2, 1, 1, 1]),  # D, E | D, F | E | F | D
    ("insurance_pure_protection", [1, 0, 1, 0, 0]),  # G
    ("investments", [1, 1, 0, 0, 1]),  # H
    ("payment_services", [4, 3, 2, 1, 2]),  # B, C, M, N | A, B, N | C, M | A | A, N
    ("other_goods_services", [1, 1, 0, 0, 0]),  # L
    ("none", [1, 1, 0, 0, 0]),  # K
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


def test_bafin_report_of_the_hand_made_cases(session: Session) -> None:
    add_cases(session)
    table = returns.compute(session, returns.BAFIN, START, END)
    assert table.rows() == _ordered(BAFIN_EXPECTED)


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
