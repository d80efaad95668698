"""The test panel of the designer's upload page: evaluate a decision of an uploaded DMN file with sample
inputs, see the result and the matched rules; designers and admins only, in English and German."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tests.designer.web_support import upload
from tests.webui.support import Client

Clients = Callable[[str], Client]
CLASSIFICATION = (Path(__file__).resolve().parents[2] / "processes" / "complaint_classification.dmn").read_text()
ORDER = ["category", "amount", "customer_segment", "channel", "severe"]


def _try(client: Client, values: dict[str, str], source: str = CLASSIFICATION) -> tuple[int, str]:
    data = {"source": source, "filename": "complaint_classification.dmn", "decision": "complaint_classification"}
    data.update({f"in-{ORDER.index(name)}": value for name, value in values.items()})
    response = client.post("/designer/upload/test", data)
    return response.status_code, response.get_data(as_text=True)


def _matched(page: str) -> list[str]:
    return re.findall(r'<tr data-rule-id="([^"]+)" class="matched">', page)


def test_the_upload_page_offers_a_test_panel_for_a_checked_dmn_file(client_for: Clients) -> None:
    page = upload(client_for("designer"), ("complaint_classification.dmn", CLASSIFICATION))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Test the decision Complaint classification" in text
    for name in ORDER:
        assert f'>{name} <span class="muted">' in text
    assert 'action="/designer/upload/test"' in text and _matched(text) == []


def test_evaluate_shows_the_result_and_marks_the_matched_rules(client_for: Clients) -> None:
    designer = client_for("designer")
    inputs = {"category": "billing", "amount": "50", "customer_segment": "private", "channel": "email"}
    status, page = _try(designer, {**inputs, "severe": "false"})
    assert status == 200
    assert _matched(page) == ["rule_default"]
    assert "<code>&#34;normal&#34;</code>" in page or '<code>"normal"</code>' in page
    assert 'value="billing"' in page  # what was typed stays in the form

    status, page = _try(designer, {**inputs, "severe": "true"})
    assert status == 200 and _matched(page) == ["rule_severe"] and "critical" in page

    # A value that does not fit the input's type is refused with the input's name; nothing is evaluated.
    status, page = _try(designer, {**inputs, "amount": "fifty", "severe": "false"})
    assert status == 400 and "amount: “fifty” is not a value of type number." in page and _matched(page) == []
    assert 'value="fifty"' in page

    # No rule matches: said so, no result invented.
    no_match = CLASSIFICATION.replace("<text>-</text>", '<text>"never"</text>')
    status, page = _try(designer, {**inputs, "severe": "false"}, source=no_match)
    assert status == 200 and "No rule matched" in page and _matched(page) == []


def test_only_designers_and_admins_may_test_and_bad_files_are_refused(client_for: Clients, anonymous: Client) -> None:
    assert _try(client_for("admin"), {"category": "account"})[0] == 200
    for user in ("agent", "manager"):
        assert _try(client_for(user), {"category": "account"})[0] == 403
    assert anonymous.post("/designer/upload/test", {"source": CLASSIFICATION}).status_code in (302, 400)
    status, page = _try(client_for("designer"), {}, source="<definitions")
    assert status == 400 and "not well-formed XML" in page


def test_the_panel_in_german(client_for: Clients) -> None:
    designer = client_for("designer")
    assert designer.post("/profile/", {"language": "de"}).status_code == 302
    page = upload(designer, ("complaint_classification.dmn", CLASSIFICATION)).get_data(as_text=True)
    assert "Entscheidung Complaint classification testen" in page and "Auswerten" in page
    status, page = _try(designer, {"category": "billing", "amount": "50", "severe": "false"})
    assert status == 200 and "Ergebnis" in page and "getroffen" in page
    status, page = _try(designer, {"amount": "fünfzig"})
    assert status == 400 and "amount: „fünfzig“ ist kein Wert vom Typ number." in page
