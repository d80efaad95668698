"""The retention clean-up: closed complaints are pseudonymised a configured number of days after closure.

Run daily by the scheduler process and by ``complaintflow retention run [--dry-run]``. A complaint qualifies
when it is closed, its ``closed_at`` lies at least ``days`` before ``now``, its process has ended and it was not
pseudonymised yet. The customer record is pseudonymised too once none of their complaints keeps personal data.
Each complaint is its own unit of work, so one failure does not hold back the rest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import ComplaintflowError
from engine.domain.messages import msg
from engine.services.audit import record
from engine.services.privacy.erasure import is_settled, require_admin
from engine.services.privacy.pseudonymise import pseudonymise_complaints, pseudonymise_customer
from engine.services.regulation.retention import legal_hold
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.complaints import Complaint
from engine.store.text_index import purge_deleted_entries

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    """A complaint the clean-up would pseudonymise (or skips, with the reason)."""

    complaint_id: int
    reference: str
    closed_at: datetime
    skipped: str | None = None


@dataclass
class RetentionReport:
    days: int
    cutoff: datetime
    candidates: list[Candidate] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def candidates(session: Session, days: int, now: datetime) -> list[Candidate]:
    """Complaints closed at least ``days`` ago and not pseudonymised yet, oldest closure first."""
    if days < 1:
        raise ComplaintflowError(msg("retention.at_least_a_day"))
    cutoff = now - timedelta(days=days)
    query = (
        select(Complaint)
        .where(Complaint.status == "closed", Complaint.closed_at <= cutoff, Complaint.pseudonymised_at.is_(None))
        .order_by(Complaint.closed_at, Complaint.id)
    )
    found = []
    for complaint in session.scalars(query):
        assert complaint.closed_at is not None  # the query says so
        skipped = None if is_settled(complaint) else "its process is still running"
        hold = legal_hold(session, complaint, now) if skipped is None else None
        if hold is not None:
            # A regulation pack's record retention (DISP 1.9) overrides the clean-up until it runs out.
            skipped = f"kept until {hold.until.date().isoformat()} ({hold.pack}: {hold.source})"
        found.append(Candidate(complaint.id, complaint.reference, complaint.closed_at, skipped))
    return found


@unit_of_work
def pseudonymise_closed_complaint(session: Session, actor: Actor, complaint_id: int, days: int, now: datetime) -> None:
    """One complaint (and its customer, if nothing else of theirs keeps personal data), audited, one commit."""
    complaint = session.get(Complaint, complaint_id)
    if complaint is None or complaint.pseudonymised_at is not None or legal_hold(session, complaint, now):
        return
    customer = complaint.customer
    counts = pseudonymise_complaints(session, customer, [complaint], now, whole_customer=False)
    record(session, actor, "complaint_pseudonymised", now, instance_id=complaint.instance_id,
           after={"reference": complaint.reference, "reason": "retention", "retention_days": days,
                  "rows": counts.rows})  # fmt: skip
    if counts.rows.get("audit_entry"):
        record(session, actor, "audit_redacted", now, instance_id=complaint.instance_id,
               after={"entries": counts.rows["audit_entry"], "reason": "retention"})  # fmt: skip
    session.flush()
    if customer.pseudonymised_at is None and all(c.pseudonymised_at is not None for c in customer.complaints):
        pseudonymise_customer(customer, now)
        record(session, actor, "customer_erased", now,
               after={"customer_id": customer.id, "pseudonym": customer.name, "reason": "retention"})  # fmt: skip
    commit(session)


def run_retention(session: Session, actor: Actor, days: int, now: datetime, dry_run: bool = False) -> RetentionReport:
    """List (``dry_run``) or pseudonymise the complaints past the retention period."""
    require_admin(actor)
    report = RetentionReport(days, now - timedelta(days=days), candidates(session, days, now))
    session.rollback()  # end the read transaction; each complaint gets its own
    if dry_run:
        return report
    for candidate in report.candidates:
        if candidate.skipped:
            continue
        try:
            pseudonymise_closed_complaint(session, actor, candidate.complaint_id, days, now)
        except ComplaintflowError as error:
            report.failed[candidate.reference] = str(error)
            log.warning("retention: %s not pseudonymised: %s", candidate.reference, error)
        else:
            report.done.append(candidate.reference)
    _record_run(session, actor, report, now)
    return report


@unit_of_work
def _record_run(session: Session, actor: Actor, report: RetentionReport, now: datetime) -> None:
    """The run itself on the record: period and counts (the references are in the per-complaint entries)."""
    skipped = sum(1 for candidate in report.candidates if candidate.skipped)
    record(session, actor, "retention_run", now,
           after={"retention_days": report.days, "pseudonymised": len(report.done), "skipped": skipped,
                  "failed": len(report.failed)})  # fmt: skip
    if report.done:
        # Once per run rather than per complaint: a merge rewrites the whole index.
        purge_deleted_entries(session)
    commit(session)
