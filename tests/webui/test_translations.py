"""The German catalog covers every text of the UI, and the compiled catalog matches its source.

After changing texts:
pybabel extract -F webui/babel.cfg -k _l -k N_ -k N_plural:1,2 --no-location -o webui/translations/messages.pot .
then pybabel update -i webui/translations/messages.pot -d webui/translations, translate the new entries, and
pybabel compile -d webui/translations.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "webui" / "translations" / "de" / "LC_MESSAGES"
# The UI, the mails (notifications/: wording in Python marked N_, templates) and the engine's coded messages
# (engine/domain/messages.py, marked N_) share the catalogue.
METHODS = [
    ("webui/**.py", "python"),
    ("notifications/**.py", "python"),
    ("engine/domain/messages.py", "python"),
    ("engine/domain/diagnostic_messages.py", "python"),
    ("engine/domain/error_messages.py", "python"),
    ("engine/bpmn/normalize/document.py", "python"),
    ("webui/templates/**.html", "jinja2"),
    ("notifications/templates/**.html", "jinja2"),
    ("notifications/templates/**.txt", "jinja2"),
]


KEYWORDS = {
    "N_": None,
    "N_plural": (1, 2),
    "_": None,
    "gettext": None,
    "_l": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
}


def _key(message_id: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    """A message's id: the text, or (singular, plural) for a plural message."""
    return message_id if isinstance(message_id, str) else tuple(message_id)


def _ui_texts() -> set[str | tuple[str, ...]]:
    texts = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        texts.add(_key(message))
    return texts


def _done(translation: str | tuple[str, ...] | list[str] | None) -> bool:
    """Translated, and for a plural message every form of it."""
    if isinstance(translation, str) or translation is None:
        return bool(translation)
    return all(translation)


def test_every_ui_text_has_a_german_translation() -> None:
    with (CATALOG / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="de")
    translated = {_key(message.id): message.string for message in catalog if message.id}
    texts = _ui_texts()
    assert len(texts) > 200
    assert any(isinstance(text, tuple) for text in texts), "the check reads plural messages (ngettext) too"
    assert sorted(str(text) for text in texts if not _done(translated.get(text))) == []


def test_compiled_catalog_matches_the_source() -> None:
    with (CATALOG / "messages.po").open("rb") as handle:
        source = {_key(m.id): _key(m.string) for m in read_po(handle, locale="de") if m.id}
    with (CATALOG / "messages.mo").open("rb") as handle:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
    assert compiled == source
