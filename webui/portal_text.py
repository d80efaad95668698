"""The customer portal's texts in English and German (customers have no account, so no user language)."""

from __future__ import annotations

import re

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Complaint service",
        "form_title": "Tell us what went wrong",
        "name": "Your name",
        "email": "E-mail address",
        "phone": "Phone (optional)",
        "category": "What is it about?",
        "product": "Product (optional)",
        "order_ref": "Order or invoice number (optional)",
        "subject": "Subject",
        "description": "What happened?",
        "attachments": "Photos or documents (PDF, JPEG, PNG, GIF, WebP, text; optional)",
        "website": "Leave this field empty",
        "send": "Send",
        "submitted_title": "Thank you, we have received your complaint",
        "your_number": "Your complaint number",
        "keep_link": "Keep this private link to follow your complaint; we have also sent it to you by e-mail:",
        "received_generic": "Thank you, we have received your message.",
        "status_title": "Your complaint",
        "stage": "Stage",
        "expected": "You will hear from us by",
        "timeline": "History",
        "received": "We received your complaint",
        "you": "You wrote",
        "us": "We wrote",
        "resolved": "Resolved",
        "closed": "Closed",
        "add_info": "Add information",
        "info_text": "Your message",
        "info_sent": "Thank you, we have added your information.",
        "rate": "Rate how we handled your complaint",
        "csat": "How satisfied are you? (1 = not at all, 5 = very)",
        "nps": "How likely are you to recommend us? (0 to 10)",
        "comment": "Comment (optional)",
        "rated": "Thank you for your rating.",
        "find_title": "Find your complaint",
        "reference": "Complaint number",
        "find": "Show",
        "not_found": "We found no complaint with this number and e-mail address.",
        "faq": "Frequently asked questions",
        "new_complaint": "New complaint",
        "too_many": "Too many requests from your address. Please try again later.",
        "closed_note": "This complaint is closed. Please open a new one if you need more help.",
        "attachments_count": "Files you sent",
        "errors": "Please correct the marked fields.",
        "reopen": "Not settled? Reopen your complaint",
        "reason": "What is still wrong?",
        "reopened": "We have reopened your complaint and sent you a confirmation.",
        "welcome_title": "Something went wrong? We want to hear about it.",
        "welcome_intro": "Tell us about your complaint. You get a private link to follow it, no account needed.",
        "welcome_submit": "Submit a complaint",
        "welcome_find": "with your complaint number and e-mail address",
        "staff_sign_in": "Staff sign-in",
        "busy": "Our system is very busy right now and could not save your complaint. Nothing was sent yet."
        " Your text is still in the form below: please press “Send” again in a moment.",
        "busy_files": "For safety, your browser does not keep attached files: please attach them again:",
        "busy_status": "Our system is very busy right now and could not save this. Nothing was sent yet: your text"
        " is still in the form below, please send it again in a moment (and attach any files again).",
        "sent_before": "This form was already sent with another e-mail address. Check the address and send it"
        " again to open a new complaint.",
    },
    "de": {
        "title": "Reklamationsservice",
        "form_title": "Sagen Sie uns, was schiefgelaufen ist",
        "name": "Ihr Name",
        "email": "E-Mail-Adresse",
        "phone": "Telefon (freiwillig)",
        "category": "Worum geht es?",
        "product": "Produkt (freiwillig)",
        "order_ref": "Bestell- oder Rechnungsnummer (freiwillig)",
        "subject": "Betreff",
        "description": "Was ist passiert?",
        "attachments": "Fotos oder Dokumente (PDF, JPEG, PNG, GIF, WebP, Text; freiwillig)",
        "website": "Dieses Feld bitte leer lassen",
        "send": "Absenden",
        "submitted_title": "Vielen Dank, wir haben Ihre Reklamation erhalten",
        "your_number": "Ihre Reklamationsnummer",
        "keep_link": (
            "Unter diesem privaten Link können Sie den Stand verfolgen; wir haben ihn Ihnen auch per E-Mail geschickt:"
        ),
        "received_generic": "Vielen Dank, wir haben Ihre Nachricht erhalten.",
        "status_title": "Ihre Reklamation",
        "stage": "Stand",
        "expected": "Sie hören von uns bis",
        "timeline": "Verlauf",
        "received": "Reklamation eingegangen",
        "you": "Sie schrieben",
        "us": "Wir schrieben",
        "resolved": "Erledigt",
        "closed": "Abgeschlossen",
        "add_info": "Informationen ergänzen",
        "info_text": "Ihre Nachricht",
        "info_sent": "Vielen Dank, wir haben Ihre Informationen ergänzt.",
        "rate": "Bewerten Sie die Bearbeitung",
        "csat": "Wie zufrieden sind Sie? (1 = gar nicht, 5 = sehr)",
        "nps": "Wie wahrscheinlich empfehlen Sie uns weiter? (0 bis 10)",
        "comment": "Kommentar (freiwillig)",
        "rated": "Vielen Dank für Ihre Bewertung.",
        "find_title": "Reklamation finden",
        "reference": "Reklamationsnummer",
        "find": "Anzeigen",
        "not_found": "Zu dieser Nummer und E-Mail-Adresse haben wir keine Reklamation gefunden.",
        "faq": "Häufige Fragen",
        "new_complaint": "Neue Reklamation",
        "too_many": "Zu viele Anfragen von Ihrer Adresse. Bitte versuchen Sie es später noch einmal.",
        "closed_note": (
            "Diese Reklamation ist abgeschlossen. Bitte eröffnen Sie eine neue, wenn Sie weitere Hilfe brauchen."
        ),
        "attachments_count": "Von Ihnen gesendete Dateien",
        "errors": "Bitte korrigieren Sie die markierten Felder.",
        "reopen": "Nicht erledigt? Reklamation wieder öffnen",
        "reason": "Was ist noch nicht in Ordnung?",
        "reopened": "Wir haben Ihre Reklamation wieder geöffnet und Ihnen eine Bestätigung geschickt.",
        "welcome_title": "Etwas ist schiefgelaufen? Wir wollen es wissen.",
        "welcome_intro": (
            "Schildern Sie uns Ihre Reklamation. Sie erhalten einen privaten Link, um den Stand zu verfolgen,"
            " ganz ohne Konto."
        ),
        "welcome_submit": "Reklamation einreichen",
        "welcome_find": "mit Reklamationsnummer und E-Mail-Adresse",
        "staff_sign_in": "Anmeldung für Mitarbeitende",
        "busy": "Unser System ist gerade stark ausgelastet und konnte Ihre Reklamation nicht speichern. Es wurde"
        " noch nichts gesendet. Ihr Text steht weiter im Formular unten: Bitte drücken Sie gleich noch einmal"
        " auf „Senden“.",
        "busy_files": "Angehängte Dateien behält Ihr Browser aus Sicherheitsgründen nicht: Bitte hängen Sie sie"
        " erneut an:",
        "busy_status": "Unser System ist gerade stark ausgelastet und konnte das nicht speichern. Es wurde noch"
        " nichts gesendet: Ihr Text steht weiter im Formular unten, bitte senden Sie ihn gleich noch einmal"
        " (und hängen Sie Dateien erneut an).",
        "sent_before": "Dieses Formular wurde bereits mit einer anderen E-Mail-Adresse gesendet. Prüfen Sie die"
        " Adresse und senden Sie es erneut, um eine neue Reklamation anzulegen.",
    },
}

