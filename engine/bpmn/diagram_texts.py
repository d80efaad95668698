"""Translations of diagram texts (element names, task documentation, form labels, choices) kept in the BPMN file.

A process declares its languages and carries one ``camunda:property`` per translated text in its own
``extensionElements``, so the translations are versioned with the diagram and any modeller can edit them::

    <bpmn:process id="complaint_case_work" ...>
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="i18n:languages" value="de" />
        <camunda:property name="i18n:de:handle_complaint" value="Reklamation bearbeiten" />
        <camunda:property name="i18n:de:handle_complaint:documentation" value="Reklamation {{ complaint_id }} ..." />
        <camunda:property name="i18n:de:handle_complaint:next_step" value="Nächster Schritt" />
        <camunda:property name="i18n:de:handle_complaint:next_step:resolve" value="Lösen" />

Keys: ``<element id>`` (the name of a task, event, gateway, lane or flow), ``<element id>:documentation``,
``<element id>:<field id>`` (form label),
``<element id>:<field id>:<value id>`` (a choice). A text without a translation shows in the diagram's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

PREFIX = "i18n:"
LANGUAGES_KEY = "i18n:languages"


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _root(xml: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    return etree.fromstring(xml.encode("utf-8"), parser)


def _process_properties(process: etree._Element) -> dict[str, str]:
    found = {}
    for extension in (child for child in process if _local(child) == "extensionElements"):
        for properties in (child for child in extension if _local(child) == "properties"):
            for prop in properties:
                if _local(prop) == "property" and (prop.get("name") or "").startswith(PREFIX):
                    found[prop.get("name") or ""] = prop.get("value") or ""
    return found


def read_translations(xml: str) -> dict[str, dict[str, str]]:
    """Language -> key -> text, over every process of the file."""
    texts: dict[str, dict[str, str]] = {}
    for process in (node for node in _root(xml).iter() if _local(node) == "process"):
        for name, value in _process_properties(process).items():
            if name == LANGUAGES_KEY:
                continue
            language, _sep, key = name[len(PREFIX) :].partition(":")
            if key:
                texts.setdefault(language, {})[key] = value
    return texts


@dataclass(frozen=True)
class MissingTranslation:
    """A text of a process that declares ``language`` and has no translation for it."""

    process_id: str
    element_id: str
    key: str
    language: str


# Named elements of a process people read in the cockpit's diagrams and lists (besides user tasks): events,
# gateways, other activities, lanes and flows. Form fields, choices and technical definitions are not among them.
_NAMED = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway",
    "serviceTask", "scriptTask", "businessRuleTask", "sendTask", "receiveTask", "manualTask", "task",
    "callActivity", "subProcess", "transaction", "lane", "sequenceFlow",
}  # fmt: skip


def _needed_keys(process: etree._Element) -> list[tuple[str, str]]:
    """(element id, key) of every text a person reads: element names; user task documentation, labels, choices."""
    needed = [
        (node.get("id") or "", node.get("id") or "")
        for node in process.iter()
        if _local(node) in _NAMED and (node.get("name") or "").strip() and node.get("id")
    ]
    for task in (node for node in process.iter() if _local(node) == "userTask"):
        element = task.get("id") or ""
        if task.get("name"):
            needed.append((element, element))
        if any(_local(child) == "documentation" and (child.text or "").strip() for child in task):
            needed.append((element, f"{element}:documentation"))
        for field in (node for node in task.iter() if _local(node) == "formField"):
            field_id = field.get("id") or ""
            if field.get("label"):
                needed.append((element, f"{element}:{field_id}"))
            for value in (node for node in field if _local(node) == "value"):
                if value.get("name"):
                    needed.append((element, f"{element}:{field_id}:{value.get('id')}"))
    return needed


def missing_in_process(process: etree._Element) -> list[MissingTranslation]:
    """Texts of one process without a translation into a language it declares (``i18n:languages``)."""
    properties = _process_properties(process)
    languages = [code.strip() for code in properties.get(LANGUAGES_KEY, "").split(",") if code.strip()]
    return [
        MissingTranslation(process.get("id") or "", element, key, language)
        for language in languages
        for element, key in _needed_keys(process)
        if f"{PREFIX}{language}:{key}" not in properties
    ]


def missing_translations(xml: str) -> list[MissingTranslation]:
    """Missing translations over every process of the file."""
    return [
        missing
        for process in (node for node in _root(xml).iter() if _local(node) == "process")
        for missing in missing_in_process(process)
    ]
