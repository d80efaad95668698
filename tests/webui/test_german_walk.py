"""Every role, with German selected, walks every page it reaches: no English catalogue text may show."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import DatabaseUnderTest
from tests.webui.support import Client
from tests.webui.walk import catalogue, crawl, data_texts, diagram_texts, translated_originals, untranslated

ROLES = ["agent", "lead", "dept", "manager", "designer", "admin"]


@pytest.mark.parametrize("role", ROLES)
def test_a_german_user_sees_no_english_interface_text(
    client_for: Callable[[str], Client], database: DatabaseUnderTest, role: str
) -> None:
    client = client_for(role)
    assert client.post("/profile/", {"language": "de"}).status_code == 302
    pages = crawl(client)
    assert len(pages) >= 3, sorted(pages)
    translations = catalogue()
    # Texts whose German is the same word (Status, Team, URL) cannot tell; every other English text must not show.
    english = {text for text, german in translations.items() if german and german != text}
    with database.session() as session:
        # Diagram names, labels and choices with a German translation must show in German too.
        english |= translated_originals(session) - set(translations.values())
        ignore = data_texts(session) | diagram_texts(session) | set(translations.values())
        ignore -= english - set(translations)
    found = untranslated(pages, english, ignore)
    assert found == {}, f"{len(pages)} pages walked"
