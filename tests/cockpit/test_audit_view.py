"""The global audit view: filters, newest first, pages, CSV (defused) and JSON exports, who may see it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine.services.audit import record
from engine.store.complaints import Complaint
from engine.store.models import AuditEntry
from tests.conftest import DatabaseUnderTest
from tests.webui.support import Client, Seeded


def _add_entries(database: DatabaseUnderTest, seeded: Seeded, now: datetime) -> int:
    """Sixty entries by 'auditor' on the billing complaint, one with a formula-like message; returns its instance."""
    with database.session() as session:
        instance_id = session.scalars(
            select(Complaint.instance_id).where(Complaint.reference == seeded.complaints["billing"])
        ).one()
        assert instance_id is not None
        for number in range(60):
            record(session, "auditor", "note_added", now - timedelta(days=3, minutes=number), instance_id=instance_id,
                   after={"n": number})  # fmt: skip
        record(session, "auditor", "exported", now - timedelta(days=1), instance_id=instance_id,
               message="=HYPERLINK(\"http://evil\")", before={"a": 1}, after={"a": 2})  # fmt: skip
        session.commit()
        return instance_id


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_filters_pages_and_order(
    client_for: Callable[[str], Client], database: DatabaseUnderTest, seeded: Seeded, now: datetime
) -> None:
    instance_id = _add_entries(database, seeded, now)
    manager = client_for("manager")
    page = manager.text("/audit/?user=auditor")
    assert "Entries: 61 ·" in page and "Page 1 of 2" in page
    first = page.index("exported")  # the newest entry comes first
    assert first < page.index("note_added")
    assert "Page 2 of 2" in manager.text("/audit/?user=auditor&page=2")
    assert "Entries: 60 ·" in manager.text("/audit/?user=auditor&action=note_added")
    day = (now - timedelta(days=1)).date().isoformat()
    assert "Entries: 1 ·" in manager.text(f"/audit/?user=auditor&start={day}&end={day}")
    with database.session() as session:
        total = session.scalar(select(func.count()).where(AuditEntry.instance_id == instance_id))
    assert f"Entries: {total} ·" in manager.text(f"/audit/?reference={seeded.complaints['billing']}")
    assert f"Entries: {total} ·" in manager.text(f"/audit/?instance={instance_id}")
    assert "Entries: 0 ·" in manager.text(f"/audit/?reference={seeded.complaints['billing']}&user=nobody")
    for bad in ("start=yesterday", "instance=x", "page=0", "start=2026-11-10&end=2026-11-01"):
        assert manager.get(f"/audit/?{bad}").status_code == 400
    # The instance page and the case page link to the global view with their filter.
    assert f"/audit/?instance={instance_id}" in manager.text(f"/cockpit/instances/{instance_id}")
    assert f"/audit/?reference={seeded.complaints['billing']}" in manager.text(f"/cases/{seeded.complaints['billing']}")
    assert "/audit/" not in client_for("lead").text(f"/cases/{seeded.complaints['billing']}")


def test_csv_and_json_exports_of_the_filtered_entries(
    client_for: Callable[[str], Client], database: DatabaseUnderTest, seeded: Seeded, now: datetime
) -> None:
    _add_entries(database, seeded, now)
    admin = client_for("admin")
    response = admin.get("/audit/export.csv?user=auditor")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _rows(response.get_data(as_text=True))
    assert len(rows) == 61 and rows[0]["action"] == "exported"
    assert rows[0]["message"] == '\'=HYPERLINK("http://evil")'  # defused: a spreadsheet shows it as text
    assert rows[0]["reference"] == seeded.complaints["billing"] and json.loads(rows[0]["after"]) == {"a": 2}
    assert [json.loads(r["after"])["n"] for r in rows[1:4]] == [0, 1, 2]
    data = json.loads(admin.get("/audit/export.json?user=auditor&action=exported").get_data(as_text=True))
    assert data["count"] == 1 and data["filter"] == {"user": "auditor", "action": "exported"}
    entry = data["entries"][0]
    assert entry["message"] == '=HYPERLINK("http://evil")' and entry["before"] == {"a": 1}
    assert entry["at"] == (now - timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("user", "status"), [("manager", 200), ("admin", 200), ("lead", 403), ("agent", 403), ("designer", 403)]
)
def test_who_may_read_the_audit_log(client_for: Callable[[str], Client], user: str, status: int) -> None:
    client = client_for(user)
    for path in ("/audit/", "/audit/export.csv", "/audit/export.json"):
        assert client.get(path).status_code == status
    # Read-only: nothing accepts a write.
    assert client.post("/audit/").status_code in (403, 405)
