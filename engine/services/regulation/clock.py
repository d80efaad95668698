"""The regulatory clock: legal deadlines of the active packs, separate from the internal SLA targets.

``start_clock`` writes one ``regulatory_deadline`` row per deadline of each active pack, counted from the
complaint's receipt on the pack's business calendar. Letters meet deadlines or move them (``apply_letter``: a
holding response moves the PSD2 deadline from 15 to 35 business days). The scheduler's poll runs ``sweep``: it
reminds the holders of the complaint's open tasks before a deadline and, once one has passed unmet, records the
breach and escalates (``breach.escalate_breach``: priority up, open tasks to the team leads).
Each row is claimed with a conditional update, so two schedulers never
remind or escalate twice. The reason for a breach is recorded by a person (``record_breach_reason``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.domain.actors import SYSTEM, Actor
from engine.domain.errors import FormValidationError, NotFound
from engine.domain.messages import msg
from engine.domain.notification_channels import CHANNEL_EMAIL
from engine.domain.regulation import DeadlineRule, Pack, Source, due_at, remind_at
from engine.services.audit import record
from engine.services.casework.responses import set_legal_deadline
from engine.services.delivery.outbox import enqueue
from engine.services.regulation.breach import escalate_breach
from engine.services.regulation.library import shipped_packs
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.complaints import Complaint
from engine.store.models import TASK_OPEN, HumanTask
from engine.store.regulation import DEADLINE_BREACHED, DEADLINE_MET, DEADLINE_OPEN, RegulatoryDeadline

FINAL_RESPONSE = "final_response"  # the deadline rule the register reports as the legal deadline
ESCALATION_GROUP = "team_lead"  # not a role: the candidate group of the team leads (reminders without holders)
REASON_MAX = 2000


def packs_named(names: Iterable[str] | str | None) -> list[Pack]:
    """The packs a decision selected (a name, a list of names or None); ValueError for an unknown one."""
    if names is None or names == "":
        return []
    wanted = [names] if isinstance(names, str) else [str(name) for name in names if name]
    packs = shipped_packs()
    unknown = [name for name in wanted if name not in packs]
    if unknown:
        raise ValueError(f"unknown regulation pack(s) {', '.join(unknown)}; known: {', '.join(sorted(packs))}")
    return [packs[name] for name in dict.fromkeys(wanted)]


def deadlines_of(session: Session, complaint_id: int) -> list[RegulatoryDeadline]:
    """The complaint's legal deadlines, earliest first."""
    query = select(RegulatoryDeadline).where(RegulatoryDeadline.complaint_id == complaint_id)
    return list(session.scalars(query.order_by(RegulatoryDeadline.due_at, RegulatoryDeadline.id)))


def start_clock(session: Session, actor: Actor, complaint: Complaint, packs: Sequence[Pack], now: datetime) -> None:
    """Create the deadlines of ``packs`` that the complaint does not have yet (calling it again changes nothing)."""
    existing = {(row.pack, row.rule) for row in deadlines_of(session, complaint.id)}
    received = complaint.created_at
    for pack in packs:
        for rule in pack.deadlines:
            if (pack.id, rule.id) in existing:
                continue
            due = due_at(received, rule.target, pack.calendar)
            row = RegulatoryDeadline(
                complaint_id=complaint.id,
                pack=pack.id,
                rule=rule.id,
                calendar=pack.calendar,
                target=rule.target,
                received_at=received,
                due_at=due,
                remind_at=remind_at(due, rule.remind_before, received, pack.calendar),
                status=DEADLINE_OPEN,
            )
            session.add(row)
            record(
                session,
                actor,
                "regulatory_deadline_set",
                now,
                instance_id=complaint.instance_id,
                after={
                    "pack": pack.id,
                    "rule": rule.id,
                    "target": rule.target,
                    "due_at": due.isoformat(),
                    "calendar": pack.calendar,
                    "source": rule.source.text,
                },
            )
    session.flush()
    _store_legal_deadline(session, complaint)


def _store_legal_deadline(session: Session, complaint: Complaint) -> None:
    """The register's ``legal_deadline_at``: the earliest final-response deadline of the active packs."""
    dues = [row.due_at for row in deadlines_of(session, complaint.id) if row.rule == FINAL_RESPONSE]
    set_legal_deadline(complaint, min(dues) if dues else None)


def apply_letter(session: Session, actor: Actor, complaint: Complaint, pack: Pack, letter: str, now: datetime) -> None:
    """What sending ``letter`` does to the pack's deadlines: meets them, or moves them (``extended_by``)."""
    rules = {rule.id: rule for rule in pack.deadlines}
    for row in deadlines_of(session, complaint.id):
        rule = rules.get(row.rule) if row.pack == pack.id else None
        if rule is None or row.met_at is not None:
            continue
        if letter in rule.met_by:
            before = {"status": row.status}
            row.met_at, row.met_by = now, letter
            row.status = DEADLINE_MET if row.status == DEADLINE_OPEN else row.status
            record(
                session,
                actor,
                "regulatory_deadline_met",
                now,
                instance_id=complaint.instance_id,
                before=before,
                after={
                    "pack": pack.id,
                    "rule": row.rule,
                    "letter": letter,
                    "due_at": row.due_at.isoformat(),
                    "in_time": now <= row.due_at,
                },
            )
        elif letter in rule.extended_by and row.status == DEADLINE_OPEN and row.extended_by is None:
            before = {"due_at": row.due_at.isoformat(), "target": row.target}
            row.target = rule.extended_by[letter]
            row.due_at = due_at(row.received_at, row.target, row.calendar)
            row.remind_at = remind_at(row.due_at, rule.remind_before, row.received_at, row.calendar)
            row.reminded_at, row.extended_by = None, letter
            session.flush()
            _store_legal_deadline(session, complaint)
            record(
                session,
                actor,
                "regulatory_deadline_extended",
                now,
                instance_id=complaint.instance_id,
                before=before,
                after={
                    "pack": pack.id,
                    "rule": row.rule,
                    "letter": letter,
                    "due_at": row.due_at.isoformat(),
                    "target": row.target,
                },
            )


