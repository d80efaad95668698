"""The one narrowly scoped path that may change audit entries: removing personal data for erasure.

The audit log is append-only (``engine.store.models`` refuses ORM updates and deletes), because who did what
and when must not change after the fact. The right to erasure (GDPR Art. 17) still reaches personal data that
services copied into ``before``/``after`` values and messages (the complaint's facts at intake, texts typed
into task forms). This module rewrites exactly those three columns of the entries of the given instances, never
``at``, ``actor``, ``action`` or the ids, and its caller records an ``audit_redacted`` entry saying how many
entries were touched, so the redaction itself is on the record. Nothing else in the code base updates audit rows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from engine.runtime.redaction import redact_value
from engine.store.models import AuditEntry

# Core statements on the table: deliberately outside the ORM guard, which protects every other path.
_TABLE = cast(Table, AuditEntry.__table__)


def redact_entries(
    session: Session,
    instance_ids: Collection[int],
    replace: Callable[[str], str],
    personal_keys: Collection[str],
    placeholder: str,
) -> int:
    """Remove personal data from the before/after values and messages of these instances' entries.

    Returns the number of entries changed; the caller audits the redaction in the same unit of work.
    """
    if not instance_ids:
        return 0
    changed = 0
    rows = session.execute(
        select(_TABLE.c.id, _TABLE.c.before, _TABLE.c.after, _TABLE.c.message).where(
            _TABLE.c.instance_id.in_(list(instance_ids))
        )
    ).all()
    for entry_id, before, after, message in rows:
        values: dict[str, Any] = {}
        for name, value in (("before", before), ("after", after)):
            if value is not None:
                cleaned = redact_value(value, replace, personal_keys, placeholder)
                if cleaned != value:
                    values[name] = cleaned
        if message is not None and replace(message) != message:
            values["message"] = replace(message)
        if values:
            session.execute(update(_TABLE).where(_TABLE.c.id == entry_id).values(**values))
            changed += 1
    return changed
