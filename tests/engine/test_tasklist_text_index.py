"""SQLite's FTS5 trigram index (migration 0010) finds the same tasks as the search's walk, and follows changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session

from engine.domain.actors import SYSTEM
from engine.services.intake.complaints import NewComplaint, open_complaint
from engine.services.privacy.pseudonymise import pseudonymise_complaints, pseudonymise_customer
from engine.store import schema, tasklist
from engine.store.complaints import Complaint
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import BASIC, deploy_paths

TEXTS = [
    ("Jürgen Äpfelbaum", "Rechnung für Müller doppelt", "Der Router wurde zweimal berechnet."),
    ("Frau Meier", "ÜBERWEISUNG fehlt", "Gutschrift 100% zugesagt, nie_erhalten."),
    ("Hans MÜLLER", "Router defekt", 'Das Gerät "blinkt" rot; Straße gesperrt.'),
    ("Eva Groß", "Kündigung", "Vertrag zum Monatsende kündigen, bitte bestätigen."),
]
WORDS = [
    "müller", "Müller", "MÜLLER", "mÜller", "rechnung", "RECHNUNG", "äpfel", "Äpfel", "ÄPFELBAUM", "überweisung",
    "ÜBERWEISUNG", "router", "ROUTER", "straße", "STRASSE", "groß", "100%", "nie_erhalten", '"blinkt"', "blinkt",
    "Meier", "für", "fü", "kündig", "KÜNDIG", "nothing-here", "C-",
]  # fmt: skip


def _open(session: Session, now: datetime, name: str, subject: str, description: str) -> Complaint:
    new = NewComplaint(
        customer_name=name,
        customer_email=f"{len(subject)}.{abs(hash(name)) % 10**6}@example.org",
        subject=subject,
        description=description,
        channel="email",
        category="billing",
        amount_disputed=Decimal(80),
        language="de",
    )
    return open_complaint(session, SYSTEM, new, "complaint_basic", now)


def _found(session: Session, word: str, now: datetime) -> set[int]:
    criteria = tasklist.TaskListCriteria("anna", scope=tasklist.SCOPE_ALL, q=word, per_page=100)
    return {row.task.id for row in tasklist.list_page(session, criteria, now)}


def _walked(session: Session, word: str, now: datetime, monkeypatch: pytest.MonkeyPatch) -> set[int]:
    with monkeypatch.context() as patch:
        patch.setattr(tasklist, "_has_text_index", lambda _session: False)
        return _found(session, word, now)


def _fts(session: Session, table: str, word: str) -> list[int]:
    return list(session.scalars(text(f"SELECT rowid FROM {table} WHERE {table} MATCH :q"), {"q": f'"{word}"'}))


@pytest.fixture
def complaints(session: Session, now: datetime) -> list[Complaint]:
    deploy_paths(session, now - timedelta(days=1), *BASIC)
    opened = [_open(session, now, *fields) for fields in TEXTS]
    session.commit()
    return opened


def test_the_index_finds_the_same_tasks_as_the_walk(
    session: Session, now: datetime, complaints: list[Complaint], monkeypatch: pytest.MonkeyPatch
) -> None:
    words = [*WORDS, complaints[2].reference, complaints[2].reference.lower()]
    for word in words:
        assert _found(session, word, now) == _walked(session, word, now, monkeypatch), word
    # Not vacuous: the words find tasks, and the lookup (not the walk) answered on SQLite.
    assert _found(session, "müller", now) and _found(session, complaints[2].reference.lower(), now)
    assert not _found(session, "nothing-here", now)
    if session.get_bind().dialect.name == "sqlite":
        pattern = tasklist._like("müller")
        name = tasklist.HumanTask.customer_name.ilike(pattern, escape="\\")
        assert tasklist._sqlite_rare(session, "müller", pattern, name) is not None
        # The index folds non-ASCII case, SQLite's LIKE does not: the check after the lookup keeps LIKE's answer.
        assert _fts(session, "complaint_fts", "MÜLLER") and not _found(session, "MÜLLER", now) - _found(
            session, "Hans MÜLLER", now
        )


def test_a_common_word_falls_back_to_the_walk(
    session: Session, now: datetime, complaints: list[Complaint], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasklist, "RARE_WORD_COMPLAINTS", 1)
    assert _found(session, "router", now) == _walked(session, "router", now, monkeypatch)
    assert len({row for row in _found(session, "router", now)}) >= 2


def test_changed_and_pseudonymised_texts_leave_the_index(
    session: Session, now: datetime, complaints: list[Complaint], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = complaints[0]
    assert _found(session, "doppelt", now)
    first.subject = "Rechnung korrigiert"
    session.commit()
    assert not _found(session, "doppelt", now)
    assert _found(session, "korrigiert", now) == _walked(session, "korrigiert", now, monkeypatch) != set()

    third = complaints[2]
    customer, reference = third.customer, third.reference
    assert _found(session, "blinkt", now) and _found(session, "Hans MÜLLER", now)
    pseudonymise_complaints(session, customer, [third], now, whole_customer=True)
    pseudonymise_customer(customer, now)
    session.commit()
    for word in ("blinkt", "Hans MÜLLER", "defekt"):
        assert not _found(session, word, now), word
        assert not _walked(session, word, now, monkeypatch), word
        if session.get_bind().dialect.name == "sqlite":
            assert not _fts(session, "complaint_fts", word) and not _fts(session, "human_task_fts", word), word
    # The reference is not personal data and stays findable.
    assert _found(session, reference, now) == _walked(session, reference, now, monkeypatch) != set()


def test_the_migration_indexes_existing_rows_and_a_lost_trigger_means_walking(
    database: DatabaseUnderTest, session: Session, now: datetime, complaints: list[Complaint]
) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("the FTS5 index is SQLite's")
    session.close()
    config = schema.alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0010-1")
    with database.session() as fresh:
        assert not tasklist._has_text_index(fresh)
    schema.upgrade(database.engine)  # 'rebuild' and a copy of the existing rows
    with database.session() as fresh:
        assert tasklist._has_text_index(fresh)
        assert _fts(fresh, "complaint_fts", "doppelt") == [complaints[0].id]
        assert len(_fts(fresh, "human_task_fts", "Äpfelbaum")) == 1
        fresh.execute(text("DROP TRIGGER complaint_fts_au"))  # as a later table rebuild on SQLite would
        assert not tasklist._has_text_index(fresh)
        assert _found(fresh, "doppelt", now)  # by walking
