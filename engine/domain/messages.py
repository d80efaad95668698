"""Messages the engine gives people (errors, field messages, diagram diagnostics) as a stable code plus parameters.

The engine knows no locale. It raises and reports :class:`Message` values: a ``str`` holding the English text (what
logs, the CLI and the JSON APIs show, unchanged) that also carries ``code`` and ``params``. The web layer renders a
Message through the catalogue from its code (``webui/engine_text.py``), so no one matches English text. Each code's
English template is registered here (marked ``N_`` for ``pybabel extract``); its German is in the UI's catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.domain.diagnostic_messages import DIAGNOSTIC_MESSAGES
from engine.domain.error_messages import ERROR_MESSAGES


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "translate where it is shown"
    return text


class Message(str):
    """English text with the code and parameters it was made from."""

    code: str
    params: Mapping[str, Any]

    def __new__(cls, text: str, code: str, params: Mapping[str, Any]) -> Message:
        value = super().__new__(cls, text)
        value.code = code
        value.params = dict(params)
        return value

    def __reduce__(self) -> tuple[Any, ...]:  # copies and pickles keep the code
        return (Message, (str(self), self.code, dict(self.params)))


def N_plural(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - like N_, for ngettext
    return (singular, plural)


def msg(code: str, **params: Any) -> Message:
    """The message ``code`` with its placeholders filled (English); a plural one by its ``num``."""
    if code in PLURALS:
        singular, plural = PLURALS[code]
        return Message((singular if params.get("num") == 1 else plural) % params, code, params)
    return Message(MESSAGES[code] % params, code, params)


def message_of(value: object) -> Message | None:
    """The Message an error or a text carries (an error's first argument), if any."""
    if isinstance(value, Message):
        return value
    if isinstance(value, BaseException):
        coded = getattr(value, "reason", None)
        if isinstance(coded, Message):
            return coded
        if value.args and isinstance(value.args[0], Message):
            return value.args[0]
    return None


MESSAGES: dict[str, str] = {
    # Instance and task state (engine.services.instances, engine.services.casework).
    "instance.reason_required": N_("give a reason for cancelling the instance"),
    "instance.reason_too_long": N_("the reason is longer than %(limit)s characters"),
    "instance.user_or_group": N_("choose either a user or a group"),
    "instance.data_not_object": N_("instance data must be a JSON object"),
    "instance.not_suspendable": N_("instance %(id)s is %(status)s and cannot be suspended"),
    "instance.not_suspended": N_("instance %(id)s is %(status)s, not suspended"),
    "instance.already_ended": N_("instance %(id)s is already %(status)s"),
    "instance.no_incident": N_("instance %(id)s has no incident (status %(status)s)"),
    "task.not_open": N_("task '%(task)s' is no longer open (%(status)s)"),
    "task.already_completed": N_("task '%(task)s' was already completed by %(user)s"),
    "task.already_claimed": N_("task '%(task)s' is already claimed by %(user)s"),
    "task.just_claimed": N_("task '%(task)s' was just claimed by %(user)s"),
    "task.suspended": N_("task '%(task)s' is suspended with its process instance; it can be worked on after resume"),
    "task.closed_by_deadline": N_("task '%(task)s' was closed by its deadline before it was submitted"),
    "handover.already_answered": N_("this hand-over was already answered by %(user)s"),
    "handover.being_handled": N_("this hand-over is already being handled by %(user)s"),
    "subtask.done": N_("this subtask is already done"),
    "customer.already_erased": N_("customer %(id)s was already erased"),
    "retention.at_least_a_day": N_("the retention period must be at least one day"),
    # Field messages of forms (the portal, intake, task forms, administration).
    "field.required": N_("is required"),
    "field.not_email": N_("is not an e-mail address"),
    "field.choose_option": N_("choose one of the options"),
    "field.single_line": N_("must be a single line without control characters"),
    "field.too_long": N_("must have at most %(num)s characters"),
    "field.text_or_file": N_("write something or attach a file"),
    "field.whole_number_between": N_("must be a whole number from %(low)s to %(high)s"),
    "field.choose_rating": N_("choose a rating"),
    "field.reopen_reason": N_("tell us why the complaint is not settled"),
    "field.number": N_("must be a number"),
    "field.whole_number": N_("must be a whole number"),
    "field.at_least": N_("must be at least %(value)s"),
    "field.at_most": N_("must be at most %(value)s"),
    "field.yes_no": N_("must be yes or no"),
    "field.date": N_("must be a date (YYYY-MM-DD)"),
    "field.text": N_("must be text"),
    "field.too_short": N_("must have at least %(num)s characters"),
    "field.email": N_("must be an e-mail address"),
    "field.one_of": N_("must be one of: %(values)s"),
    "field.unknown": N_("is not a field of this form"),
    "field.read_only": N_("is read-only"),
    # Camunda Forms (engine.bpmn.camunda_form_values): the rules form-js checks, in our words.
    "cform.phone": N_("must be a phone number with its country code (+49 …)"),
    "cform.pattern": N_("does not have the expected format"),
    "cform.decimals": N_("must have at most %(num)s decimal places"),
    "cform.not_an_option": N_("choose one of the options"),
    "cform.time": N_("must be a time (HH:MM)"),
    "cform.datetime": N_("must be a date and time"),
    "cform.not_past": N_("must not lie in the past"),
    "field.in_future": N_("must lie in the future"),
    "field.choose_department": N_("choose a department"),
    "field.choose_colleague": N_("choose an active colleague"),
    "contact.no_email": N_("the customer has no e-mail address; note a phone call instead"),
    "attachment.too_many": N_("at most %(num)s files"),
    "attachment.empty": N_("%(file)s: the file is empty"),
    "attachment.too_large": N_("%(file)s: larger than %(size)s KB"),
    "attachment.type_refused": N_("%(file)s: files of type %(type)s are not accepted"),
    "attachment.content_mismatch": N_("%(file)s: the content is not a %(type)s file"),
    # SLA targets (engine.services.sla.sla_targets).
    "sla.unknown_priority": N_("unknown priority"),
    "sla.unknown_channel": N_("unknown channel"),
    "sla.not_a_target": N_("not a target such as 4 business hours, 2.5 hours, 3 calendar days or PT2H"),
    "sla.unknown_calendar": N_("unknown business calendar"),
    "sla.at_least_one_rule": N_("at least one rule"),
    "sla.last_rule_catch_all": N_("the last rule must apply to any priority and any channel"),
    "sla.no_decision": N_("the file has no decision %(decision)s"),
    # Uploads and deployment (engine.services.designer, engine.bpmn).
    "deploy.file_too_large": N_("file is larger than %(size)s MB"),
    "xml.too_large": N_("the file is larger than %(size)s MB"),
    "xml.empty": N_("the file is empty"),
    **DIAGNOSTIC_MESSAGES,
    **ERROR_MESSAGES,
}

# Messages with a count: (singular, plural), chosen by the parameter ``num`` (ngettext in the web layer).
PLURALS: dict[str, tuple[str, str]] = {
    "removal.has_instances": N_plural(
        "the deployment has %(num)d process instance; it keeps its version, so the deployment cannot be deleted",
        "the deployment has %(num)d process instances; they keep their version, so the deployment cannot be deleted",
    ),
    "diag.dropped": N_plural(
        "%(what)s: dropped %(num)d element that does not change how the process runs",
        "%(what)s: dropped %(num)d elements that do not change how the process runs",
    ),
}
