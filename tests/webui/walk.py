"""Walking the staff UI as a signed-in user: every page reachable by links, and the visible texts on each.

Used by the language walk tests: a German walk that fails on English catalogue texts left untranslated, and a
pseudo-locale walk that fails on interface text that never went through the catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urldefrag, urlsplit

from babel.messages.pofile import read_po
from lxml import etree
from lxml import html as lxml_html
from sqlalchemy import String, Text, select
from sqlalchemy.orm import Session

from engine.bpmn.diagram_texts import read_translations
from engine.store.all_models import Base
from engine.store.models import DefinitionResource
from tests.webui.support import BASE_URL, Client
from tests.webui.test_translations import CATALOG

# Downloads, actions and other areas (portal, APIs) are not pages of the staff UI.
SKIP = re.compile(
    r"/sign-out|\.csv|\.json|\.dmn|/attachments/|/export|^/portal|^/api/|^/engine-rest|^/static/|^/mails/"
)
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
_SPACE = re.compile(r"\s+")


def visible_texts(page: str) -> list[str]:
    """Text a person reads: element text and tails (not scripts or styles), and a few labelling attributes."""
    root = lxml_html.fromstring(page)
    # translate="no" marks technical ids (variable names, stored values shown as they are).
    for element in root.xpath('//*[@translate="no"]'):
        element.drop_tree()
    texts = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag not in ("script", "style") and element.text:
            texts.append(element.text)
        if element.tail:
            texts.append(element.tail)
        texts.extend(element.get(name) or "" for name in ATTRIBUTES)
        if element.tag == "input" and element.get("type") in ("submit", "button"):
            texts.append(element.get("value") or "")
    return [text for text in (_SPACE.sub(" ", raw).strip() for raw in texts) if text]


def crawl(client: Client, start: str = "/", limit: int = 150, per_path: int = 2) -> dict[str, str]:
    """GET every staff page reachable from ``start`` by links (a few query variants per path), by URL."""
    pages: dict[str, str] = {}
    queue, seen = [start], {start}
    variants: dict[str, int] = {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code in (301, 302, 303) and response.location:
            target = response.location.replace(BASE_URL, "")
            if target.startswith("/") and "/sign-in" not in target and target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        pages[url] = page
        for link in lxml_html.fromstring(page).iterlinks():
            _element, attribute, href, _pos = link
            if attribute != "href":
                continue
            href = urldefrag(href.replace(BASE_URL, ""))[0]
            path = urlsplit(href).path
            if not href.startswith("/") or SKIP.search(href) or href in seen:
                continue
            if "?" in href:
                if variants.get(path, 0) >= per_path:
                    continue
                variants[path] = variants.get(path, 0) + 1
            seen.add(href)
            queue.append(href)
    return pages


def catalogue() -> dict[str, str]:
    """English message id -> German translation, for every single (non-plural) message."""
    with CATALOG.joinpath("messages.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle, locale="de") if isinstance(m.id, str) and m.id}


def data_texts(session: Session, skip_columns: Iterable[str] = ()) -> set[str]:
    """Every stored text (names, subjects, labels, task titles from diagrams): user data the walks ignore.

    ``skip_columns`` names columns that hold ids shown through labels, not user data.
    """
    found: set[str] = set()
    skip = set(skip_columns)
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text) and c.name not in skip]
        if not columns:
            continue
        for row in session.execute(select(*columns)):
            found.update(_SPACE.sub(" ", str(value)).strip() for value in row if value)
    return found


def _translated_originals(root: etree._Element, translated: set[str]) -> set[str]:
    """English texts whose translation the diagram carries (element names, form labels, choices): these must
    show translated."""
    originals = set()
    for node in (n for n in root.iter() if isinstance(n.tag, str)):
        element = node.get("id") or ""
        if element in translated and node.get("name") and etree.QName(node).localname != "formField":
            originals.add(_SPACE.sub(" ", node.get("name") or "").strip())
    for task in (
        node for node in root.iter() if isinstance(node.tag, str) and etree.QName(node).localname == "userTask"
    ):
        element = task.get("id") or ""
        for field in (n for n in task.iter() if isinstance(n.tag, str) and etree.QName(n).localname == "formField"):
            key = f"{element}:{field.get('id')}"
            if key in translated and field.get("label"):
                originals.add(field.get("label") or "")
            for value in (n for n in field if isinstance(n.tag, str) and etree.QName(n).localname == "value"):
                if f"{key}:{value.get('id')}" in translated and value.get("name"):
                    originals.add(value.get("name") or "")
    return originals


def word_runs(text: str) -> set[str]:
    """Every run of consecutive words of ``text``: diagrams wrap long names over lines."""
    words = _SPACE.sub(" ", text).strip().split(" ")
    return {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}


def diagram_texts(session: Session, language: str = "de") -> set[str]:
    """Names, documentation, labels and ids of the deployed diagrams that have no translation into ``language``.

    Texts a diagram translates (element names, form labels, choices; processes/README.md) are not left out:
    they must show in ``language`` and are checked like any other text.
    """
    found: set[str] = set()
    originals: set[str] = set()
    for (content,) in session.execute(select(DefinitionResource.content).where(DefinitionResource.kind == "bpmn")):
        root = etree.fromstring(content.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
        originals |= _translated_originals(root, set(read_translations(content).get(language, {})))
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            for name in ("name", "label", "id"):
                found.update(word_runs(element.get(name) or ""))
            if etree.QName(element).localname == "documentation" and element.text:
                found.add(_SPACE.sub(" ", element.text).strip())
    return found - originals


def translated_originals(session: Session, language: str = "de") -> set[str]:
    """The English names, labels and choices of the deployed diagrams that carry a translation into ``language``."""
    originals: set[str] = set()
    for (content,) in session.execute(select(DefinitionResource.content).where(DefinitionResource.kind == "bpmn")):
        root = etree.fromstring(content.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
        originals |= _translated_originals(root, set(read_translations(content).get(language, {})))
    return originals


def untranslated(pages: dict[str, str], english: Iterable[str], ignore: set[str]) -> dict[str, set[str]]:
    """Visible texts that are an English catalogue text (exactly, or a formatted one), by page."""
    exact = set(english)
    formatted = [
        re.compile("^" + re.sub(r"%\\?\(\w+\\?\)[sd]", ".+?", re.escape(text)) + "$")
        for text in exact
        if "%(" in text and len(re.sub(r"%\(\w+\)[sd]", "", text).strip()) >= 8
    ]
    found: dict[str, set[str]] = {}
    for url, page in pages.items():
        for text in visible_texts(page):
            if text in ignore:
                continue
            if text in exact or any(pattern.match(text) for pattern in formatted):
                found.setdefault(url, set()).add(text)
    return found


# Forms the walk does not send: signing out ends the walk.
SKIP_FORMS = re.compile(r"/sign-out")


def _form_data(form: lxml_html.FormElement) -> dict[str, str | list[str]]:
    """What pressing the form's first button sends with every text field left empty (to provoke its errors)."""
    data: dict[str, str | list[str]] = {}
    for field in form.inputs:
        name = field.get("name")
        if not name or field.tag == "button":
            continue
        kind = (field.get("type") or "text").lower()
        if field.tag == "input" and kind in ("submit", "button", "image", "file", "reset"):
            continue
        if field.tag == "input" and kind in ("checkbox", "radio"):
            if field.checked:
                data.setdefault(name, [])
                data[name].append(field.get("value") or "on")  # type: ignore[union-attr]
        elif field.tag == "select":
            chosen = [o.get("value", o.text or "") for o in field.xpath(".//option[@selected]")]
            first = field.xpath(".//option")
            data[name] = chosen[0] if chosen else (first[0].get("value", first[0].text or "") if first else "")
        elif kind == "hidden":
            data[name] = field.get("value") or ""
        else:
            data[name] = ""
    button = next((b for b in form.xpath('.//button[@name]|.//input[@type="submit"][@name]')), None)
    if button is not None:
        data[button.get("name")] = button.get("value") or ""
    return data


