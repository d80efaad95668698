"""Mandated letter templates: rendering one in a sandbox and finding which required content blocks it keeps.

A template is Jinja2 HTML in ``<pack folder>/letters/<language>/<template>.html``; its content blocks are
``<section data-block="...">`` elements. Pure functions over files, so both the regulation services (sending,
``complaintflow regulation check``) and the designer check (designer_export) use the same rule: a rendered letter
keeps a required block only when the block is there and has text.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from lxml import html as lxml_html

from engine.domain.messages import msg
from engine.domain.regulation import LetterRule

LANGUAGES = ("en", "de")

# Every name a letter template may use; the checks render each template with these.
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
    # Autoescaped sandbox: the values (names, the agent's text) come from people and are never template code.
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(Path(folder) / "letters")),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
    )


def render_template(letter: LetterRule, language: str, values: dict[str, Any], folder: Path) -> str:
    """The letter's HTML in ``language`` from the templates of ``folder``; ValueError when missing or broken."""
    context = dict.fromkeys(SAMPLE_VALUES)
    context.update(values)
    try:
        return _environment(str(folder)).get_template(f"{language}/{letter.template}.html").render(context)
    except TemplateError as error:
        # Jinja's own description of the fault (a syntax error, an unknown name) stays as Jinja words it.
        problem = msg("letter.not_rendered", template=f"{language}/{letter.template}.html", error=str(error))
        raise ValueError(problem) from None


def blocks_in(html: str) -> set[str]:
    """The ids of the content blocks (``<section data-block="...">``) that have text in a rendered letter."""
    if not html.strip():
        return set()
    document = lxml_html.document_fromstring(html)
    return {
        str(node.get("data-block"))
        for node in document.iter()
        if isinstance(node.tag, str) and node.get("data-block") and node.text_content().strip()
    }


def missing_blocks(letter: LetterRule, language: str, folder: Path) -> list[str]:
    """The letter's required blocks that its template, rendered with sample values, drops or leaves empty.

    ValueError when the template is missing or does not render.
    """
    kept = blocks_in(render_template(letter, language, dict(SAMPLE_VALUES), folder))
    return [block for block in letter.required_blocks if block not in kept]
