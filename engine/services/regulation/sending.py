"""Sending a mandated letter: render it, keep the exact text with its hash, queue it in the outbox, audit it.

The letter row is the proof of what was sent, when and to whom; the outbox row it points to tells whether the
mail was delivered (``sent``), is still being tried, or failed. A customer without an e-mail address gets the
letter by post: it is kept the same way, marked for printing, and the audit says so.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.calendars import calendar_named
from engine.domain.notification_channels import CHANNEL_EMAIL
from engine.domain.regulation import LetterRule, Pack
from engine.services.audit import record
from engine.services.company import FALLBACK, company_name
from engine.services.delivery.outbox import enqueue
from engine.services.regulation.clock import deadlines_of
from engine.services.regulation.letters import letter_text, render_letter
from engine.store.complaints import Complaint
from engine.store.regulation import RegulatoryDeadline, RegulatoryLetter

LETTER_TOPIC = "regulatory_letter"
SUBJECTS = {
    "en": {
        "acknowledgement": "Your complaint {ref}: acknowledgement",
        "holding_response": "Your complaint {ref}: we need more time",
        "final_response": "Your complaint {ref}: our final response",
        "summary_resolution": "Your complaint {ref} is resolved",
    },
    "de": {
        "acknowledgement": "Ihre Beschwerde {ref}: Eingangsbestätigung",
        "holding_response": "Ihre Beschwerde {ref}: wir brauchen mehr Zeit",
        "final_response": "Ihre Beschwerde {ref}: unsere abschließende Antwort",
        "summary_resolution": "Ihre Beschwerde {ref} ist erledigt",
    },
}
OUTCOMES = {
    "en": {
        "upheld": "We uphold your complaint.",
        "partly_upheld": "We uphold your complaint in part.",
        "rejected": "We do not uphold your complaint.",
    },
    "de": {
        "upheld": "Wir geben Ihrer Beschwerde statt.",
        "partly_upheld": "Wir geben Ihrer Beschwerde teilweise statt.",
        "rejected": "Wir können Ihrer Beschwerde nicht stattgeben.",
    },
}


def _language(complaint: Complaint) -> str:
    return "de" if (complaint.language or "").lower().startswith("de") else "en"


def _date(moment: datetime | None, pack: Pack, language: str) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(calendar_named(pack.calendar).timezone))
    return local.strftime("%d.%m.%Y" if language == "de" else "%d %B %Y")


def letter_values(
    complaint: Complaint,
    pack: Pack,
    letter: LetterRule,
    data: dict[str, Any],
    deadline: RegulatoryDeadline | None,
    now: datetime,
    company: str = FALLBACK,
) -> dict[str, str]:
    """What the template sees: the complaint's facts, the pack's deadline and the agent's text."""
    language = _language(complaint)
    amount = data.get("resolution_amount")
    redress = ""
    if isinstance(amount, int | float | Decimal | str) and str(amount) not in ("", "0", "0.0", "None"):
        redress = f"{complaint.currency} {Decimal(str(amount)):.2f}"
    outcome = str(data.get("outcome") or "")
    message = str(data.get("resolution_summary") if letter.id in ("final_response", "summary_resolution") else "")
    message = message if message not in ("", "None") else str(data.get("customer_message") or "")
    return {
        "subject": SUBJECTS[language].get(letter.id, "{ref}").format(ref=complaint.reference),
        "company_name": company,
        "customer_name": complaint.customer.name,
        "reference": complaint.reference,
        "complaint_subject": complaint.subject,
        "received_date": _date(complaint.created_at, pack, language),
        "letter_date": _date(now, pack, language),
        "deadline_date": _date(deadline.due_at if deadline else None, pack, language),
        "expected_date": str(data.get("expected_response_date") or _date(deadline.due_at if deadline else None,
                                                                          pack, language)),
        "message": message,
        "outcome_sentence": OUTCOMES[language].get(outcome, ""),
        "redress": redress,
    }  # fmt: skip


def send_letter(
    session: Session,
    actor: Actor,
    complaint: Complaint,
    pack: Pack,
    letter: LetterRule,
    data: dict[str, Any],
    now: datetime,
) -> RegulatoryLetter:
    """Render, keep and queue one letter; returns its row (the outbox row is written in the same unit of work)."""
    language = _language(complaint)
    deadline = next((row for row in deadlines_of(session, complaint.id) if row.pack == pack.id), None)
    # The company name an admin set (or COMPLAINTFLOW_COMPANY_NAME), never a process variable: those may come from
    # what a customer typed.
    values = letter_values(complaint, pack, letter, data, deadline, now, company_name(session) or FALLBACK)
    html = render_letter(letter, language, values)
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    address = complaint.customer.email
    outbox_id = None
    if address:
        message = enqueue(
            session,
            now,
            kind=CHANNEL_EMAIL,
            topic=LETTER_TOPIC,
            recipient=address,
            subject=values["subject"],
            body=letter_text(html),
            payload={"pack": pack.id, "letter": letter.id, "sha256": digest},
            complaint_id=complaint.id,
            instance_id=complaint.instance_id,
        )
        session.flush()
        outbox_id = message.id
    row = RegulatoryLetter(
        complaint_id=complaint.id,
        pack=pack.id,
        letter=letter.id,
        language=language,
        recipient=address,
        subject=values["subject"],
        html=html,
        sha256=digest,
        created_at=now,
        created_by=actor.username,
        outbox_message_id=outbox_id,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "regulatory_letter_sent" if address else "regulatory_letter_to_print",
        now,
        instance_id=complaint.instance_id,
        after={
            "pack": pack.id,
            "letter": letter.id,
            "letter_id": row.id,
            "to": address,
            "language": language,
            "sha256": digest,
            "outbox_message_id": outbox_id,
            "source": letter.source.text,
        },
        message=None if address else "the customer has no e-mail address; print the letter and send it by post",
    )
    return row
