"""System actions of the regulation packs (docs/regulation.md): ``regulation_start`` and ``regulation_letter``.

- ``regulation_start`` reads ``regulation_packs`` (the ``regulation_packs`` decision's result: a pack id or a list)
  and sets the legal deadlines of each active pack on the complaint (the regulatory clock).
- ``regulation_letter`` sends the mandated letter named by the property ``letter`` (``acknowledgement``,
  ``holding_response``, ``final_response``; ``${next_step}`` reads a variable) for each active pack that has one,
  and records what it does to the deadlines. A final response sent by close of business on the third business day
  becomes the pack's summary resolution communication where the pack has one (DISP 1.5). Where no active pack has
  the letter, the step sends the process's usual message (property ``template``), as ``notify_customer`` does.
"""

from __future__ import annotations

from typing import Any

from engine.actions.complaint import notify_customer
from engine.actions.context import ServiceContext
from engine.domain.classification import RESPONSE_ACKNOWLEDGEMENT, RESPONSE_FINAL, RESPONSE_HOLDING
from engine.domain.regulation import LetterRule, Pack, close_of_nth_business_day
from engine.services.casework.responses import record_response
from engine.services.regulation.clock import apply_letter, packs_named, start_clock
from engine.services.regulation.sending import send_letter
from engine.services.sla.clock import complaint_for_instance
from engine.store.complaints import Complaint

PACKS_VARIABLE = "regulation_packs"
# Which of the register's response dates a pack letter sets (engine.domain.classification).
RESPONSES = {
    "acknowledgement": RESPONSE_ACKNOWLEDGEMENT,
    "holding_response": RESPONSE_HOLDING,
    "final_response": RESPONSE_FINAL,
    "summary_resolution": RESPONSE_FINAL,
}


def _packs(context: ServiceContext) -> list[Pack]:
    return packs_named(context.call.data.get(PACKS_VARIABLE))


def regulation_start(context: ServiceContext) -> dict[str, Any]:
    """Set the deadlines of the active packs on the complaint; returns the normalised pack list."""
    packs = _packs(context)
    complaint = complaint_for_instance(context.session, context.instance.id)
    if complaint is not None and packs:
        start_clock(context.session, context.actor, complaint, packs, context.now)
    return {PACKS_VARIABLE: [pack.id for pack in packs]}


def _letter_for(pack: Pack, wanted: str, complaint: Complaint, context: ServiceContext) -> LetterRule | None:
    """The pack's letter for ``wanted``, or the one that replaces it while its window is open."""
    for letter in pack.letters:
        if letter.replaces == wanted and letter.within_business_days is not None:
            window = close_of_nth_business_day(complaint.created_at, letter.within_business_days, pack.calendar)
            if context.now <= window:
                return letter
    return pack.letter(wanted)


def regulation_letter(context: ServiceContext) -> dict[str, Any]:
    """Send the mandated letter of each active pack, or the process's usual message where none has one."""
    wanted = str(context.value("letter") or "").strip()
    element = context.call.element_id
    complaint = complaint_for_instance(context.session, context.instance.id)
    sent: list[str] = []
    if wanted and complaint is not None:
        for pack in _packs(context):
            letter = _letter_for(pack, wanted, complaint, context)
            if letter is None:
                continue
            # The deadline moves first, so that a holding response names the new date.
            apply_letter(context.session, context.actor, complaint, pack, letter.id, context.now)
            send_letter(context.session, context.actor, complaint, pack, letter, dict(context.call.data), context.now)
            sent.append(f"{pack.id}:{letter.id}")
            if letter.id in RESPONSES:
                record_response(complaint, RESPONSES[letter.id], context.now)
    if sent:
        return {f"{element}_queued": True, f"{element}_letters": sent}
    if context.value("template"):
        return notify_customer(context)
    return {f"{element}_queued": False}
