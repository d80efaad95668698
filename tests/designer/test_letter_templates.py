"""``complaintflow designer check`` on a regulation pack's letter templates: a dropped or emptied required block is
an error located at the file and the block; the shipped templates pass (issue 19)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from designer_export.letters import uploaded_letter_diagnostics
from tests.designer.test_cli import ROOT, cli
from tests.designer.web_support import upload
from tests.webui.support import Client

Clients = Callable[[str], Client]

LIBRARY = ROOT / "processes" / "regulation"


def test_the_shipped_letter_templates_pass_the_designer_check() -> None:
    templates = sorted(str(path.relative_to(ROOT)) for path in LIBRARY.glob("letters/*/*.html"))
    assert len(templates) >= 12
    result = cli("designer", "check", "--format", "json", *templates)
    assert result.returncode == 0, result.stdout
    reports = json.loads(result.stdout)
    assert {report["status"] for report in reports} == {"deployable"}
    assert [d for report in reports for d in report["diagnostics"] if d["severity"] == "error"] == []


def test_a_template_that_drops_a_mandatory_block_is_rejected_at_that_block(tmp_path: Path) -> None:
    folder = tmp_path / "regulation"
    shutil.copytree(LIBRARY, folder)
    template = folder / "letters" / "de" / "fca_psd_holding_response.html"
    text = template.read_text(encoding="utf-8")
    start = text.index('<section data-block="delay_reasons">')
    end = text.index("</section>", start) + len("</section>")
    template.write_text(text[:start] + text[end:], encoding="utf-8")
    result = cli("designer", "check", "--format", "json", str(template))
    assert result.returncode == 1
    [report] = json.loads(result.stdout)
    assert report["status"] == "rejected"
    assert [(d["file"], d["code"], d["element_id"]) for d in report["diagnostics"]] == [
        (str(template), "letter-block", "delay_reasons")
    ]
    assert "fca_psd/holding_response (de)" in report["diagnostics"][0]["message"]


def test_an_emptied_block_in_a_shared_partial_is_an_error_at_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "regulation"
    shutil.copytree(LIBRARY, folder)
    partial = folder / "letters" / "en" / "_fos.html"
    text = partial.read_text(encoding="utf-8").replace("www.financial-ombudsman.org.uk", "")
    partial.write_text(text.replace("<p>The Financial Ombudsman Service's website: </p>", "<p> </p>"), "utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if 'data-block="fos_website"' in row)
    result = cli("designer", "check", str(partial), str(folder / "letters" / "en" / "fca_psd_acknowledgement.html"))
    assert result.returncode == 1
    assert f"{partial}: rejected" in result.stdout
    assert f"{partial}:{line}: error [letter-block] block 'fos_website': the letter fca_psd/final_response (en)" in (
        result.stdout
    )
    assert f"{folder / 'letters' / 'en' / 'fca_psd_acknowledgement.html'}: deployable" in result.stdout


def test_the_upload_page_checks_a_letter_template_with_the_same_rule(client_for: Clients) -> None:
    """Issue 19: the web upload page checks letter templates as the CLI does, located, in English and German."""
    designer = client_for("designer")
    text = (LIBRARY / "letters" / "de" / "fca_psd_holding_response.html").read_text(encoding="utf-8")
    start = text.index('<section data-block="delay_reasons">')
    end = text.index("</section>", start) + len("</section>")
    dropped = text[:start] + text[end:]
    page = upload(designer, ("fca_psd_holding_response.html", dropped), letter_language="de")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "verdict-rejected" in html
    assert "The letter fca_psd/holding_response (de) drops the required block “delay_reasons”" in html
    assert 'data-element-id="delay_reasons"' in html
    # The shipped template as it is passes; as an English template under a German name it is checked in English.
    good = upload(designer, ("fca_psd_holding_response.html", text), letter_language="de").get_data(as_text=True)
    assert "verdict-deployable" in good and "letter-block" not in good
    # Deploy is refused for templates: nothing is deployed, the reason says where templates belong.
    refused = upload(designer, ("fca_psd_holding_response.html", dropped), deploy=True, letter_language="de")
    assert refused.status_code == 422 and "processes/regulation/letters" in refused.get_data(as_text=True)
    # German page: the finding in German, at its block.
    assert designer.post("/profile/", {"language": "de"}).status_code == 302
    german = upload(designer, ("fca_psd_holding_response.html", dropped), letter_language="de").get_data(as_text=True)
    assert "Der Brief fca_psd/holding_response (de) lässt den Pflichtbaustein „delay_reasons“ weg oder leer" in german
    assert "Sprache der Briefvorlagen" in german
    # Every letter finding is rendered from its code (no English text is matched): unused and broken templates too.
    unused = upload(designer, ("nobody_uses_me.html", "<html></html>"), letter_language="de").get_data(as_text=True)
    assert "Kein Brief der mitgelieferten Pakete verwendet diese Vorlage (Dateinamen prüfen)." in unused
    broken = upload(designer, ("fca_psd_holding_response.html", "{% if %}"), letter_language="de")
    assert (
        "Die Briefvorlage lässt sich nicht darstellen: Briefvorlage de/fca_psd_holding_response.html:"
        in broken.get_data(as_text=True)
    )
    assert client_for("agent").get("/designer/upload").status_code == 403


def test_the_cli_and_the_upload_page_find_the_same(tmp_path: Path) -> None:
    folder = tmp_path / "regulation"
    shutil.copytree(LIBRARY, folder)
    template = folder / "letters" / "en" / "fca_final_response.html"
    text = template.read_text(encoding="utf-8")
    start = text.index('data-block="outcome"')
    template.write_text(text[: text.rindex("<section", 0, start)] + "</body></html>", encoding="utf-8")
    [report] = json.loads(cli("designer", "check", "--format", "json", str(template)).stdout)
    from_cli = sorted((d["code"], d["element_id"], d["line"]) for d in report["diagnostics"])
    uploaded = uploaded_letter_diagnostics("fca_final_response.html", template.read_bytes(), "en", LIBRARY)
    assert from_cli and from_cli == sorted((d.code, d.element_id, d.line) for d in uploaded)
