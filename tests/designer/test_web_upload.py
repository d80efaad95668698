"""The designer's upload page and process list via the Flask test client: permissions, diagnostics on the
diagram, deploy, and bad uploads of every kind answered with the CLI's diagnostics (never a 500)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from flask import Flask
from lxml import etree

from designer_export import api as designer_api
from engine.domain.errors import NotFound
from tests.designer.web_support import BROKEN, FIXED, WARNED, upload
from tests.webui.support import Client

SVG = "{http://www.w3.org/2000/svg}"
Clients = Callable[[str], Client]


def diagram_of(page: str) -> etree._Element:
    match = re.search(r"<svg .*?</svg>", page, re.S)
    assert match, "no diagram on the page"
    return etree.fromstring(match.group(0).encode())


def versions_of(app: Flask, key: str) -> list[int]:
    context = app.extensions["complaintflow"]
    with context.sessions() as session:
        try:
            return [row.version for row in designer_api.list_versions(session, key)]
        except NotFound:
            return []


@pytest.mark.parametrize("path", ["/designer/", "/designer/upload", "/designer/migrate/"])
def test_designer_pages_are_for_designers_and_admins(path: str, client_for: Clients, anonymous: Client) -> None:
    for user in ("designer", "admin"):
        page = client_for(user).get(path)
        assert page.status_code == 200, (user, page.status_code)
        assert 'href="/designer/upload"' in page.get_data(as_text=True)  # the navigation links the upload page
    assert client_for("agent").get(path).status_code == 403
    assert client_for("manager").get(path).status_code == 403
    assert anonymous.get(path).status_code == 302


def test_state_changing_posts_need_the_role_and_a_csrf_token(client_for: Clients, app: Flask) -> None:
    agent = client_for("agent")
    assert upload(agent, ("a.bpmn", FIXED), deploy=True).status_code == 403
    batch = {"process_key": "p", "from_version": "1", "to_version": "2"}
    assert agent.post("/designer/migrate/batch", batch).status_code == 403
    assert agent.post("/designer/migrate/instance", {**batch, "instance_id": "1"}).status_code == 403
    designer = client_for("designer")
    no_token = designer.post(
        "/designer/upload", {"deploy": "1", "files": (io.BytesIO(FIXED.encode()), "a.bpmn")},
        csrf=False, content_type="multipart/form-data",
    )  # fmt: skip
    assert no_token.status_code == 400
    assert versions_of(app, "p") == []


def test_a_rejected_file_shows_the_diagnostics_on_the_diagram_and_deploys_nothing(
    client_for: Clients,
    app: Flask,
) -> None:
    response = upload(client_for("designer"), ("refund.bpmn", BROKEN), deploy=True)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was deployed" in page and "verdict-rejected" in page
    # The row names severity, code, element id and type, line, message and hint, and links to the element.
    row = re.search(r'<tr class="sev-error" data-element-id="s1">(.*?)</tr>', page, re.S)
    assert row, page
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    assert "missing-implementation" in cells[0] and 'href="#file0-s1"' in cells[1]
    assert cells[2] == "serviceTask" and cells[3].isdigit() and cells[4] and cells[5]
    svg = diagram_of(page)
    [element] = [g for g in svg.iter(f"{SVG}g") if g.get("data-element-id") == "s1"]
    assert (element.get("id"), element.get("class")) == ("file0-s1", "element error")
    title = element.find(f"{SVG}title")
    assert title is not None and title.text.startswith("error: ")
    assert [rect.get("stroke") for rect in element.iter(f"{SVG}rect")] == ["#c62828"]
    others = [g.get("class") for g in svg.iter(f"{SVG}g") if g.get("data-element-id") != "s1"]
    assert others == ["element"] * 3
    assert versions_of(app, "p") == []


def test_warnings_are_amber_and_a_fixed_file_deploys_with_a_link_to_its_version(
    client_for: Clients,
    app: Flask,
) -> None:
    designer = client_for("designer")
    checked = upload(designer, ("answer.bpmn", WARNED))
    assert checked.status_code == 200
    page = checked.get_data(as_text=True)
    assert "verdict-deployable_with_warnings" in page and "unassigned-task" in page
    [warned] = [g for g in diagram_of(page).iter(f"{SVG}g") if g.get("data-element-id") == "s1"]
    assert warned.get("class") == "element warning"
    assert versions_of(app, "p") == []  # "check only" deploys nothing

    deployed = upload(designer, ("answer.bpmn", FIXED), deploy=True)
    assert deployed.status_code == 200
    page = deployed.get_data(as_text=True)
    assert "verdict-deployable" in page and 'href="/designer/versions/p/1"' in page
    assert versions_of(app, "p") == [1]
    version = designer.get("/designer/versions/p/1")
    assert version.status_code == 200 and 'data-element-id="s1"' in version.get_data(as_text=True)
    listing = designer.text("/designer/")
    assert 'href="/designer/versions/p/1"' in listing and 'href="/designer/versions/p/1/files/answer.bpmn"' in listing


def test_one_rejected_file_keeps_the_whole_upload_from_deploying(client_for: Clients, app: Flask) -> None:
    other = BROKEN.replace('id="p"', 'id="q"').replace('bpmnElement="p"', 'bpmnElement="q"')
    response = upload(client_for("designer"), ("good.bpmn", FIXED), ("bad.bpmn", other), deploy=True)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.index("verdict-deployable") < page.index("verdict-rejected")  # one section per file, in order
    assert 'href="#file1-s1"' in page and 'id="file1-s1"' in page and 'href="#file0-s1"' not in page
    assert versions_of(app, "p") == [] and versions_of(app, "q") == []


def test_descriptive_diagrams_deploy_only_with_the_executable_box(client_for: Clients, app: Flask) -> None:
    descriptive = FIXED.replace('isExecutable="true"', 'isExecutable="false"')
    designer = client_for("designer")
    refused = upload(designer, ("sketch.bpmn", descriptive), deploy=True)
    assert refused.status_code == 422 and "no-executable-process" in refused.get_data(as_text=True)
    deployed = upload(designer, ("sketch.bpmn", descriptive), deploy=True, as_executable="y")
    assert deployed.status_code == 200 and 'href="/designer/versions/p/1"' in deployed.get_data(as_text=True)
    assert versions_of(app, "p") == [1]


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]><definitions>&lol3;</definitions>'
)
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><definitions>&x;</definitions>'


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("junk.bpmn", bytes(range(256)) * 40),
        ("malformed.bpmn", FIXED[: len(FIXED) // 2]),
        ("bomb.bpmn", BOMB),
        ("external.bpmn", EXTERNAL),
        ("huge.bpmn", FIXED.replace("</definitions>", "<!--" + "x" * (6 * 1024 * 1024) + "--></definitions>")),
        ("empty.bpmn", b""),
    ],
)
def test_bad_uploads_get_the_safe_diagnostics_of_the_cli(
    name: str,
    content: bytes | str,
    client_for: Clients,
    app: Flask,
) -> None:
    from designer_export import Upload, check_uploads

    data = content.encode() if isinstance(content, str) else content
    [expected] = check_uploads([Upload(name, data)])
    assert expected.status == "rejected"
    response = upload(client_for("designer"), (name, data), deploy=True)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "verdict-rejected" in page and "Traceback" not in page and "/etc/passwd" not in page.replace(EXTERNAL, "")
    for diagnostic in expected.diagnostics:
        assert f'<code class="muted">{diagnostic.code}</code>' in page
    assert versions_of(app, "p") == []


def test_no_file_and_an_oversized_request_are_refused_with_a_message(client_for: Clients) -> None:
    designer = client_for("designer")
    nothing = designer.post("/designer/upload", {"check": "1"}, content_type="multipart/form-data")
    assert nothing.status_code == 400 and "Choose between 1 and 20 files." in nothing.get_data(as_text=True)
    flood = upload(designer, *[(f"f{n}.bpmn", b"x" * (5 * 1024 * 1024 + 2)) for n in range(5)])
    assert flood.status_code == 413 and "nothing was checked or deployed" in flood.get_data(as_text=True)
    agent_flood = upload(designer.__class__(designer.app), ("f.bpmn", b"x" * (25 * 1024 * 1024)))
    assert agent_flood.status_code in (302, 400, 403, 413)  # signed out: never a 500


def test_a_german_designer_reads_the_diagnostics_in_german(client_for: Clients) -> None:
    """Diagnostics carry a code and parameters; the page renders message, hint and tooltip from the catalogue."""
    designer = client_for("designer")
    assert designer.post("/profile/", {"language": "de"}).status_code == 302
    page = upload(designer, ("broken.bpmn", BROKEN), ("warned.bpmn", WARNED)).get_data(as_text=True)
    # The element kind and what it lacks are German too, not the XML name inside a German sentence.
    assert "das Element Serviceaufgabe hat keine Angabe: Implementierung" in page
    assert "das Element serviceTask" not in page
    assert "machen Sie sie zu einer externen Aufgabe" in page
    assert "die Aufgabe für Menschen hat keine Lane, keine zugewiesene Person und keine Kandidatengruppe" in page
    assert "legen Sie sie in eine Lane oder setzen Sie camunda:candidateGroups" in page
    # The English texts the engine keeps for logs and the CLI are not on the German page, not even in a tooltip.
    assert "has no lane, assignee or candidate group" not in page and "make it an external task" not in page
    deployed = upload(designer, ("broken.bpmn", BROKEN), deploy=True)
    assert deployed.status_code == 422 and "Nichts wurde bereitgestellt" in deployed.get_data(as_text=True)
