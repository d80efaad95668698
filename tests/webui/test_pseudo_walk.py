"""Every role walks every page it reaches in a pseudo-locale: visible interface text must carry the marker.

The app runs with a pseudo catalogue (tests/webui/pseudo.py) in place of the German one, so every text that went
through gettext shows as ``⟦English⟧``. Anything else on a page must be user data (stored texts, diagram texts),
locale data (dates, day names, units) or marked ``translate="no"``; a text that never went through the catalogue
is reported with its page. Stored enumeration ids (``billing``, ``task_completed``) do not count as user data:
pages show them through labels.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from engine.bpmn.diagram_texts import read_translations
from engine.store.models import DefinitionResource
from tests.conftest import DatabaseUnderTest
from tests.webui.pseudo import data_pattern, library_texts, locale_words, unmarked, write_pseudo_catalogue
from tests.webui.support import Client, Seeded, app_context, make_app
from tests.webui.walk import crawl, csv_downloads, data_texts, diagram_texts, submit_forms, visible_texts, word_runs

# Columns of stored ids that pages show through labels (webui/labels.py): not user data.
ENUMERATION_COLUMNS = {"category", "status", "channel", "priority", "outcome", "root_cause", "action", "language"}
ROLES = ["agent", "lead", "dept", "manager", "designer", "admin"]


@pytest.fixture
def pseudo_app(database: DatabaseUnderTest, now: datetime, tmp_path: Path, seeded: Seeded) -> Flask:
    directory = write_pseudo_catalogue(tmp_path / "pseudo")
    context = app_context(database.url, database.engine, database.sessions, tmp_path / "instance")
    return make_app(context, now, BABEL_TRANSLATION_DIRECTORIES=str(directory))


def stored_texts(database: DatabaseUnderTest) -> set[str]:
    """User data, diagram texts (names, labels, their translations) and WTForms' own German messages; the
    enumeration columns are not user data."""
    with database.session() as session:
        texts = data_texts(session, skip_columns=ENUMERATION_COLUMNS) | diagram_texts(session) | library_texts()
        for (content,) in session.execute(select(DefinitionResource.content).where(DefinitionResource.kind == "bpmn")):
            for entries in read_translations(content).values():
                # Diagrams wrap names over lines: every run of words of a translation is a text of its own.
                texts.update(run for text in entries.values() for run in word_runs(text))
    return texts


def unmarked_by_page(pages: dict[str, str], stored: set[str]) -> dict[str, set[str]]:
    data, words = data_pattern(stored), locale_words()
    found = {url: unmarked(visible_texts(page), data, words) for url, page in pages.items()}
    return {url: texts for url, texts in found.items() if texts}


def report(found: dict[str, set[str]], walked: int) -> str:
    """One line per text without the marker, with the first page it is on."""
    first: dict[str, str] = {}
    for url, texts in sorted(found.items()):
        for text in texts:
            first.setdefault(text, url)
    lines = [f"{url}: {text!r}" for text, url in sorted(first.items(), key=lambda item: (item[1], item[0]))]
    return f"{len(first)} texts without the marker on {len(found)} of {walked} pages:\n" + "\n".join(lines)


@pytest.mark.parametrize("role", ROLES)
def test_every_visible_text_went_through_the_catalogue(
    pseudo_app: Flask, database: DatabaseUnderTest, role: str
) -> None:
    client = Client(pseudo_app)
    assert client.sign_in(role).status_code == 302
    assert client.post("/profile/", {"language": "de"}).status_code == 302
    pages = crawl(client)
    assert len(pages) >= 3, sorted(pages)
    assert any("⟦" in page for page in pages.values()), "the pseudo catalogue is in use"
    found = unmarked_by_page(pages, stored_texts(database))
    assert found == {}, report(found, len(pages))
    # CSV downloads: a German user gets column names in German, so every header cell carries the marker.
    headers = {url: next(csv.reader(io.StringIO(text))) for url, text in csv_downloads(client, pages).items()}
    if role in ("manager", "admin"):
        assert headers, "the cockpit and audit exports are linked"
    words = locale_words()
    assert {url: unmarked(cells, data_pattern(set()), words) for url, cells in headers.items()} == dict.fromkeys(
        headers, set()
    )


@pytest.mark.parametrize("role", ROLES)
def test_flash_messages_and_form_errors_went_through_the_catalogue(
    pseudo_app: Flask, database: DatabaseUnderTest, role: str
) -> None:
    """Every form of every page sent once with its text fields empty: the errors or messages that come back."""
    client = Client(pseudo_app)
    assert client.sign_in(role).status_code == 302
    assert client.post("/profile/", {"language": "de"}).status_code == 302
    answers = submit_forms(client, crawl(client))
    assert len(answers) >= 2, sorted(answers)
    found = unmarked_by_page(answers, stored_texts(database))
    assert found == {}, report(found, len(answers))


def test_the_customer_portal_went_through_the_catalogue(pseudo_app: Flask, database: DatabaseUnderTest) -> None:
    """The portal's pages in German, and the forms sent empty or with an unknown number (field errors)."""
    customer = Client(pseudo_app)
    pages = {url: customer.text(url) for url in ("/portal/welcome?lang=de", "/portal/?lang=de", "/portal/find?lang=de",
                                                 "/portal/faq?lang=de")}  # fmt: skip
    pages["POST /portal/ (empty)"] = customer.post("/portal/", {"lang": "de"}).get_data(as_text=True)
    pages["POST /portal/find (unknown)"] = customer.post(
        "/portal/find", {"lang": "de", "reference": "C-1999-000001", "email": "x@example.org"}
    ).get_data(as_text=True)
    assert "⟦" in pages["/portal/?lang=de"], "the portal speaks through the catalogue"
    found = unmarked_by_page(pages, stored_texts(database))
    assert found == {}, report(found, len(pages))
