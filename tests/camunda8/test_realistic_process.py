"""Camunda's own "realistic" benchmark process, deployed unchanged and driven path by path over /v2.

The files in tests/camunda8/realistic/ are Camunda's (see SOURCE.md there). Workers activate and complete jobs
over /v2/jobs, messages are published over /v2/messages with the keys the model's FEEL gives, timers fire as
the scheduler fires them, and the manual decision is a user task completed over /v2/user-tasks.

The expected outcomes, worked out by hand from the model (not copied from the engine):

* The start payload has customerId 123, disputeId 456, 50 dispute positions and disputeAmount.amount 9734.2.
  The document sub-process maps correlationKey to null locally; its start event's output sets it to
  ``string(456) + "-" + string(123)`` = "456-123", the key of the document message. The investigation's start
  event sets vendor_claim_frequency 5 and customer_claim_frequency 1 (no local variables there, so they
  reach the process scope). Each vendor validation instance has correlationKey "123-" + the position's name.
* determineFraudRatingConfidence (COLLECT) with customer frequency 1, vendor frequency 5, amount A:
  rule 1 (customer < 5) gives score -3 / confidence 10; rule 4 (vendor in [5..20]) gives 3 / -3; rules 2, 3
  and 5 never match; the amount rules give -5 / 5 below 1000, 5 / -3 in [1000..10000], 8 / -10 above 10000.
  The outputs isRefund = mean(scores) > 0 and isHighFraudRatingConfidence = mean(confidences) > 0:
  - A = 9734.2: scores [-3, 3, 5] mean 5/3 -> refund; confidences [10, -3, -3] mean 4/3 -> high confidence;
  - A = 500:    scores [-3, 3, -5] mean -5/3 -> no refund; confidences [10, -3, 5] mean 4 -> high;
  - A = 20000:  scores [-3, 3, 8] mean 8/3 -> refund; confidences [10, -3, -10] mean -1 -> low confidence,
    the escalation end event is caught by "manual decision required" on the investigation: user task.
* The refund path calls refundingProcess once per position (propagateAllParentVariables false: the child sees
  only customer and disputeId); outputElement =refundedPosition is null in every inner instance (no child
  variable comes back: propagateAllChildVariables false), so refundedAmount is a list of 50 nulls.
* fraud_score_result is the business rule task's result variable; with output mappings it stays local to
  the task (Camunda 8 keeps a job's or decision's result local when output mappings exist).
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from complaintflow.web import OPERATOR
from designer_export import Upload
from designer_export import api as designer
from engine.services.instances import lifecycle as instances
from engine.services.instances.timers import fire_due_timers
from engine.services.users import accounts as user_service
from engine.store.element_visits import ElementVisit
from engine.store.models import ProcessInstance
from engine.store.queries import open_incident
from tests.camunda7.conftest import PASSWORD, basic
from tests.camunda8.conftest import V2
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import ADMIN, open_tasks

REALISTIC = Path(__file__).resolve().parent / "realistic"
FILES = ("bankCustomerComplaintDisputeHandling.bpmn", "refundingProcess.bpmn", "determineFraudRatingConfidence.dmn")
PAYLOAD = json.loads((REALISTIC / "realisticPayload.json").read_text(encoding="utf-8"))
POSITIONS = [position["name"] for position in PAYLOAD["disputeDetails"]["disputePositions"]]
SETTLED_REFUND, SETTLED_NO_REFUND = "Event_141j9th", "Event_190ve02"


class Dispute:
    """One instance of the process and the calls a worker, the bank's systems and a vendor make."""

    def __init__(self, v2: V2, database: DatabaseUnderTest, amount: float | None = None) -> None:
        self.v2, self.database = v2, database
        variables = copy.deepcopy(PAYLOAD)
        if amount is not None:
            variables["disputeDetails"]["disputeAmount"]["amount"] = amount
        response = v2.post("/process-instances", {"processDefinitionId": "bankDisputeHandling", "variables": variables})
        assert response.status_code == 200, response.get_data(as_text=True)
        self.id = int(response.get_json()["processInstanceKey"])
        self.jobs: list[dict[str, Any]] = []

    def work(self, job_type: str, expected: int, result: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Activate every job of the type (expecting ``expected``) and complete each with ``result``."""
        body = {"type": job_type, "worker": "test", "timeout": 60_000, "maxJobsToActivate": 100, "requestTimeout": -1}
        jobs = self.v2.post("/jobs/activation", body).get_json()["jobs"]
        assert len(jobs) == expected, (job_type, len(jobs))
        for job in jobs:
            done = self.v2.post(f"/jobs/{job['jobKey']}/completion", {"variables": result or {}})
            assert done.status_code == 204, done.get_data(as_text=True)
        self.jobs.extend(jobs)
        return jobs

    def publish(self, name: str, key: str, variables: dict[str, Any] | None = None) -> None:
        body = {"name": name, "correlationKey": key, "variables": variables or {}}
        response = self.v2.post("/messages/publication", body)
        assert response.status_code == 200, response.get_data(as_text=True)

    def documents_arrive(self) -> None:
        [notice] = self.work("customer_notification", 1)
        assert notice["variables"]["type"] == "dispute_request_documents"  # the job's local input mapping
        assert notice["variables"]["correlationKey"] == "456-123"
        self.publish("dispute_process_receive_documents", "456-123", {"documentsReceived": True})
        self.work("extract_data_from_document", 1)

    def vendors_asked(self) -> None:
        proofs = self.work("dispute_process_request_proof_from_vendor", len(POSITIONS))
        assert sorted(job["variables"]["disputePosition"]["name"] for job in proofs) == sorted(POSITIONS)
        assert {job["variables"]["loopCounter"] for job in proofs} == set(range(1, len(POSITIONS) + 1))
        assert {job["variables"]["correlationKey"] for job in proofs} == {f"123-{name}" for name in POSITIONS}
        self.work("dispute_process_request_get_vendor_info", len(POSITIONS))

    def instance(self) -> ProcessInstance:
        with self.database.session() as session:
            instance = session.get(ProcessInstance, self.id)
            session.expunge(instance)
            return instance

    def ended(self, element_id: str) -> int:
        with self.database.session() as session:
            query = select(func.count()).where(
                ElementVisit.instance_id == self.id, ElementVisit.element_id == element_id
            )
            return int(session.scalar(query) or 0)


@pytest.fixture
def realistic(v2: V2, database: DatabaseUnderTest, now: Any) -> V2:
    """The files deployed as a designer would (check, then deploy) and a team lead for the manual decision."""
    with database.session() as session:
        lead = user_service.UserData("lead", "Lead", "l@example.org", PASSWORD, "en", ("team_lead",), ())
        user_service.ensure_users(session, OPERATOR, {}, [lead], now - timedelta(days=1))
        session.commit()
        uploads = [Upload(name, (REALISTIC / name).read_bytes()) for name in FILES]
        outcome = designer.deploy_files(session, ADMIN, uploads, now)
        assert outcome.deployed, [(r.file, r.status, [d.message for d in r.diagnostics]) for r in outcome.reports]
        session.commit()
    return v2


def test_the_check_finds_nothing_it_cannot_run(realistic: V2, database: DatabaseUnderTest) -> None:
    with database.session() as session:
        reports = designer.check_files(session, [Upload(name, (REALISTIC / name).read_bytes()) for name in FILES])
    assert [d for report in reports for d in report.diagnostics if d.severity == "error"] == []
    # Left as warnings: the linked Camunda Form is not part of the upload and the task names nobody.
    warnings = {(d.code, d.element_id) for report in reports for d in report.diagnostics if d.severity == "warning"}
    assert warnings == {("form-not-rendered", "Activity_0ynau00"), ("unassigned-task", "Activity_0ynau00")}


def test_refund_path(realistic: V2, database: DatabaseUnderTest) -> None:
    dispute = Dispute(realistic, database)
    dispute.documents_arrive()
    dispute.vendors_asked()
    for name in POSITIONS:
        dispute.publish("dispute_process_refund_approved", f"123-{name}")
    refunds = dispute.work("refunding", len(POSITIONS))
    # propagateAllParentVariables="false": the called process sees only its input mappings.
    assert all(sorted(job["variables"]) == ["customer", "disputeId"] for job in refunds)
    assert refunds[0]["variables"]["disputeId"] == 456
    [inform] = dispute.work("inform_about_successful_claim", 1)
    assert inform["variables"]["type"] == "dispute_successful"
    instance = dispute.instance()
    assert instance.status == "completed"
    variables = instance.variables
    assert (variables["isRefund"], variables["isHighFraudRatingConfidence"]) == (True, True)
    assert variables["refundedAmount"] == [None] * len(POSITIONS)
    assert variables["correlationKey"] == "local-load-test"  # the sub-processes' locals are gone
    for local in ("type", "disputePosition", "loopCounter", "fraud_score_result", "refundedPosition"):
        assert local not in variables
    assert dispute.ended("Event_0xql8jl") == 1 and dispute.ended("Event_0tbz2j0") == len(POSITIONS)
    assert dispute.ended(SETTLED_REFUND) == 1 and dispute.ended("Event_06mglrs") == len(POSITIONS)


def test_no_refund_path(realistic: V2, database: DatabaseUnderTest) -> None:
    dispute = Dispute(realistic, database, amount=500)
    dispute.documents_arrive()
    dispute.vendors_asked()
    for name in POSITIONS:
        dispute.publish("dispute_process_refund_approved", f"123-{name}")
    [inform] = dispute.work("inform_about_failed_claim", 1)
    assert inform["variables"]["type"] == "dispute_unsuccessful"
    dispute.work("refunding", 0)
    instance = dispute.instance()
    assert instance.status == "completed"
    assert (instance.variables["isRefund"], instance.variables["isHighFraudRatingConfidence"]) == (False, True)
    assert dispute.ended(SETTLED_NO_REFUND) == 1 and dispute.ended(SETTLED_REFUND) == 0


def _decide(realistic: V2, dispute: Dispute, variables: dict[str, Any]) -> None:
    found = realistic.post("/user-tasks/search", {"filter": {"processInstanceKey": str(dispute.id)}}, basic("lead"))
    [task] = found.get_json()["items"]
    assert task["elementId"] == "Activity_0ynau00"
    done = realistic.post(f"/user-tasks/{task['userTaskKey']}/completion", {"variables": variables}, basic("lead"))
    assert done.status_code == 204, done.get_data(as_text=True)


def test_low_confidence_escalates_to_a_manual_decision(realistic: V2, database: DatabaseUnderTest) -> None:
    dispute = Dispute(realistic, database, amount=20000)
    dispute.documents_arrive()
    dispute.vendors_asked()
    for name in POSITIONS:
        dispute.publish("dispute_process_refund_approved", f"123-{name}")
    assert dispute.ended("Event_03e7cpa") == 1  # "low confidence - escalate"
    with database.session() as session:
        assert [task.element_id for task in open_tasks(session, dispute.id)] == ["Activity_0ynau00"]
    # isRefund was set in the process scope before the escalation: the decision keeps it unless changed.
    _decide(realistic, dispute, {})
    dispute.work("refunding", len(POSITIONS))
    dispute.work("inform_about_successful_claim", 1)
    assert dispute.instance().status == "completed" and dispute.ended(SETTLED_REFUND) == 1


def test_vendor_declines_with_proof(realistic: V2, database: DatabaseUnderTest, now: Any) -> None:
    dispute = Dispute(realistic, database)
    dispute.documents_arrive()
    dispute.vendors_asked()
    dispute.publish("dispute_process_refund_declined", f"123-{POSITIONS[7]}")
    # The escalation end event inside one vendor instance interrupts the whole investigation.
    assert dispute.ended("Event_0sc8le6") == 1
    with database.session() as session:
        assert [task.element_id for task in open_tasks(session, dispute.id)] == ["Activity_0ynau00"]
        variables = session.get(ProcessInstance, dispute.id).variables
    assert variables["correlationKey"] == "local-load-test" and "disputePosition" not in variables
    assert "isRefund" not in variables  # the decision tasks never ran
    missed = realistic.post("/messages/publication", {"name": "dispute_process_refund_approved",
                                                       "correlationKey": f"123-{POSITIONS[8]}"})  # fmt: skip
    assert missed.status_code == 404  # the other vendor instances were cancelled with the investigation
    # The task's Camunda Form is not part of Camunda's files (the check warns), so the task takes no values and
    # isRefund was never set (the decision tasks did not run): the gateway's =isRefund gives null, which is an
    # incident in Zeebe ("Expected result of the expression ... to be 'BOOLEAN'"), not the default flow. An
    # operator sets isRefund to false and retries: the "no refund" path.
    _decide(realistic, dispute, {})
    with database.session() as session:
        incident = open_incident(session, dispute.id)
        assert dispute.instance().status == "incident" and incident is not None
        assert incident.element_id == "Gateway_10tcwko" and "null" in incident.message
        instances.retry_instance(session, ADMIN, dispute.id, now, {"isRefund": False})
    dispute.work("inform_about_failed_claim", 1)
    assert dispute.instance().status == "completed" and dispute.ended(SETTLED_NO_REFUND) == 1


def test_silent_vendor_and_document_reminders(realistic: V2, database: DatabaseUnderTest, now: Any) -> None:
    dispute = Dispute(realistic, database)
    dispute.work("customer_notification", 1)
    # R5/P2D on "Receive documents": five reminders two days apart, not one, and the wait goes on.
    for day in (2, 4, 6, 8, 10, 12):
        with database.session() as session:
            fire_due_timers(session, now + timedelta(days=day, minutes=1))
    reminders = dispute.work("customer_notification", 5)
    assert {job["variables"]["type"] for job in reminders} == {"dispute_document_reminder"}
    assert dispute.ended("Event_1om9n2v") == 5
    dispute.publish("dispute_process_receive_documents", "456-123")
    dispute.work("extract_data_from_document", 1)
    dispute.vendors_asked()
    for name in POSITIONS[1:]:
        dispute.publish("dispute_process_refund_approved", f"123-{name}")
    with database.session() as session:  # the first vendor never answers: its P2D timer ends its instance
        fire_due_timers(session, now + timedelta(days=15))
    assert dispute.ended("Event_130gtbd") == 1
    dispute.work("refunding", len(POSITIONS))
    dispute.work("inform_about_successful_claim", 1)
    assert dispute.instance().status == "completed" and dispute.ended(SETTLED_REFUND) == 1


def test_refunding_error_is_caught_in_the_called_process(realistic: V2, database: DatabaseUnderTest) -> None:
    dispute = Dispute(realistic, database)
    dispute.documents_arrive()
    dispute.vendors_asked()
    for name in POSITIONS:
        dispute.publish("dispute_process_refund_approved", f"123-{name}")
    body = {"type": "refunding", "worker": "test", "timeout": 60_000, "maxJobsToActivate": 100, "requestTimeout": -1}
    jobs = realistic.post("/jobs/activation", body).get_json()["jobs"]
    failing, *rest = jobs
    thrown = realistic.post(f"/jobs/{failing['jobKey']}/error", {"errorCode": "refundingError", "errorMessage": "no"})
    assert thrown.status_code == 204, thrown.get_data(as_text=True)
    for job in rest:
        assert realistic.post(f"/jobs/{job['jobKey']}/completion", {}).status_code == 204
    assert dispute.ended("Event_05wqqiz") == 1 and dispute.ended("Event_06mglrs") == len(POSITIONS) - 1
    dispute.work("inform_about_successful_claim", 1)
    assert dispute.instance().status == "completed"
