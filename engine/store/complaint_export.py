"""The cockpit's complaint export: every column of every complaint the KPI filter selects, with its customer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.complaints import Complaint, Customer
from engine.store.kpi import KpiFilter, filtered


def complaint_rows(session: Session, criteria: KpiFilter) -> tuple[list[str], Iterator[list[Any]]]:
    """The header (the complaint table's columns, then the customer's name and e-mail) and one row per complaint
    opened in the period (and filters), oldest first."""
    columns = [column.name for column in Complaint.__table__.columns]
    query = filtered(
        select(Complaint, Customer.name, Customer.email).join(Customer, Customer.id == Complaint.customer_id), criteria
    ).order_by(Complaint.created_at, Complaint.id)
    rows = (
        [getattr(complaint, name) for name in columns] + [customer, email]
        for complaint, customer, email in session.execute(query)
    )
    return [*columns, "customer_name", "customer_email"], rows
