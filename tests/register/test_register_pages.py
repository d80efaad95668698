"""The register's pages: "Next" reads by keyset (after the previous page's last row), a page number by OFFSET; both
give the same rows, newest received first, ties broken by id."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from engine.store import register
from engine.store.complaints import Complaint, Customer
from tests.conftest import DatabaseUnderTest
from tests.register.cases import CASES, END, START, add_cases
from tests.webui.support import Client


def test_keyset_pages_equal_offset_pages(session: Session) -> None:
    add_cases(session)
    criteria = register.RegisterFilter()
    by_offset, by_keyset = [], []
    page = register.page(session, criteria, 1, 3)
    pages = page.pages
    assert pages == 5  # 14 hand-made cases, 3 per page
    cursor = None
    for number in range(1, pages + 1):
        by_offset += [row["reference"] for row in register.page(session, criteria, number, 3).rows]
        keyed = register.page(session, criteria, 1, 3, after=cursor)  # the number plays no part with a cursor
        by_keyset += [row["reference"] for row in keyed.rows]
        cursor = register.parse_cursor(keyed.cursor() or "")
    assert by_keyset == by_offset
    assert sorted(by_keyset) == sorted(case.reference for case in CASES)  # each once
    assert by_keyset[:3] == ["R-J", "R-M", "R-C"]  # newest received first: 1 Jan 2026, 28 Dec, 20 Dec 2025
    with pytest.raises(ValueError):
        register.parse_cursor("2025-01-01T00:00:00|x")
    # Within a period (the cursor replaces its end as the upper bound; its start still holds): the ten received in
    # the second half of 2025, newest first, the same both ways.
    half = register.RegisterFilter(start=START, end=END)
    first = register.page(session, half, 1, 4)
    second = register.page(session, half, 2, 4, after=register.parse_cursor(first.cursor() or ""))
    third = register.page(session, half, 3, 4, after=register.parse_cursor(second.cursor() or ""))
    keyed = [row["reference"] for page_ in (first, second, third) for row in page_.rows]
    offset = [row["reference"] for number in (1, 2, 3) for row in register.page(session, half, number, 4).rows]
    assert keyed == offset and len(keyed) == 10 and keyed[0] == "R-M"  # J (1 January 2026) is after the period


def test_the_register_count_from_the_summary_equals_the_count_of_the_complaints(session: Session) -> None:
    """A filter of whole days (and a product group) is counted from the returns' summary rows; anything else from
    the complaints. The hand-made cases received in the second half of 2025: B, C, M, D, E, G, H, K, L, N."""
    add_cases(session)
    half = register.RegisterFilter(start=START, end=END)
    assert register.page(session, half, 1, 3).total == 10
    just_before = register.RegisterFilter(start=START, end=END - timedelta(microseconds=1))  # counted row by row
    assert register.page(session, just_before, 1, 3).total == 10
    payments = register.RegisterFilter(start=START, end=END, values=(("product_group", "payment_services"),))
    assert register.page(session, payments, 1, 3).total == 4  # B, C, M, N
    year = register.RegisterFilter(start=START - timedelta(days=181), end=END + timedelta(days=1))  # partial months
    assert register.page(session, year, 1, 3).total == 14  # every case: I in March 2025 ... J on 1 January 2026


def test_the_next_link_carries_the_keyset(database: DatabaseUnderTest, client_for: Callable[[str], Client]) -> None:
    with database.session() as session:
        customer = Customer(name="Many", email="many@example.org", created_at=START)
        for number in range(55):  # more than one page of 50, one a day from 1 July 2025
            received = START + timedelta(days=number)
            session.add(Complaint(
                reference=f"K-{number:02d}", customer=customer, channel="email", subject="s", description="d",
                created_at=received, created_by="test", updated_at=received,
            ))  # fmt: skip
        session.commit()
    manager = client_for("manager")
    first = manager.text("/register/?start=2025-07-01&end=2025-12-31")
    found = re.search(r'href="([^"]*after=[^"]*)" rel="next"', first)
    assert found is not None
    second = manager.text(html.unescape(found.group(1)))
    assert re.findall(r">(K-\d\d)<", second) == ["K-04", "K-03", "K-02", "K-01", "K-00"]  # the oldest five
    assert manager.get("/register/?after=yesterday").status_code == 400
    assert manager.get("/returns/fca/complaints?measure=closed&group=total&after=2025-01-01|x").status_code == 400
