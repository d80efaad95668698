"""``complaintflow designer check`` on a regulation pack's letter templates: a dropped or emptied required block is
an error located at the file and the block; the shipped templates pass (issue 19)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.designer.test_cli import ROOT, cli

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