def _holders(session: Session, instance_id: int | None) -> list[str]:
    """Who holds the complaint's open tasks: assignees, else ``group:<name>`` of the candidate groups."""
    if instance_id is None:
        return []
    tasks = session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == TASK_OPEN)
    )
    found: list[str] = []
    for task in tasks:
        found += [task.assignee] if task.assignee else [f"group:{group}" for group in task.candidate_groups]
    return list(dict.fromkeys(found))


def _notify(session: Session, complaint: Complaint, row: RegulatoryDeadline, topic: str, to: list[str], now: datetime):
    label = _label(row)
    for recipient in to:
        enqueue(
            session,
            now,
            kind=CHANNEL_EMAIL,
            topic=topic,
            recipient=recipient,
            subject=f"{complaint.reference}: {label}",
            payload={"due_at": row.due_at.isoformat(), "task_title": label, "reference": complaint.reference},
            complaint_id=complaint.id,
            instance_id=complaint.instance_id,
        )


def _rule(row: RegulatoryDeadline) -> DeadlineRule:
    """The pack's rule of a deadline row; a pack changed since keeps the row escalating with the defaults."""
    pack = shipped_packs().get(row.pack)
    rule = next((rule for rule in pack.deadlines if rule.id == row.rule), None) if pack else None
    if rule is not None:
        return rule
    unknown = Source(f"{row.pack} {row.rule}", "", "")
    return DeadlineRule(row.rule, f"{row.pack} {row.rule}", f"{row.pack} {row.rule}", row.target, None, (), {}, unknown)


def _label(row: RegulatoryDeadline) -> str:
    return _rule(row).label


def _claim(session: Session, row_id: int, values: dict[str, Any], *conditions: Any) -> bool:
    claimed = session.execute(
        update(RegulatoryDeadline)
        .where(RegulatoryDeadline.id == row_id, RegulatoryDeadline.status == DEADLINE_OPEN, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


@unit_of_work
def sweep(session: Session, now: datetime, actor: Actor = SYSTEM) -> tuple[int, int]:
    """Remind before and escalate after the deadlines due by ``now``; returns (reminded, breached). One commit."""
    reminded = breached = 0
    due_reminders = session.scalars(
        select(RegulatoryDeadline).where(
            RegulatoryDeadline.status == DEADLINE_OPEN,
            RegulatoryDeadline.remind_at <= now,
            RegulatoryDeadline.reminded_at.is_(None),
        )
    ).all()
    for row in due_reminders:
        if not _claim(session, row.id, {"reminded_at": now}, RegulatoryDeadline.reminded_at.is_(None)):
            continue
        complaint = session.get(Complaint, row.complaint_id)
        if complaint is None:
            continue
        to = _holders(session, complaint.instance_id) or [f"group:{ESCALATION_GROUP}"]
        _notify(session, complaint, row, "sla_reminder", to, now)
        record(
            session,
            actor,
            "regulatory_deadline_reminded",
            now,
            instance_id=complaint.instance_id,
            after={"pack": row.pack, "rule": row.rule, "due_at": row.due_at.isoformat(), "to": to},
        )
        reminded += 1
    passed = session.scalars(
        select(RegulatoryDeadline).where(RegulatoryDeadline.status == DEADLINE_OPEN, RegulatoryDeadline.due_at < now)
    ).all()
    for row in passed:
        if not _claim(
            session, row.id, {"status": DEADLINE_BREACHED, "breached_at": now}, RegulatoryDeadline.due_at < now
        ):
            continue
        complaint = session.get(Complaint, row.complaint_id)
        if complaint is None:
            continue
        escalated = escalate_breach(session, actor, complaint, _rule(row), now)
        to = escalated.pop("notify")
        _notify(session, complaint, row, "sla_escalation", to, now)
        record(
            session,
            actor,
            "regulatory_deadline_breached",
            now,
            instance_id=complaint.instance_id,
            after={
                "pack": row.pack,
                "rule": row.rule,
                "due_at": row.due_at.isoformat(),
                "escalated_to": to,
                **escalated,
            },
        )
        breached += 1
    commit(session)
    return reminded, breached


@unit_of_work
def record_breach_reason(
    session: Session, actor: Actor, deadline_id: int, reason: str, now: datetime, complaint_id: int | None = None
) -> None:
    """Record why a legal deadline was missed (kept with the deadline and in the audit trail).

    ``complaint_id``, when given, must be the deadline's complaint (the web page asks for one case's deadline).
    """
    row = session.get(RegulatoryDeadline, deadline_id)
    if row is None or (complaint_id is not None and row.complaint_id != complaint_id):
        raise NotFound(msg("notfound.regulatory_deadline", deadline_id=deadline_id))
    text = reason.strip()
    if not row.breached_at:
        raise FormValidationError({"reason": msg("regulation.not_missed")})
    if not 3 <= len(text) <= REASON_MAX:
        raise FormValidationError({"reason": msg("regulation.reason_length", num=REASON_MAX)})
    complaint = session.get(Complaint, row.complaint_id)
    before = {"breach_reason": row.breach_reason}
    row.breach_reason, row.breach_reason_by = text, actor.username
    record(
        session,
        actor,
        "regulatory_breach_explained",
        now,
        instance_id=complaint.instance_id if complaint else None,
        before=before,
        after={"pack": row.pack, "rule": row.rule, "breach_reason": text},
    )
    commit(session)
