"""Engine messages (errors, field messages, diagram diagnostics) in the user's language.

The engine knows no locale: it raises and reports ``engine.domain.messages.Message`` values, English text that
carries a stable ``code`` and its ``params``. This module renders them from the code through the catalogue (the
English template of each code is its msgid), with parameters shown the way the pages show them (a status as its
label). A text without a code (from code not converted yet, or from outside the engine) shows as it is: complete,
only English. Nothing here reads English text to guess what it says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import LazyString, ngettext
from flask_babel import gettext as _

from engine.bpmn.diagnostics import Diagnostic
from engine.domain.errors import DeploymentError
from engine.domain.messages import MESSAGES, PLURALS, Message, message_of
from webui.labels import ELEMENT_KIND_LABELS, STATUS_LABELS, label


def _shown(params: Mapping[str, Any]) -> dict[str, Any]:
    # A parameter that is itself a coded message (or an error carrying one) is shown in the user's language too.
    values = {
        key: coded_text(value) or str(value) if isinstance(value, Message | BaseException) else value
        for key, value in params.items()
    }
    if values.get("status") in STATUS_LABELS:
        values["status"] = label(values["status"], "status")
    for key in ("kind", "type"):  # a BPMN element kind ("serviceTask") as people name it ("Serviceaufgabe")
        if values.get(key) in ELEMENT_KIND_LABELS:
            values[key] = label(values[key], "element")
    if isinstance(values.get("what"), str):
        values["what"] = _(values["what"])  # a described part of a diagram, marked N_ where it is named
    return values


def coded_text(value: object, overrides: Mapping[str, LazyString] | None = None) -> str | None:
    """The text of a coded message in the user's language (``overrides``: code -> other wording), else None."""
    coded = message_of(value)
    if coded is not None and coded.code in PLURALS:
        singular, plural = PLURALS[coded.code]
        values = _shown(coded.params)
        return ngettext(singular, plural, int(values.pop("num", 0)), **values)
    if coded is None or coded.code not in MESSAGES:
        return None
    template = overrides.get(coded.code) if overrides else None
    text = str(template) if template is not None else _(MESSAGES[coded.code])
    return text % _shown(coded.params) if "%(" in text else text


def engine_message(error: Exception | str) -> str:
    """An error's (or message's) text in the user's language; English as it is when it carries no code.

    A deployment error keeps the place it names (file, element, line), which its code and parameters leave out.
    """
    text = coded_text(error)
    if text is None:
        return str(error)
    if isinstance(error, DeploymentError):
        where = ", ".join(
            part
            for part in (
                _("file %(name)s", name=error.filename) if error.filename else "",
                _("element %(id)s", id=error.element_id) if error.element_id else "",
                _("line %(num)s", num=error.line) if error.line else "",
            )
            if part
        )
        return f"{text} ({where})" if where else text
    return text


def diagnostic_message(diagnostic: Diagnostic) -> str:
    """A designer diagnostic's message in the user's language."""
    return engine_message(diagnostic.message)


def diagnostic_hint(diagnostic: Diagnostic) -> str:
    """A designer diagnostic's hint in the user's language ('' when it has none)."""
    return engine_message(diagnostic.hint) if diagnostic.hint else ""


def field_text(message: str | Message, overrides: Mapping[str, LazyString] | None = None) -> str | None:
    """A service's field message in the user's language, or None when it carries no code."""
    return coded_text(message, overrides)
