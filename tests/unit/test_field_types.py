"""One registry of form field types: validation, the task page and the normaliser all read FIELD_TYPES."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from engine.bpmn import camunda_forms
from engine.domain import forms
from engine.domain.forms import FIELD_TYPES, INPUT, FieldType, FormField, field_type, validate_form

ROOT = Path(__file__).resolve().parents[2]
TASK_TEMPLATE = ROOT / "webui" / "templates" / "task.html"


def test_every_widget_has_a_branch_in_the_task_template() -> None:
    handled = set(re.findall(r"kind\.widget == '(\w+)'", TASK_TEMPLATE.read_text(encoding="utf-8")))
    assert {kind.widget for kind in FIELD_TYPES.values()} - {INPUT} <= handled


def test_the_task_template_never_asks_for_a_type_by_name() -> None:
    assert not re.search(r"f\.type\s*(==|in)", TASK_TEMPLATE.read_text(encoding="utf-8"))


def test_an_unknown_type_is_free_text() -> None:
    assert field_type("colour") is FIELD_TYPES["string"]
    assert FormField("x", "colour").kind is FIELD_TYPES["string"]


def test_every_camunda_form_component_shown_has_a_branch_in_its_template() -> None:
    """Camunda Forms render from their own template (not as formData fields): a component type the engine calls
    supported but the template has no branch for would be drawn as a plain text field."""
    template = (ROOT / "webui" / "templates" / "partials" / "camunda_form.html").read_text(encoding="utf-8")
    handled = set(re.findall(r"type == '(\w+)'", template))
    for group in re.findall(r"type in \(([^)]*)\)", template):
        handled |= set(re.findall(r"'(\w+)'", group))
    # textfield is the template's default input; an expression is computed on submit and never shown.
    assert camunda_forms.SUPPORTED - camunda_forms.COMPUTED - {"textfield"} <= handled


def test_a_new_type_is_one_registry_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    def coerce_upper(_field: FormField, raw: Any) -> str:
        if not str(raw).isalpha():
            raise ValueError("must be letters")
        return str(raw).upper()

    monkeypatch.setitem(forms.FIELD_TYPES, "code", FieldType("code", coerce_upper, input_type="text"))
    fields = [FormField("a", "code"), FormField("b", "code")]
    result = validate_form(fields, {"a": "abc", "b": "12"})
    assert result.values == {"a": "ABC"}
    assert result.errors == {"b": "must be letters"}