def submit_forms(client: Client, pages: dict[str, str], limit: int = 80) -> dict[str, str]:
    """Send each distinct POST form of the pages once with empty text fields; the pages that come back
    (form errors), or the page a redirect leads to (flash messages), by "action from page"."""
    results: dict[str, str] = {}
    sent: set[str] = set()
    for url, page in pages.items():
        for form in lxml_html.fromstring(page).forms:
            if (form.method or "GET").upper() != "POST":
                continue
            action = urldefrag((form.get("action") or url).replace(BASE_URL, ""))[0] or url
            if SKIP_FORMS.search(action) or action in sent or len(sent) >= limit:
                continue
            sent.add(action)
            response = client.post(action, _form_data(form), headers={"Referer": f"{BASE_URL}{url}"})
            if response.status_code in (301, 302, 303) and response.location:
                response = client.get(response.location.replace(BASE_URL, ""))
            if response.mimetype == "text/html":
                results[f"POST {action} (from {url})"] = response.get_data(as_text=True)
    return results


def csv_downloads(client: Client, pages: dict[str, str]) -> dict[str, str]:
    """Every CSV file the pages link to (each path once), by URL."""
    found: dict[str, str] = {}
    paths: set[str] = set()
    for page in pages.values():
        for _element, attribute, href, _pos in lxml_html.fromstring(page).iterlinks():
            href = href.replace(BASE_URL, "")
            path = urlsplit(href).path
            if attribute != "href" or not path.endswith(".csv") or path in paths:
                continue
            paths.add(path)
            response = client.get(href)
            if response.status_code == 200 and response.mimetype == "text/csv":
                found[href] = response.get_data(as_text=True)
    return found
