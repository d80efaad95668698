"""Migration 0019 settles the complaints that were closed before it: at their final response, else their closure."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.store.complaints import Complaint
from tests.register.cases import add_cases, at

MIGRATION = Path(__file__).resolve().parents[2] / "engine/store/migrations/versions/0019_complaint_return_settlement.py"


def test_the_migration_settles_closed_complaints(session: Session) -> None:
    add_cases(session)
    # As before the migration: closure and final response recorded, nothing settled. L closed without a final
    # response; F closed again after its second final response; the others are not closed (only closed complaints
    # are settled by the migration: an answered complaint awaiting its closure settles when it is closed).
    session.execute(update(Complaint).values(settled_at=None, settled_band=None))
    session.execute(update(Complaint).where(Complaint.reference == "R-F").values(closed_at=at("2025-08-22")))
    session.commit()
    spec = importlib.util.spec_from_file_location("migration_0019", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.backfill(session.connection())
    session.commit()
    query = select(Complaint.reference, Complaint.settled_at, Complaint.settled_band)
    settled = {ref: (when, band) for ref, when, band in session.execute(query.where(Complaint.settled_at.is_not(None)))}
    assert settled == {
        "R-F": (at("2025-08-20"), "later"),  # its (second) final response, not its closure two days later
        "R-L": (at("2025-11-30"), "later"),  # no final response: the closure
    }
