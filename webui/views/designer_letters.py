"""Letter templates on the designer's upload page: the same check as ``complaintflow designer check`` (
designer_export.letters), with the findings in the reader's language."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from designer_export import FileReport, Upload
from designer_export.letters import uploaded_letter_diagnostics
from engine.bpmn.diagnostics import Diagnostic
from engine.services.regulation.library import LIBRARY

LETTER_SUFFIX = ".html"
_BLOCK = re.compile(r"the letter (?P<letter>\S+ \(\w+\)) .* \(the pack (?P<pack>\S+)\.toml requires it\)")


def is_letter_upload(upload: Upload) -> bool:
    """An uploaded ``.html`` file is a letter template (diagrams are .bpmn, .dmn or .xml)."""
    return upload.filename.lower().endswith(LETTER_SUFFIX)


def check_letter(upload: Upload, language: str) -> FileReport:
    """The check of one uploaded letter template against the shipped packs (processes/regulation)."""
    found = uploaded_letter_diagnostics(upload.name, upload.data, language, LIBRARY)
    return FileReport(upload.name, sorted(found, key=lambda d: (d.severity != "error", d.line or 0)))


def message(diagnostic: Diagnostic) -> str:
    """A letter finding in the reader's language; other findings as the checks wrote them."""
    code = diagnostic.code
    if code == "letter-block":
        match = _BLOCK.search(diagnostic.message)
        if match:
            return _(
                "The letter %(letter)s drops the required block “%(block)s” or leaves it empty (the pack %(pack)s "
                "requires it).",
                letter=match["letter"],
                block=diagnostic.element_id or "",
                pack=match["pack"],
            )
    if code == "letter-unused":
        return _("No letter of the shipped packs uses this template (check the file name).")
    if code == "letter-template":
        return _("The letter template does not render: %(error)s", error=diagnostic.message)
    return diagnostic.message


def hint(diagnostic: Diagnostic) -> str:
    """The hint in the reader's language."""
    if diagnostic.code == "letter-block" and diagnostic.element_id:
        return _('Keep <section data-block="%(block)s"> with its text.', block=diagnostic.element_id)
    return diagnostic.hint
