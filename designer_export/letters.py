"""The designer check of a regulation pack's letter templates (``letters/<language>/<name>.html``).

A process designer who changes a mandated letter runs the same ``complaintflow designer check`` as for diagrams:
each letter of the packs beside the template (``*.toml`` two folders up) that uses the file, directly or as a
partial it includes or extends, is rendered with sample values, and every required content block it drops or
leaves empty is an error at that block (its line when the file still holds it).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import tomllib
from dataclasses import replace
from pathlib import Path

from engine.bpmn.diagnostics import ERROR, INFO, Diagnostic
from engine.domain.letter_templates import LANGUAGES, missing_blocks
from engine.domain.messages import msg
from engine.domain.regulation import NOT_PACK_FILES, LetterRule, letters_from_mapping


def is_letter_template(path: str) -> bool:
    """Whether ``path`` is an HTML file in ``letters/<language>/`` of a folder that holds pack files."""
    file = Path(path)
    if file.suffix != ".html" or file.parent.name not in LANGUAGES or file.parent.parent.name != "letters":
        return False
    return any(p.name not in NOT_PACK_FILES for p in file.parents[2].glob("*.toml"))


def _pack_letters(folder: Path) -> tuple[list[tuple[str, LetterRule]], list[str]]:
    """(pack id, letter) of every pack file of ``folder``, and the pack files that cannot be read."""
    letters, broken = [], []
    for path in sorted(folder.glob("*.toml")):
        if path.name in NOT_PACK_FILES:
            continue
        try:
            pack_id, rules = letters_from_mapping(tomllib.loads(path.read_text(encoding="utf-8")), path.name)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError) as error:
            broken.append(f"{path.name}: {error}")
            continue
        letters += [(pack_id, rule) for rule in rules]
    return letters, broken


def _uses(letter: LetterRule, file: Path) -> bool:
    """The letter's template is the file, or names it (``{% include "_fos.html" %}``, ``{% extends ... %}``)."""
    if letter.template == file.stem:
        return True
    try:
        own = (file.parent / f"{letter.template}.html").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(rf"""["'](?:[^"']*/)?{re.escape(file.name)}["']""", own) is not None


def _line_of(block: str, text: str) -> int | None:
    match = re.search(rf"""data-block\s*=\s*["']{re.escape(block)}["']""", text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def letter_template_diagnostics(path: str) -> list[Diagnostic]:
    """The errors of one letter template for every pack letter that uses it (see the module docstring)."""
    file = Path(path)
    folder, language = file.parents[2], file.parent.name
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        problem = msg("diag.unreadable", error=msg("diag.not-utf8", position=error.start))
        return [Diagnostic(ERROR, "unreadable", problem, line=1, file=path)]
    except OSError as error:  # the operating system's words (no such file, permission denied)
        return [Diagnostic(ERROR, "unreadable", msg("diag.unreadable", error=error), line=1, file=path)]
    letters, broken = _pack_letters(folder)
    found = [
        Diagnostic(ERROR, "letter-pack", msg("diag.letter-pack", message=message), line=1, file=path)
        for message in broken
    ]
    users = [(pack_id, letter) for pack_id, letter in letters if _uses(letter, file)]
    if not users and not broken:
        return [Diagnostic(INFO, "letter-unused", msg("diag.letter-unused"), line=1, file=path)]
    for pack_id, letter in users:
        name = f"{pack_id}/{letter.id} ({language})"
        try:
            missing = missing_blocks(letter, language, folder)
        except ValueError as error:
            found.append(
                Diagnostic(
                    ERROR, "letter-template", msg("diag.letter-template", name=name, error=error), line=1, file=path
                )
            )
            continue
        for block in missing:
            line = _line_of(block, text)
            # The file still holds the block (then rendering left it empty), or the block is gone.
            code = "diag.letter-block" if line else "diag.letter-block.2"
            found.append(
                Diagnostic(
                    ERROR,
                    "letter-block",
                    msg(code, name=name, pack_id=pack_id, block=block),
                    hint=msg("hint.letter-block", block=block),
                    element_id=block,
                    element_type="block",
                    line=line or 1,
                    file=path,
                )
            )
    return found


def uploaded_letter_diagnostics(name: str, data: bytes, language: str, library: Path) -> list[Diagnostic]:
    """An uploaded letter template (the web upload page), checked exactly as ``complaintflow designer check`` checks
    the file in place: as ``letters/<language>/<file name>`` of a copy of the pack ``library`` (the shipped
    processes/regulation), against the packs there. The diagnostics name the uploaded file."""
    filename = Path(name.replace("\\", "/")).name
    if language not in LANGUAGES:
        problem = msg("diag.letter-language", language=language)
        return [Diagnostic(ERROR, "letter-language", problem, line=1, file=name)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        problem = msg("diag.unreadable", error=msg("diag.not-utf8", position=error.start))
        return [Diagnostic(ERROR, "unreadable", problem, line=1, file=name)]
    with tempfile.TemporaryDirectory(prefix="cf-letters-") as folder:
        copy = Path(folder) / library.name
        shutil.copytree(library, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        target = copy / "letters" / language / filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        found = letter_template_diagnostics(str(target))
    return [replace(diagnostic, file=name) for diagnostic in found]
