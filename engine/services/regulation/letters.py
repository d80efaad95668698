"""Rendering a mandated letter from its pack template, in the complaint's language.

Templates are Jinja2 HTML in processes/regulation/letters/<language>/<template>.html, rendered in a sandbox with
autoescaping: the values (names, the agent's text) come from people and are never template code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.domain.letter_templates import SAMPLE_VALUES as SAMPLE_VALUES
from engine.domain.letter_templates import render_template
from engine.domain.regulation import LetterRule
from engine.services.regulation.library import LIBRARY


def render_letter(letter: LetterRule, language: str, values: dict[str, Any], folder: Path = LIBRARY) -> str:
    """The letter's HTML in ``language`` (``en``/``de``); ValueError when the template is missing or broken."""
    return render_template(letter, language, values, folder)


def letter_text(html: str) -> str:
    """The letter's content blocks as plain text (the e-mail's text part; the greeting comes from the mail)."""
    from lxml import html as lxml_html  # noqa: PLC0415 - only needed when sending

    document = lxml_html.document_fromstring(html)
    parts = [" ".join(node.text_content().split()) for node in document.iter() if node.get("data-block")]
    return "\n\n".join(part for part in parts if part)
