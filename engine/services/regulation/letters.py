"""Rendering a mandated letter from its pack template, in the complaint's language.

Templates are Jinja2 HTML in processes/regulation/letters/<language>/<template>.html, rendered in a sandbox with
autoescaping: the values (names, the agent's text) come from people and are never template code.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from engine.domain.regulation import LetterRule
from engine.services.regulation.library import LIBRARY

# Every name a letter template may use; the check renders each template with these.
SAMPLE_VALUES: dict[str, Any] = {
    "subject": "Your complaint C-2026-000001",
    "company_name": "Example Ltd",
    "customer_name": "Alex Example",
    "reference": "C-2026-000001",
    "complaint_subject": "Card payment taken twice",
    "received_date": "2026-12-01",
    "letter_date": "2026-12-02",
    "deadline_date": "2026-12-22",
    "expected_date": "2027-01-20",
    "message": "We are waiting for the card scheme's answer.",
    "outcome_sentence": "We uphold your complaint.",
    "redress": "GBP 20.00",
}


@functools.cache
def _environment(folder: str) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(Path(folder) / "letters")),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
    )


def render_letter(letter: LetterRule, language: str, values: dict[str, Any], folder: Path = LIBRARY) -> str:
    """The letter's HTML in ``language`` (``en``/``de``); ValueError when the template is missing or broken."""
    context = dict.fromkeys(SAMPLE_VALUES)
    context.update(values)
    try:
        return _environment(str(folder)).get_template(f"{language}/{letter.template}.html").render(context)
    except TemplateError as error:
        raise ValueError(f"letter template {language}/{letter.template}.html: {error}") from None


def letter_text(html: str) -> str:
    """The letter's content blocks as plain text (the e-mail's text part; the greeting comes from the mail)."""
    from lxml import html as lxml_html  # noqa: PLC0415 - only needed when sending

    document = lxml_html.document_fromstring(html)
    parts = [" ".join(node.text_content().split()) for node in document.iter() if node.get("data-block")]
    return "\n\n".join(part for part in parts if part)
