"""The German catalog covers every text of the UI, and the compiled catalog matches its source.

After changing texts: pybabel extract -F webui/babel.cfg -k _l --no-location -o webui/translations/messages.pot .
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
METHODS = [("webui/**.py", "python"), ("webui/templates/**.html", "jinja2")]


def _ui_texts() -> set[str]:
    texts = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords={"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
    ):
        texts.add(message if isinstance(message, str) else message[0])
    return texts


def test_every_ui_text_has_a_german_translation() -> None:
    with (CATALOG / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="de")
    translated = {message.id: message.string for message in catalog if message.id}
    texts = _ui_texts()
    assert len(texts) > 200
    assert sorted(text for text in texts if not translated.get(text)) == []


def test_compiled_catalog_matches_the_source() -> None:
    with (CATALOG / "messages.po").open("rb") as handle:
        source = {m.id: m.string for m in read_po(handle, locale="de") if m.id}
    with (CATALOG / "messages.mo").open("rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    assert compiled == source