CATEGORIES = {
    "en": {
        "product": "A product",
        "delivery": "Delivery",
        "billing": "Invoice or payment",
        "service": "Our service",
        "other": "Something else",
    },
    "de": {
        "product": "Ein Produkt",
        "delivery": "Lieferung",
        "billing": "Rechnung oder Zahlung",
        "service": "Unser Service",
        "other": "Etwas anderes",
    },
}

# The services' field messages (English, lower case, as the API returns them) in German; {0}, {1} are the
# parts the pattern takes from the message (a number, a file name). English pages show the message as it is.
_GERMAN_FIELD_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), german)
    for pattern, german in (
        (r"^is required$", "Bitte ausfüllen."),
        (r"^is not an e-mail address$", "Das ist keine gültige E-Mail-Adresse."),
        (r"^choose one of the options$", "Bitte wählen Sie eine der Möglichkeiten."),
        (r"^must be a single line without control characters$", "Bitte nur eine Zeile ohne Steuerzeichen."),
        (r"^must have at most (\d+) characters$", "Höchstens {0} Zeichen."),
        (r"^write something or attach a file$", "Bitte schreiben Sie etwas oder hängen Sie eine Datei an."),
        (r"^must be a whole number from (\d+) to (\d+)$", "Bitte eine ganze Zahl von {0} bis {1}."),
        (r"^choose a rating$", "Bitte wählen Sie eine Bewertung."),
        (r"^tell us why the complaint is not settled$", "Bitte sagen Sie uns, warum die Sache nicht erledigt ist."),
        (r"^at most (\d+) files$", "Höchstens {0} Dateien."),
        (r"^(.+): the file is empty$", "{0}: Die Datei ist leer."),
        (r"^(.+): larger than (\d+) KB$", "{0}: größer als {1} KB."),
        (r"^(.+): files of type (.+) are not accepted$", "{0}: Dateien vom Typ {1} werden nicht angenommen."),
        (r"^(.+): the content is not a (.+) file$", "{0}: Der Inhalt ist keine {1}-Datei."),
    )
]


def field_error(message: str, lang: str) -> str:
    """A field message in the reader's language; keys of ``TEXT`` (``too_many``) stay keys for the template."""
    if lang != "de" or message in TEXT[lang]:
        return message
    for pattern, german in _GERMAN_FIELD_ERRORS:
        match = pattern.match(message)
        if match:
            return german.format(*match.groups())
    return message
