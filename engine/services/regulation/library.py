"""The shipped regulation packs (processes/regulation/*.toml), their calendars and their letter templates.

Packs are data: a designer reads and changes the TOML files and the letter templates beside them. Loading checks
every pack (sources present, calendars known, letters that exist) and every letter template in both languages
(:func:`check_letters`): a template that drops one of its letter's required content blocks is refused.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from engine.domain.calendars import known_calendars, register_calendar
from engine.domain.letter_templates import LANGUAGES, missing_blocks
from engine.domain.letter_templates import blocks_in as blocks_in
from engine.domain.regulation import NOT_PACK_FILES, Pack, pack_from_mapping
from engine.domain.return_map import ReturnMap, return_map_from_mapping
from engine.services.sla.calendar_config import load_calendar_file

PROCESS_DIR = Path(__file__).resolve().parents[3] / "processes"
LIBRARY = PROCESS_DIR / "regulation"
# Variables intake sets for every complaint (engine.services.intake.complaints.process_variables); product_group is
# also what selects the packs, so a complaint under a pack always has one.
INTAKE_VARIABLES = frozenset({"product_group", "channel", "customer_segment", "category", "language"})
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
CALENDARS_FILE = "calendars.toml"


@dataclass(frozen=True)
class LetterProblem:
    """A letter template that cannot be used: which pack, letter and language, and why."""

    pack: str
    letter: str
    language: str
    message: str

    def __str__(self) -> str:
        return f"{self.pack}/{self.letter} ({self.language}): {self.message}"


def register_pack_calendars(folder: Path = LIBRARY) -> list[str]:
    """Register the packs' calendars that no settings file or built-in defines yet; returns the names added."""
    added = []
    known = set(known_calendars())
    for name, calendar in load_calendar_file(folder / CALENDARS_FILE).items():
        if name not in known:
            register_calendar(name, calendar)
            added.append(name)
    return added


def read_packs(folder: Path = LIBRARY) -> dict[str, Pack]:
    """Every pack of ``folder`` by id; ValueError names the file and the rule at fault."""
    register_pack_calendars(folder)
    packs: dict[str, Pack] = {}
    for path in sorted(folder.glob("*.toml")):
        if path.name in NOT_PACK_FILES:
            continue
        try:
            pack = pack_from_mapping(tomllib.loads(path.read_text(encoding="utf-8")), f"{path.name}: pack")
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"{path.name} is not valid TOML: {error}") from None
        if pack.id in packs:
            raise ValueError(f"{path.name}: pack id {pack.id!r} is used twice")
        packs[pack.id] = pack
    return packs


RETURNS_FILE = "returns.toml"


def read_return_map(folder: Path = LIBRARY) -> ReturnMap:
    """The returns' mapping tables of ``folder`` (returns.toml); ValueError names what is wrong."""
    path = folder / RETURNS_FILE
    try:
        return return_map_from_mapping(tomllib.loads(path.read_text(encoding="utf-8")), path.name)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path.name} is not valid TOML: {error}") from None


@functools.cache
def shipped_return_map() -> ReturnMap:
    """The shipped returns.toml, read once per process (a designer's change takes effect on restart)."""
    return read_return_map(LIBRARY)


@functools.cache
def shipped_packs() -> dict[str, Pack]:
    """The packs shipped in processes/regulation, read once per process."""
    return read_packs(LIBRARY)


def check_letters(packs: dict[str, Pack], folder: Path = LIBRARY) -> list[LetterProblem]:
    """Render every letter of every pack in every language with sample values; list what is missing or broken."""
    problems = []
    for pack in packs.values():
        for letter in pack.letters:
            for language in LANGUAGES:
                try:
                    missing = missing_blocks(letter, language, folder)
                except ValueError as error:
                    problems.append(LetterProblem(pack.id, letter.id, language, str(error)))
                    continue
                if missing:
                    problems.append(
                        LetterProblem(pack.id, letter.id, language, f"drops required block(s) {', '.join(missing)}")
                    )
    return problems


def required_form_fields(bpmn_files: list[Path]) -> set[str]:
    """Ids of the form fields that some user task of the diagrams marks ``required``."""
    found: set[str] = set()
    for path in bpmn_files:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False)).getroot()
        for field in root.iter(f"{{{CAMUNDA}}}formField"):
            if any(c.get("name") == "required" for c in field.iter(f"{{{CAMUNDA}}}constraint")):
                found.add(str(field.get("id")))
    return found


def check_forms(packs: dict[str, Pack], bpmn_files: list[Path] | None = None) -> list[str]:
    """Each pack's classification fields: set at intake, or required in a form of the diagrams; lists the gaps."""
    files = bpmn_files if bpmn_files is not None else sorted(PROCESS_DIR.glob("*.bpmn"))
    required = required_form_fields(files) | INTAKE_VARIABLES
    problems = []
    for pack in packs.values():
        if pack.classification is None:
            continue
        for name in pack.classification.required:
            if name not in required:
                problems.append(f"{pack.id}: the field {name!r} is not required in any form of the process")
    return problems
