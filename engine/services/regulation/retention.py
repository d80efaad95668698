"""Record retention of the regulation packs (DISP 1.9): how long a complaint's record must be kept.

A complaint under a pack with ``[retention]`` keeps its record (the complaint, the measures taken, the letters sent)
for that many years from the date it was received. The retention clean-up skips it until then, and an erasure request
in that time pseudonymises only what the record does not need (see engine.services.privacy.erasure).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.services.regulation.library import shipped_packs
from engine.store.complaints import Complaint
from engine.store.regulation import RegulatoryDeadline, RegulatoryLetter


@dataclass(frozen=True)
class LegalHold:
    """Why and until when a complaint's record must be kept."""

    reference: str
    until: datetime
    pack: str
    source: str


def packs_of(session: Session, complaint: Complaint) -> set[str]:
    """The packs that applied to the complaint: the process's selection, and those with deadlines or letters."""
    found: set[str] = set()
    variables = complaint.instance.variables if complaint.instance is not None else {}
    selected = variables.get("regulation_packs") if isinstance(variables, dict) else None
    if isinstance(selected, str):
        found.add(selected)
    elif isinstance(selected, list):
        found |= {str(name) for name in selected}
    for model in (RegulatoryDeadline, RegulatoryLetter):
        found |= set(session.scalars(select(model.pack).where(model.complaint_id == complaint.id)))
    return found


def _years_after(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def legal_hold(session: Session, complaint: Complaint, now: datetime) -> LegalHold | None:
    """The longest retention of the complaint's packs, if it has not run out at ``now``."""
    packs = shipped_packs()
    best: LegalHold | None = None
    for name in sorted(packs_of(session, complaint)):
        pack = packs.get(name)
        if pack is None or pack.retention is None:
            continue
        until = _years_after(complaint.created_at, pack.retention.years)
        if until > now and (best is None or until > best.until):
            best = LegalHold(complaint.reference, until, pack.id, pack.retention.source.text)
    return best
