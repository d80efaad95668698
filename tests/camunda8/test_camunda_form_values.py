"""Camunda Forms values: validation rules, conditional hide, typing as form-js submits (camunda_form_values)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from engine.bpmn.camunda_form_values import initial_data, options, submit
from engine.bpmn.camunda_forms import form_problems, parse_form, walk

FORM = parse_form((Path(__file__).parent / "forms" / "dispute_review.form").read_text(encoding="utf-8"))
VARIABLES = {"customerName": "Ada", "channels": [{"label": "Letter", "value": "letter"}, "email"], "amount": 12}


def _valid(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "summary": "Card used abroad",
        "notes": "",
        "amount": "12,50",
        "urgent": "on",
        "checks": ["receipt", "card"],
        "decision": "accept",
        "channel": "letter",
        "tags": ["fraud"],
        "decidedOn": "2026-12-01",
        "callAt": "14:30",
        "followUp": "2026-12-02T09:15",
        "contact": {"email": "ada@example.org", "phone": "+49 30 1234567", "bank": {"iban": "DE89370400440532013000"}},
        "positions": [{"name": "Hotel", "amount": "40"}, {"name": "Taxi", "amount": "12.5"}],
    }
    data.update(changes)
    return data


def _component(component_id: str) -> Any:
    return next(component for component in walk(FORM.components) if component.id == component_id)


def test_a_valid_submission_becomes_typed_nested_variables() -> None:
    outcome = submit(FORM, _valid(), VARIABLES)
    assert outcome.errors == {}
    values = outcome.values
    assert values["amount"] == 12.5 and isinstance(values["amount"], float)
    assert values["urgent"] is True
    assert values["checks"] == ["receipt", "card"] and values["tags"] == ["fraud"]
    assert (values["decidedOn"], values["callAt"], values["followUp"]) == ("2026-12-01", "14:30", "2026-12-02T09:15")
    assert values["contact"] == {
        "email": "ada@example.org",
        "phone": "+49 30 1234567",
        "bank": {"iban": "DE89370400440532013000"},
    }
    assert values["positions"] == [{"name": "Hotel", "amount": 40}, {"name": "Taxi", "amount": 12.5}]
    assert isinstance(values["positions"][0]["amount"], int)
    # The expression component is FEEL over the submitted data; the hidden reason is left out as form-js does.
    assert values["refundInCents"] == 1250
    assert "rejectionReason" not in values
    assert values["notes"] == ""


def test_api_clients_send_typed_values_and_get_the_same_result() -> None:
    typed = _valid(
        amount=12.5, urgent=True, positions=[{"name": "Hotel", "amount": 40}, {"name": "Taxi", "amount": 12.5}]
    )
    assert submit(FORM, typed, VARIABLES).values == submit(FORM, _valid(), VARIABLES).values


def test_each_rule_names_its_field_by_its_dotted_input_name() -> None:
    bad = _valid(
        summary="abc",
        amount="12.505",
        decision="maybe",
        channel="fax",
        decidedOn="1.12.2026",
        callAt="25:00",
        contact={"email": "ada", "phone": "030 123", "bank": {"iban": "12"}},
        positions=[{"name": "", "amount": "0"}],
        extra="x",
    )
    errors = {name: message.code for name, message in submit(FORM, bad, VARIABLES).errors.items()}  # type: ignore[attr-defined]
    assert errors == {
        "summary": "field.too_short",
        "amount": "cform.decimals",
        "decision": "cform.not_an_option",
        "channel": "cform.not_an_option",
        "decidedOn": "field.date",
        "callAt": "cform.time",
        "contact.email": "field.email",
        "contact.phone": "cform.phone",
        "contact.bank.iban": "cform.pattern",
        "positions.0.name": "field.required",
        "positions.0.amount": "field.at_least",
        "extra": "field.unknown",
    }


def test_required_max_and_conditional_fields() -> None:
    errors = submit(FORM, _valid(summary="", amount="6000", decision="reject"), VARIABLES).errors
    assert {name: message.code for name, message in errors.items()} == {  # type: ignore[attr-defined]
        "summary": "field.required",
        "amount": "field.at_most",
        "rejectionReason": "field.required",
    }
    shown = submit(FORM, _valid(decision="reject", rejectionReason="No receipt"), VARIABLES)
    assert shown.errors == {} and shown.values["rejectionReason"] == "No receipt"


def test_unchecked_box_is_false_and_empty_choices_are_empty_lists() -> None:
    values = submit(FORM, _valid(urgent="", checks=[], tags=[], channel=""), VARIABLES).values
    assert values["urgent"] is False and values["checks"] == [] and values["tags"] == [] and values["channel"] is None


def test_options_from_values_key_and_prefill_from_variables() -> None:
    assert options(_component("f_channel"), VARIABLES) == [("letter", "Letter"), ("email", "email")]
    data = initial_data(FORM, {"summary": "from the process", "contact": {"email": "x@example.org"}})
    assert data["summary"] == "from the process" and data["notes"] == "none"
    assert data["contact"]["email"] == "x@example.org"
    assert data["positions"] == [{}]


def test_the_form_has_every_component_type_and_nothing_unsupported() -> None:
    kinds = {component.type for component in walk(FORM.components)}
    assert kinds >= {
        "textfield",
        "textarea",
        "number",
        "checkbox",
        "checklist",
        "radio",
        "select",
        "taglist",
        "datetime",
        "group",
        "dynamiclist",
        "text",
        "spacer",
        "separator",
    }
    assert form_problems(FORM) == []
    unsupported = parse_form(
        '{"id": "f", "components": [{"type": "filepicker", "key": "upload"},'
        ' {"type": "html", "id": "h"}, {"type": "textfield", "id": "nokey"}]}'
    )
    found = [(p.severity, p.code, p.component) for p in form_problems(unsupported)]
    assert found == [
        ("error", "form-component-unsupported", "upload"),
        ("warning", "form-component-not-shown", "h"),
        ("error", "form-component-no-key", "nokey"),
    ]


def test_disallow_passed_dates_compares_with_the_callers_today() -> None:
    today = date(2026, 12, 6)
    errors = submit(FORM, _valid(dueOn="2026-12-05"), VARIABLES, today).errors
    assert {name: message.code for name, message in errors.items()} == {"dueOn": "cform.not_past"}  # type: ignore[attr-defined]
    assert submit(FORM, _valid(dueOn="2026-12-06"), VARIABLES, today).values["dueOn"] == "2026-12-06"
