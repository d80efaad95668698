"""One registry of form field types: validation, the task page and the normaliser all read FIELD_TYPES."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from engine.bpmn.normalize import forms as normalize_forms
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


def test_the_normaliser_translates_camunda_8_components_through_the_registry() -> None:
    assert normalize_forms._COMPONENT_TYPES == {
        "textfield": "string",
        "textarea": "string",
        "number": "long",
        "checkbox": "boolean",
        "select": "enum",
        "radio": "enum",
        "datetime": "date",
    }


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
