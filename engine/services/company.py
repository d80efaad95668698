"""The company name on letters and e-mails: an admin sets it in the browser (audited); until then the default from
``COMPLAINTFLOW_COMPANY_NAME`` (handed to every session by the composition root), else none.

Letters (engine.services.regulation.sending) sign with it, or ``FALLBACK`` when nothing is set; e-mails
(notifications) sign with it, or the configured sender name.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import FormValidationError, PermissionDenied
from engine.domain.messages import msg
from engine.domain.roles import ROLE_ADMIN
from engine.services.audit import record
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.app_settings import AppSetting
from engine.store.database import COMPANY_NAME_DEFAULT

KEY = "company_name"
FALLBACK = "Complaint service"
MAX_LENGTH = 200


def stored_company_name(session: Session) -> str | None:
    """The name an admin set, or None."""
    row = session.get(AppSetting, KEY)
    return row.value if row is not None else None


def default_company_name(session: Session) -> str | None:
    """``COMPLAINTFLOW_COMPANY_NAME`` as the session factory got it, or None."""
    value = session.info.get(COMPANY_NAME_DEFAULT)
    return str(value) if value else None


def company_name(session: Session) -> str | None:
    """The name in force: the admin's, else the environment's default, else None."""
    return stored_company_name(session) or default_company_name(session)


def clean_company_name(value: str) -> str:
    """The name as stored: trimmed; one line of 1 to MAX_LENGTH printable characters (it goes into mail headers
    and letterheads)."""
    text = " ".join(str(value or "").split())
    if not text:
        raise FormValidationError({"company_name": msg("company.name_required")})
    if len(text) > MAX_LENGTH or not text.isprintable():
        raise FormValidationError({"company_name": msg("company.name_too_long", num=MAX_LENGTH)})
    return text


@unit_of_work
def set_company_name(session: Session, actor: Actor, value: str, now: datetime) -> str:
    """Store the company name (admins only); the audit entry ``company_name_changed`` keeps before and after."""
    if ROLE_ADMIN not in actor.roles:
        raise PermissionDenied(msg("denied.company_name"))
    text = clean_company_name(value)
    row = session.get(AppSetting, KEY)
    before = row.value if row is not None else None
    if row is None:
        session.add(AppSetting(key=KEY, value=text, updated_at=now, updated_by=actor.username))
    else:
        row.value, row.updated_at, row.updated_by = text, now, actor.username
    record(session, actor, "company_name_changed", now, before={"company_name": before}, after={"company_name": text})
    commit(session)
    return text
