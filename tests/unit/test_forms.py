"""Form validation: types, required fields, enums and limits, with a message per field."""

from __future__ import annotations

from decimal import Decimal

from engine.domain.forms import FormField, validate_form

FIELDS = [
    FormField("amount", "long", "Amount", required=True, minimum=Decimal(0), maximum=Decimal(1000)),
    FormField("rate", "decimal", "Rate"),
    FormField("vip", "boolean", "VIP"),
    FormField("when", "date", "When"),
    FormField("kind", "enum", "Kind", required=True, options=(("a", "A"), ("b", "B"))),
    FormField("note", "string", "Note", min_length=2, max_length=5),
    FormField("mail", "email", "Mail"),
    FormField("ref", "string", "Ref", readonly=True),
]


def test_valid_values_are_typed() -> None:
    result = validate_form(
        FIELDS,
        {
            "amount": "12",
            "rate": "1,5",
            "vip": "yes",
            "when": "2026-12-24",
            "kind": "b",
            "note": " hi ",
            "mail": "a@b.de",
        },
    )
    assert result.errors == {}
    assert result.values == {
        "amount": 12,
        "rate": 1.5,
        "vip": True,
        "when": "2026-12-24",
        "kind": "b",
        "note": "hi",
        "mail": "a@b.de",
    }


def test_every_bad_field_gets_its_message() -> None:
    result = validate_form(
        FIELDS,
        {
            "amount": "1.5",
            "rate": "x",
            "vip": "maybe",
            "when": "24.12.2026",
            "kind": "c",
            "note": "toolong",
            "mail": "nope",
            "ref": "x",
            "other": 1,
        },
    )
    assert result.errors == {
        "amount": "must be a whole number",
        "rate": "must be a number",
        "vip": "must be yes or no",
        "when": "must be a date (YYYY-MM-DD)",
        "kind": "must be one of: a, b",
        "note": "must have at most 5 characters",
        "mail": "must be an e-mail address",
        "ref": "is read-only",
        "other": "is not a field of this form",
    }


def test_required_and_limits() -> None:
    assert validate_form(FIELDS, {"kind": "a", "amount": ""}).errors == {"amount": "is required"}
    assert validate_form(FIELDS, {"kind": "a", "amount": 5000}).errors == {"amount": "must be at most 1000"}
    assert validate_form(FIELDS, {"kind": "a", "amount": True}).errors == {"amount": "must be a number"}
    assert validate_form(FIELDS, {"amount": 1}).errors == {"kind": "is required"}
    assert validate_form(FIELDS, {"amount": 1, "kind": "a", "vip": False}).values["vip"] is False


def test_round_trip_through_json() -> None:
    for field in FIELDS:
        assert FormField.from_dict(field.to_dict()) == field
