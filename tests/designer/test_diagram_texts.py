"""Diagram texts in camunda:properties: read per language, complete for the shipped processes, checked."""

from __future__ import annotations

from pathlib import Path

from engine.bpmn.diagram_texts import missing_translations, read_translations
from tests.designer.helpers import check, codes, diagram, find, linear

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = [*sorted((ROOT / "processes").glob("*.bpmn")), ROOT / "examples" / "complaint_basic.bpmn"]
TASK = (
    '<userTask id="s1" name="Answer" camunda:candidateGroups="agent"><extensionElements><camunda:formData>'
    '<camunda:formField id="kind" label="Kind" type="enum"><camunda:value id="a" name="Apology" /></camunda:formField>'
    "</camunda:formData></extensionElements></userTask>"
)


def properties(*pairs: tuple[str, str]) -> str:
    items = "".join(f'<camunda:property name="{name}" value="{value}" />' for name, value in pairs)
    return f"<extensionElements><camunda:properties>{items}</camunda:properties></extensionElements>"


def test_every_shipped_process_declares_german_and_translates_every_text() -> None:
    for path in SHIPPED:
        text = path.read_text(encoding="utf-8")
        assert read_translations(text).get("de"), path.name
        assert missing_translations(text) == [], path.name


def test_the_check_warns_about_a_text_without_a_translation() -> None:
    partial = properties(("i18n:languages", "de"), ("i18n:de:s1", "Antworten"), ("i18n:de:s1:kind", "Art"))
    report = check(diagram(linear(TASK, prefix=partial)))
    warning = find(report, "missing-translation")
    assert warning.severity == "warning" and warning.element_id == "s1"
    assert "'s1:kind:a'" in warning.message and "'de'" in warning.message
    assert report.status == "deployable_with_warnings"  # a warning, never a refusal
    complete = properties(
        ("i18n:languages", "de"), ("i18n:de:s1", "Antworten"), ("i18n:de:s1:kind", "Art"),
        ("i18n:de:s1:kind:a", "Entschuldigung"),
    )  # fmt: skip
    assert "missing-translation" not in codes(check(diagram(linear(TASK, prefix=complete))))
    # A process that declares no language is not asked for translations.
    assert "missing-translation" not in codes(check(diagram(linear(TASK))))


def test_translations_are_read_by_language_and_key() -> None:
    text = diagram(linear(TASK, prefix=properties(("i18n:languages", "de, fr"), ("i18n:de:s1", "Antworten"),
                                                  ("i18n:fr:s1:kind:a", "Excuses"))))  # fmt: skip
    assert read_translations(text) == {"de": {"s1": "Antworten"}, "fr": {"s1:kind:a": "Excuses"}}
    assert {(m.language, m.key) for m in missing_translations(text)} == {
        ("de", "s1:kind"),
        ("de", "s1:kind:a"),
        ("fr", "s1"),
        ("fr", "s1:kind"),
    }


def test_events_gateways_and_flows_need_a_translation_too() -> None:
    gateway = '<exclusiveGateway id="s1" name="Approved?" default="f2"/>'
    named = properties(("i18n:languages", "de")) + '<serviceTask id="s0" name="Send receipt"/>'
    text = diagram(
        linear(gateway, prefix=named).replace('<startEvent id="start"/>', '<startEvent id="start" name="Received"/>')
    )
    assert {m.key for m in missing_translations(text)} == {"s0", "s1", "start"}
    done = properties(("i18n:languages", "de"), ("i18n:de:s0", "Bestätigung senden"), ("i18n:de:s1", "Freigegeben?"),
                      ("i18n:de:start", "Eingegangen")) + '<serviceTask id="s0" name="Send receipt"/>'  # fmt: skip
    assert missing_translations(text.replace(named, done)) == []
