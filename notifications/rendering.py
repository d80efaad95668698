"""Jinja2 mail templates per event: ``<event>.txt`` (first line ``Subject: ...``) and ``<event>.html``.

One set of templates for every language: each text in them goes through the message catalogue
(``notifications.i18n``, the UI's catalogue) with Jinja's i18n extension, rendered in the recipient's language;
``pybabel extract`` reads them like the UI's templates (webui/babel.cfg). Values are escaped in HTML and never
interpreted as template code.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, Template, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

from engine.domain.notification_events import STAFF_EVENTS
from notifications.errors import PermanentDeliveryError
from notifications.i18n import language, translations

TEMPLATES = Path(__file__).parent / "templates"
CUSTOMER_EVENTS = (
    "complaint_received",
    "information_requested",
    "status_changed",
    "resolution",
    "survey_invitation",
    "reopen_confirmation",
    "customer_reply",
    "complaint_closed_no_answer",
)
FALLBACK = "notification"
# Other names the services and diagrams use for the same events.
ALIASES = {
    "receipt": "complaint_received",
    # Templates of the process library (processes/README.md).
    "complaint_acknowledgement": "complaint_received",
    "complaint_update": "status_changed",
    "complaint_resolved": "resolution",
    "feedback_request": "survey_invitation",
    "complaint_opened": "complaint_received",
    "customer_info_request": "information_requested",
    "info_requested": "information_requested",
    "status_change": "status_changed",
    "resolved": "resolution",
    "survey": "survey_invitation",
    "reopened": "reopen_confirmation",
    "complaint_reopened": "reopen_confirmation",
    "reminder": "sla_reminder",
    "escalation": "sla_escalation",
    "handover": "handover_received",
    "subtask": "subtask_assigned",
}
# Every name a template context offers; unset ones are None, so templates can test them with ``if``.
CONTEXT_KEYS = (
    "topic",
    "reference",
    "recipient_name",
    "complaint_subject",
    "status",
    "status_label",
    "outcome_label",
    "status_link",
    "rating_link",
    "case_link",
    "task_link",
    "inbox_link",
    "expected_response",
    "body",
    "row_subject",
    "task_title",
    "due_at",
    "priority",
    "sender_name",
    "mail_subject",
    "priority_label",
    "due_in_days",
    "due_in_hours",
    "due_in_minutes",
)


@dataclass(frozen=True)
class RenderedMail:
    """Subject, plain text and HTML of one mail."""

    subject: str
    text: str
    html: str


def template_name(topic: str) -> str:
    """The template an outbox topic uses (its own, an alias, or the generic one)."""
    name = ALIASES.get(topic, topic)
    return name if name in CUSTOMER_EVENTS or name in STAFF_EVENTS else FALLBACK


@functools.cache
def _environment(html: bool, lang: str) -> SandboxedEnvironment:
    # The sandbox is belt and braces: the templates are ours, but their values come from customers. The HTML
    # part escapes everything, the text partials it includes too.
    environment = SandboxedEnvironment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=html,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    # New-style gettext: ``_("Dear %(name)s,", name=...)`` fills (and in HTML escapes) the values itself.
    environment.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return environment


@functools.cache
def _text_templates(lang: str, name: str) -> tuple[Template, Template]:
    environment = _environment(False, lang)
    try:
        source, _filename, _uptodate = environment.loader.get_source(environment, f"{name}.txt")  # type: ignore[union-attr]
    except TemplateNotFound as error:
        raise PermanentDeliveryError(f"no mail template {error.name}") from None
    first, _, rest = source.partition("\n")
    if not first.startswith("Subject:"):
        raise PermanentDeliveryError(f"template {name}.txt must start with a 'Subject:' line")
    return environment.from_string(first[len("Subject:") :].strip()), environment.from_string(rest)


def render_mail(topic: str, lang: str, values: dict[str, Any]) -> RenderedMail:
    """Render an event's mail in ``lang`` (English when the language is not supported)."""
    lang = language(lang)
    name = template_name(topic)
    context: dict[str, Any] = dict.fromkeys(CONTEXT_KEYS)
    context.update(values)
    context["topic"] = topic
    context["lang"] = lang
    subject_template, body_template = _text_templates(lang, name)
    # The subject is rendered on its own, so a value with a line break stays in it and the sender's header
    # check refuses it, instead of the break silently ending the subject line.
    subject = subject_template.render(context).strip(" \t")
    text = body_template.render(context)
    context["mail_subject"] = subject
    html = _environment(True, lang).get_template(f"{name}.html").render(context)
    return RenderedMail(subject=subject, text=text.lstrip("\n"), html=html)
