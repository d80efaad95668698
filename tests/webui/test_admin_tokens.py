"""The API token page: create with owner, scope and expiry, shown once and stored hashed; last use; revoke."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from engine.services.users import api_tokens
from engine.store.channels import ApiToken
from engine.store.models import AuditEntry
from tests.conftest import DatabaseUnderTest
from tests.webui.support import Client
from webui.formatting import when

TOKEN = re.compile(r'<code id="token-value">(cft_[^<]+)</code>')


def when_text(client: Client, moment: datetime) -> str:
    """How the pages write a moment for this client's language (the app's time zone, to the minute)."""
    with client.app.test_request_context():
        return when(moment)


def test_admin_creates_uses_and_revokes_a_token(
    client_for: Callable[[str], Client], database: DatabaseUnderTest, now: datetime
) -> None:
    admin = client_for("admin")
    page = admin.post(
        "/admin/api-tokens/", {"name": "CRM", "owner": "lead", "scope": "intake", "valid_until": "2026-12-31"}
    )
    assert page.status_code == 302
    text = admin.get("/admin/api-tokens/").get_data(as_text=True)
    [plain] = TOKEN.findall(text)
    assert "shown only this once" in text
    # Shown once: the list never shows it again, and only its hash is stored.
    assert plain not in admin.get("/admin/api-tokens/").get_data(as_text=True)
    with database.session() as session:
        row = session.scalars(select(ApiToken)).one()
        assert row.token_hash == hashlib.sha256(plain.encode()).hexdigest()
        assert (row.username, row.scope, row.expires_at) == ("lead", "intake", datetime(2027, 1, 1, tzinfo=UTC))
        assert set(row.roles) == {"team_lead"} and "agent" in row.groups
        assert row.last_used_at is None
        assert api_tokens.authenticate(session, plain, now, "intake") is not None
        created = session.scalars(select(AuditEntry).where(AuditEntry.action == "api_token_created")).one()
        assert created.actor == "admin" and created.after is not None and created.after["scope"] == "intake"
    with database.session() as session:
        assert session.scalars(select(ApiToken)).one().last_used_at == now, "the use is recorded"
    listing = admin.get("/admin/api-tokens/").get_data(as_text=True)
    assert "CRM" in listing and "intake" in listing and "active" in listing
    # The creation cell also names its author, and the expiry is 2027: a bare cell with now is the last use.
    assert f"<td>{when_text(admin, now)}</td>" in listing, "the list shows the last use"
    row_id = row.id
    assert admin.post(f"/admin/api-tokens/{row_id}/revoke").status_code == 302
    with database.session() as session:
        assert api_tokens.authenticate(session, plain, now, "read") is None
        revoked = session.scalars(select(AuditEntry).where(AuditEntry.action == "api_token_revoked")).one()
        assert revoked.after == {"token": row_id}
    assert "revoked" in admin.get("/admin/api-tokens/").get_data(as_text=True)


def test_a_token_in_the_past_or_without_a_name_is_refused(
    client_for: Callable[[str], Client], database: DatabaseUnderTest
) -> None:
    admin = client_for("admin")
    bad = admin.post("/admin/api-tokens/", {"name": "", "owner": "lead", "scope": "read", "valid_until": "2020-01-01"})
    assert bad.status_code == 422
    past = admin.post(
        "/admin/api-tokens/", {"name": "x", "owner": "lead", "scope": "read", "valid_until": "2020-01-01"}
    )
    assert past.status_code == 422 and "must lie in the future" in past.get_data(as_text=True)
    with database.session() as session:
        assert session.scalars(select(ApiToken)).first() is None


def test_only_admins_see_tokens(client_for: Callable[[str], Client]) -> None:
    for name in ("agent", "lead", "manager", "designer"):
        client = client_for(name)
        assert client.get("/admin/api-tokens/").status_code == 403
        assert client.post("/admin/api-tokens/", {"name": "x", "owner": name, "scope": "full"}).status_code == 403
