"""Letter templates on the designer's upload page: the same check as ``complaintflow designer check`` (
designer_export.letters), with the findings in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from designer_export import FileReport, Upload
from designer_export.letters import uploaded_letter_diagnostics
from engine.bpmn.diagnostics import Diagnostic
from engine.services.regulation.library import LIBRARY
from webui.engine_text import coded_text, diagnostic_hint, diagnostic_message

LETTER_SUFFIX = ".html"


def is_letter_upload(upload: Upload) -> bool:
    """An uploaded ``.html`` file is a letter template (diagrams are .bpmn, .dmn or .xml)."""
    return upload.filename.lower().endswith(LETTER_SUFFIX)


def check_letter(upload: Upload, language: str) -> FileReport:
    """The check of one uploaded letter template against the shipped packs (processes/regulation)."""
    found = uploaded_letter_diagnostics(upload.name, upload.data, language, LIBRARY)
    return FileReport(upload.name, sorted(found, key=lambda d: (d.severity != "error", d.line or 0)))


# The upload page's own wording of the letter findings (by message code), with the block named; the CLI keeps
# the check's wording. Everything else renders from the finding's code like any other diagnostic.
_LETTER_TEXT = {
    "diag.letter-block": _l(
        "The letter %(name)s drops the required block “%(block)s” or leaves it empty (the pack %(pack_id)s requires "
        "it)."
    ),
    "diag.letter-block.2": _l(
        "The letter %(name)s drops the required block “%(block)s” or leaves it empty (the pack %(pack_id)s requires "
        "it)."
    ),
    "diag.letter-unused": _l("No letter of the shipped packs uses this template (check the file name)."),
    "diag.letter-template": _l("The letter template does not render: %(error)s"),
    "hint.letter-block": _l('Keep <section data-block="%(block)s"> with its text.'),
}


def message(diagnostic: Diagnostic) -> str:
    """A letter finding in the reader's language."""
    return coded_text(diagnostic.message, _LETTER_TEXT) or diagnostic_message(diagnostic)


def hint(diagnostic: Diagnostic) -> str:
    """The hint in the reader's language ('' when it has none)."""
    return (coded_text(diagnostic.hint, _LETTER_TEXT) if diagnostic.hint else None) or diagnostic_hint(diagnostic)
