"""Task forms: field definitions (from the diagram's ``camunda:formData``) and server-side validation.

The same definitions drive the web UI's form rendering and the engine's check before a task completes,
so a value the UI would reject is also rejected from the CLI or the API.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

# Field types a designer can pick in Camunda Modeler ("string", "long", "boolean", "date", "enum") plus the
# custom types our process library uses; anything else is treated as free text.
STRING_TYPES = frozenset({"string", "text", "textarea", "email"})
NUMBER_TYPES = frozenset({"long", "integer", "decimal", "double", "number"})
KNOWN_TYPES = STRING_TYPES | NUMBER_TYPES | {"boolean", "date", "enum"}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE = {"true", "1", "yes", "on", "ja"}
_FALSE = {"false", "0", "no", "off", "nein", ""}


@dataclass(frozen=True)
class FormField:
    """One input of a task form."""

    id: str
    type: str = "string"
    label: str = ""
    required: bool = False
    readonly: bool = False
    default: str | None = None
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for enums
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    min_length: int | None = None
    max_length: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as stored on the human task row."""
        data = asdict(self)
        data["options"] = [list(option) for option in self.options]
        for key in ("minimum", "maximum"):
            data[key] = None if data[key] is None else str(data[key])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FormField:
        """Inverse of :meth:`to_dict`."""
        values = dict(data)
        values["options"] = tuple(tuple(option) for option in values.get("options") or ())
        for key in ("minimum", "maximum"):
            if values.get(key) is not None:
                values[key] = Decimal(values[key])
        return cls(**values)


@dataclass
class FormResult:
    """Cleaned values (typed) and per-field error messages."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _coerce_number(form_field: FormField, raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise ValueError("must be a number")
    try:
        number = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError("must be a number") from None
    if not number.is_finite():
        raise ValueError("must be a number")
    if form_field.type in {"long", "integer"}:
        if number != number.to_integral_value():
            raise ValueError("must be a whole number")
        result: int | float = int(number)
    else:
        result = float(number)
    if form_field.minimum is not None and number < form_field.minimum:
        raise ValueError(f"must be at least {form_field.minimum}")
    if form_field.maximum is not None and number > form_field.maximum:
        raise ValueError(f"must be at most {form_field.maximum}")
    return result


def _coerce_boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("must be yes or no")


def _coerce_date(raw: Any) -> str:
    # Dates are kept as ISO strings in task data: JSON-safe and comparable in gateway conditions.
    if isinstance(raw, date):
        return raw.isoformat()
    try:
        return date.fromisoformat(str(raw).strip()).isoformat()
    except ValueError:
        raise ValueError("must be a date (YYYY-MM-DD)") from None


def _coerce_string(form_field: FormField, raw: Any) -> str:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise ValueError("must be text")
    text = str(raw).strip()
    if form_field.min_length is not None and len(text) < form_field.min_length:
        raise ValueError(f"must have at least {form_field.min_length} characters")
    if form_field.max_length is not None and len(text) > form_field.max_length:
        raise ValueError(f"must have at most {form_field.max_length} characters")
    if form_field.type == "email" and not _EMAIL.match(text):
        raise ValueError("must be an e-mail address")
    return text


def coerce_value(form_field: FormField, raw: Any) -> Any:
    """Convert one submitted value to the field's type; raises ValueError with a user-facing message."""
    if form_field.type in NUMBER_TYPES:
        return _coerce_number(form_field, raw)
    if form_field.type == "boolean":
        return _coerce_boolean(raw)
    if form_field.type == "date":
        return _coerce_date(raw)
    if form_field.type == "enum":
        allowed = [value for value, _label in form_field.options]
        if str(raw) not in allowed:
            raise ValueError(f"must be one of: {', '.join(allowed)}")
        return str(raw)
    return _coerce_string(form_field, raw)


def validate_form(fields: list[FormField], submitted: dict[str, Any]) -> FormResult:
    """Check submitted data against the form; unknown keys are errors so typos never pass silently."""
    result = FormResult()
    known = {form_field.id for form_field in fields}
    for key in submitted:
        if key not in known:
            result.errors[key] = "is not a field of this form"
    for form_field in fields:
        if form_field.readonly:
            if form_field.id in submitted:
                result.errors[form_field.id] = "is read-only"
            continue
        raw = submitted.get(form_field.id)
        if _is_blank(raw) and form_field.type != "boolean":
            if form_field.required:
                result.errors[form_field.id] = "is required"
            continue
        if raw is None:
            if form_field.required:
                result.errors[form_field.id] = "is required"
            continue
        try:
            result.values[form_field.id] = coerce_value(form_field, raw)
        except ValueError as error:
            result.errors[form_field.id] = str(error)
    return result
