"""engine.runtime.redaction: only the data parts of a stored workflow state change, and it still runs on."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from engine.runtime.redaction import redact_state
from engine.runtime.serialization import decode_state
from engine.services.casework.tasks import claim_task, complete_task
from engine.store.complaints import Complaint
from tests.conftest import DatabaseUnderTest
from tests.privacy.support import LEAD
from tests.webui.support import Seeded


def _structure(node: object) -> object:
    """The state without its data parts (what must not change)."""
    if isinstance(node, dict):
        return {k: _structure(v) for k, v in node.items() if k not in ("data", "delta", "correlations", "bpmn_events")}
    if isinstance(node, list):
        return [_structure(item) for item in node]
    return node


def test_redaction_keeps_the_structure_and_the_instance_runs_on(
    database: DatabaseUnderTest, seeded: Seeded, now: datetime
) -> None:
    with database.session() as session:
        case = session.scalars(select(Complaint).where(Complaint.reference == seeded.complaints["billing"])).one()
        assert case.instance is not None
        state = case.instance.state
        # A replacement that would break every name it touched: upper-casing each string.
        redacted = redact_state(state, str.upper, {"customer_name"}, "[erased]")
        before, after = decode_state(state), decode_state(redacted)
        assert _structure(after) == _structure(before)
        task_data = [task["data"] for task in after["tasks"].values() if task.get("data")]
        assert task_data and all(data.get("customer_name") in (None, "[erased]") for data in task_data)
        assert any(data.get("description") == "THE ROUTER WAS BILLED TWICE IN MAY." for data in task_data)
        # Written back (the test database checks that every stored state restores), the process still completes.
        case.instance.state = redacted
        session.commit()
        task_id = seeded.tasks["billing"]
        claim_task(session, LEAD, task_id, now + timedelta(minutes=1))
        data = {"resolution": "explanation", "refund_amount": 0, "reply": "All sorted, thanks."}
        complete_task(session, LEAD, task_id, data, now + timedelta(minutes=2))
        session.refresh(case.instance)
        assert case.instance.status == "completed"
