"""What the case page and the task list show of the regulatory clock and the letters (read-only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.calendar import is_working_day
from engine.domain.calendars import calendar_named
from engine.services.regulation.clock import deadlines_of
from engine.services.regulation.library import shipped_packs
from engine.store.complaints import Complaint
from engine.store.outbox import OutboxMessage
from engine.store.regulation import DEADLINE_OPEN, RegulatoryDeadline, RegulatoryLetter


@dataclass(frozen=True)
class DeadlineView:
    """One legal deadline as people read it; ``days_left`` counts business days (negative: overdue)."""

    id: int
    label: str
    label_de: str
    pack_title: str
    pack_title_de: str
    source: str
    due_at: datetime
    status: str
    days_left: int
    met_at: datetime | None
    met_by: str | None
    breached_at: datetime | None
    breach_reason: str | None
    breach_reason_by: str | None
    extended_by: str | None


@dataclass(frozen=True)
class LetterView:
    """A letter as sent, with the delivery status of the mail that carries it."""

    id: int
    pack: str
    letter: str
    label: str
    label_de: str
    recipient: str | None
    subject: str
    sha256: str
    created_at: datetime
    created_by: str
    delivery: str  # pending / sent / failed / to_print
    delivered_at: datetime | None
    last_error: str | None


def business_days_left(calendar: str, now: datetime, due: datetime) -> int:
    """Working days from today to the due date on the calendar (0: due today; negative once the date has passed)."""
    business_calendar = calendar_named(calendar)
    zone = ZoneInfo(business_calendar.timezone)
    today, last = now.astimezone(zone).date(), due.astimezone(zone).date()
    step = timedelta(days=1)
    first, end, sign = (today, last, 1) if last >= today else (last, today, -1)
    count, day = 0, first
    while day < end:
        day += step
        count += is_working_day(business_calendar, day)
    return sign * count


def _deadline_view(row: RegulatoryDeadline, now: datetime) -> DeadlineView:
    pack = shipped_packs().get(row.pack)
    rule = next((rule for rule in pack.deadlines if rule.id == row.rule), None) if pack else None
    return DeadlineView(
        id=row.id,
        label=rule.label if rule else row.rule,
        label_de=rule.label_de if rule else row.rule,
        pack_title=pack.title if pack else row.pack,
        pack_title_de=pack.title_de if pack else row.pack,
        source=rule.source.text if rule else "",
        due_at=row.due_at,
        status=row.status,
        days_left=business_days_left(row.calendar, now, row.due_at),
        met_at=row.met_at,
        met_by=row.met_by,
        breached_at=row.breached_at,
        breach_reason=row.breach_reason,
        breach_reason_by=row.breach_reason_by,
        extended_by=row.extended_by,
    )


def deadline_views(session: Session, complaint: Complaint, now: datetime) -> list[DeadlineView]:
    """The complaint's legal deadlines, earliest first."""
    return [_deadline_view(row, now) for row in deadlines_of(session, complaint.id)]


def letter_views(session: Session, complaint: Complaint) -> list[LetterView]:
    """The letters sent for the complaint, oldest first, with their delivery status."""
    query = (
        select(RegulatoryLetter, OutboxMessage)
        .outerjoin(OutboxMessage, OutboxMessage.id == RegulatoryLetter.outbox_message_id)
        .where(RegulatoryLetter.complaint_id == complaint.id)
        .order_by(RegulatoryLetter.created_at, RegulatoryLetter.id)
    )
    views = []
    for letter, message in session.execute(query).all():
        pack = shipped_packs().get(letter.pack)
        rule = pack.letter(letter.letter) if pack else None
        views.append(
            LetterView(
                id=letter.id,
                pack=letter.pack,
                letter=letter.letter,
                label=rule.label if rule else letter.letter,
                label_de=rule.label_de if rule else letter.letter,
                recipient=letter.recipient,
                subject=letter.subject,
                sha256=letter.sha256,
                created_at=letter.created_at,
                created_by=letter.created_by,
                delivery=message.status if message is not None else "to_print",
                delivered_at=message.sent_at if message is not None else None,
                last_error=message.last_error if message is not None else None,
            )
        )
    return views


def letter_of(session: Session, complaint: Complaint, letter_id: int) -> RegulatoryLetter | None:
    """One letter of the complaint (None when it belongs to another complaint or does not exist)."""
    letter = session.get(RegulatoryLetter, letter_id)
    return letter if letter is not None and letter.complaint_id == complaint.id else None


def next_deadlines(session: Session, instance_ids: Iterable[int], now: datetime) -> dict[int, DeadlineView]:
    """For a task list: the earliest open legal deadline per process instance (one query)."""
    ids = sorted(set(instance_ids))
    if not ids:
        return {}
    query = (
        select(Complaint.instance_id, RegulatoryDeadline)
        .join(RegulatoryDeadline, RegulatoryDeadline.complaint_id == Complaint.id)
        .where(Complaint.instance_id.in_(ids), RegulatoryDeadline.status == DEADLINE_OPEN)
        .order_by(RegulatoryDeadline.due_at)
    )
    found: dict[int, DeadlineView] = {}
    for instance_id, row in session.execute(query).all():
        if instance_id is not None and instance_id not in found:
            found[instance_id] = _deadline_view(row, now)
    return found
