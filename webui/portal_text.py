"""The customer portal's texts. Customers have no account, so a page speaks the language they chose (or their
browser's); the texts are gettext messages like every other UI text, rendered with ``force_locale`` in that
language (webui/portal.py), and their German is in the catalogue."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from webui.engine_text import field_text

TEXT: dict[str, LazyString] = {
    "title": _l("Complaint service"),
    "form_title": _l("Tell us what went wrong"),
    "name": _l("Your name"),
    "email": _l("E-mail address"),
    "phone": _l("Phone (optional)"),
    "category": _l("What is it about?"),
    "product": _l("Product (optional)"),
    "order_ref": _l("Order or invoice number (optional)"),
    "subject": _l("Subject"),
    "description": _l("What happened?"),
    "attachments": _l("Photos or documents (PDF, JPEG, PNG, GIF, WebP, text; optional)"),
    "website": _l("Leave this field empty"),
    "send": _l("Send"),
    "submitted_title": _l("Thank you, we have received your complaint"),
    "your_number": _l("Your complaint number"),
    "keep_link": _l("Keep this private link to follow your complaint; we have also sent it to you by e-mail:"),
    "received_generic": _l("Thank you, we have received your message."),
    "status_title": _l("Your complaint"),
    "stage": _l("Stage"),
    "expected": _l("You will hear from us by"),
    "timeline": _l("History"),
    "received": _l("We received your complaint"),
    "you": _l("You wrote"),
    "us": _l("We wrote"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
    "add_info": _l("Add information"),
    "info_text": _l("Your message"),
    "info_sent": _l("Thank you, we have added your information."),
    "rate": _l("Rate how we handled your complaint"),
    "csat": _l("How satisfied are you? (1 = not at all, 5 = very)"),
    "nps": _l("How likely are you to recommend us? (0 to 10)"),
    "comment": _l("Comment (optional)"),
    "rated": _l("Thank you for your rating."),
    "find_title": _l("Find your complaint"),
    "reference": _l("Complaint number"),
    "find": _l("Show"),
    "not_found": _l("We found no complaint with this number and e-mail address."),
    "faq": _l("Frequently asked questions"),
    "new_complaint": _l("New complaint"),
    "too_many": _l("Too many requests from your address. Please try again later."),
    "closed_note": _l("This complaint is closed. Please open a new one if you need more help."),
    "attachments_count": _l("Files you sent"),
    "errors": _l("Please correct the marked fields."),
    "reopen": _l("Not settled? Reopen your complaint"),
    "reason": _l("What is still wrong?"),
    "reopened": _l("We have reopened your complaint and sent you a confirmation."),
    "welcome_title": _l("Something went wrong? We want to hear about it."),
    "welcome_intro": _l("Tell us about your complaint. You get a private link to follow it, no account needed."),
    "welcome_submit": _l("Submit a complaint"),
    "welcome_find": _l("with your complaint number and e-mail address"),
    "staff_sign_in": _l("Staff sign-in"),
    "busy": _l(
        "Our system is very busy right now and could not save your complaint. Nothing was sent yet. Your "
        "text is still in the form below: please press “Send” again in a moment."
    ),
    "busy_files": _l("For safety, your browser does not keep attached files: please attach them again:"),
    "busy_status": _l(
        "Our system is very busy right now and could not save this. Nothing was sent yet: your text is "
        "still in the form below, please send it again in a moment (and attach any files again)."
    ),
    "sent_before": _l(
        "This form was already sent with another e-mail address. Check the address and send it again to "
        "open a new complaint."
    ),
}

CATEGORIES: dict[str, LazyString] = {
    "product": _l("A product"),
    "delivery": _l("Delivery"),
    "billing": _l("Invoice or payment"),
    "service": _l("Our service"),
    "other": _l("Something else"),
}

# The customers' wording of the services' field messages (engine.domain.messages codes) on pages in another
# language than English; English pages show the service's own text.
FIELD_TEXT: dict[str, LazyString] = {
    "field.required": _l("Please fill this in."),
    "field.not_email": _l("This is not a valid e-mail address."),
    "field.choose_option": _l("Please choose one of the options."),
    "field.single_line": _l("Please use one line without control characters."),
    "field.too_long": _l("At most %(num)s characters."),
    "field.text_or_file": _l("Please write something or attach a file."),
    "field.whole_number_between": _l("Please give a whole number from %(low)s to %(high)s."),
    "field.choose_rating": _l("Please choose a rating."),
    "field.reopen_reason": _l("Please tell us why the complaint is not settled."),
    "attachment.too_many": _l("At most %(num)s files."),
    "attachment.empty": _l("%(file)s: the file is empty."),
    "attachment.too_large": _l("%(file)s: larger than %(size)s KB."),
    "attachment.type_refused": _l("%(file)s: files of type %(type)s are not accepted."),
    "attachment.content_mismatch": _l("%(file)s: the content is not a %(type)s file."),
}


def field_error(message: str, lang: str) -> str:
    """A field message in the reader's language (call it under ``force_locale``); keys of ``TEXT``
    (``too_many``) stay keys for the template."""
    if lang == "en" or message in TEXT:
        return message
    return field_text(message, FIELD_TEXT) or message
