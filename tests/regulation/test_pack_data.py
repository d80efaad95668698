"""The shipped packs as data: every rule cites its source, calendars by nation and state, letter checks."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.domain.regulation import due_at, pack_from_mapping
from engine.services.regulation.library import LIBRARY, check_letters, read_packs, shipped_packs


def test_every_shipped_rule_names_its_source_and_every_letter_keeps_its_blocks() -> None:
    packs = shipped_packs()
    assert sorted(packs) == ["eu_mifid_bafin", "fca_disp", "fca_psd", "iso_10002"]
    rules = [rule for pack in packs.values() for rule in (*pack.deadlines, *pack.letters)]
    assert all(rule.source.text and rule.source.url.startswith("https://") and rule.source.verified for rule in rules)
    assert check_letters(packs) == []


def test_the_psd_pack_holds_the_handbook_numbers() -> None:
    [deadline] = shipped_packs()["fca_psd"].deadlines
    assert (deadline.target, deadline.extended_by, deadline.met_by) == (
        "15 business days",
        {"holding_response": "35 business days"},
        ("final_response",),
    )
    assert shipped_packs()["fca_psd"].retention.years == 3  # type: ignore[union-attr]
    assert shipped_packs()["eu_mifid_bafin"].retention.years == 5  # type: ignore[union-attr]


def test_a_template_that_drops_a_mandatory_block_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "regulation"
    shutil.copytree(LIBRARY, folder)
    template = folder / "letters" / "de" / "fca_psd_holding_response.html"
    text = template.read_text(encoding="utf-8")
    start = text.index('<section data-block="delay_reasons">')
    end = text.index("</section>", start) + len("</section>")
    template.write_text(text[:start] + text[end:], encoding="utf-8")
    problems = [str(problem) for problem in check_letters(read_packs(folder), folder)]
    assert problems == ["fca_psd/holding_response (de): drops required block(s) delay_reasons"]


def test_an_emptied_block_and_a_missing_template_are_refused_too(tmp_path: Path) -> None:
    folder = tmp_path / "regulation"
    shutil.copytree(LIBRARY, folder)
    fos = folder / "letters" / "en" / "_fos.html"
    fos.write_text(fos.read_text(encoding="utf-8").replace("www.financial-ombudsman.org.uk", ""), encoding="utf-8")
    fos.write_text(
        fos.read_text(encoding="utf-8").replace("<p>The Financial Ombudsman Service's website: </p>", "<p> </p>"),
        encoding="utf-8",
    )
    (folder / "letters" / "en" / "iso_acknowledgement.html").unlink()
    problems = {str(problem) for problem in check_letters(read_packs(folder), folder)}
    assert "fca_psd/final_response (en): drops required block(s) fos_website" in problems
    assert any(problem.startswith("iso_10002/acknowledgement (en): letter template") for problem in problems)


def test_a_pack_without_a_source_or_with_an_unknown_calendar_is_refused() -> None:
    read_packs()  # registers the pack calendars, so "uk_england" is known whichever test ran before
    entry = {"id": "x", "title": "X", "title_de": "X", "authority": "A", "calendar": "uk_england",
             "deadlines": [{"id": "d", "label": "D", "label_de": "D", "target": "5 business days", "met_by": [],
                            "url": "https://example.org", "verified": "no"}]}  # fmt: skip
    with pytest.raises(ValueError, match="deadline 'd': source is required"):
        pack_from_mapping(entry)
    with pytest.raises(ValueError, match="unknown business calendar 'mars'"):
        pack_from_mapping({**entry, "calendar": "mars"})


@pytest.mark.parametrize(
    ("calendar", "expected"),
    [
        # Received Friday 27 November 2026, 10:00 London; 3 business days.
        ("uk_england", datetime(2026, 12, 2, 10, 0, tzinfo=UTC)),  # Mon 30, Tue 1, Wed 2
        ("uk_scotland", datetime(2026, 12, 3, 10, 0, tzinfo=UTC)),  # Monday 30 November is St Andrew's Day
    ],
)
def test_uk_bank_holidays_differ_by_nation(calendar: str, expected: datetime) -> None:
    read_packs()  # registers the pack calendars
    assert due_at(datetime(2026, 11, 27, 10, 0, tzinfo=UTC), "3 business days", calendar) == expected


@pytest.mark.parametrize(
    ("calendar", "expected"),
    [
        # Received Tuesday 5 January 2027, 09:00 Berlin (08:00 UTC); 1 business day.
        ("de_nw", datetime(2027, 1, 6, 8, 0, tzinfo=UTC)),
        ("de_by", datetime(2027, 1, 7, 8, 0, tzinfo=UTC)),  # Epiphany (6 January) is a holiday in Bavaria
    ],
)
def test_german_holidays_differ_by_state(calendar: str, expected: datetime) -> None:
    read_packs()
    assert due_at(datetime(2027, 1, 5, 8, 0, tzinfo=UTC), "1 business day", calendar) == expected


def test_the_check_command_refuses_a_changed_copy_that_drops_a_block(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from complaintflow.regulation_cli import regulation_group

    folder = tmp_path / "regulation"
    shutil.copytree(LIBRARY, folder)
    assert CliRunner().invoke(regulation_group, ["check", str(folder)]).exit_code == 0
    template = folder / "letters" / "en" / "fca_psd_acknowledgement.html"
    template.write_text(template.read_text(encoding="utf-8").replace('data-block="timescale_15_35"', ""), "utf-8")
    result = CliRunner().invoke(regulation_group, ["check", str(folder)])
    assert result.exit_code == 1
    assert "fca_psd/acknowledgement (en): drops required block(s) timescale_15_35" in result.output


def test_the_fields_a_pack_classifies_by_are_required_in_the_shipped_forms(tmp_path: Path) -> None:
    from engine.services.regulation.library import PROCESS_DIR, check_forms

    packs = shipped_packs()
    assert packs["fca_psd"].classification is not None
    assert packs["fca_psd"].classification.required == ("product_group", "outcome", "resolution_amount", "root_cause")
    assert check_forms(packs) == []
    # A designer who makes the outcome optional is told which pack needs it.
    for path in PROCESS_DIR.glob("*.bpmn"):
        text = path.read_text(encoding="utf-8")
        marker = '<camunda:formField id="outcome"'
        if marker in text:
            start = text.index(marker)
            end = text.index("</camunda:formField>", start)
            text = text[:start] + text[start:end].replace('<camunda:constraint name="required" />', "") + text[end:]
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    problems = check_forms(packs, sorted(tmp_path.glob("*.bpmn")))
    assert problems == [
        "eu_mifid_bafin: the field 'outcome' is not required in any form of the process",
        "fca_disp: the field 'outcome' is not required in any form of the process",
        "fca_psd: the field 'outcome' is not required in any form of the process",
    ]
